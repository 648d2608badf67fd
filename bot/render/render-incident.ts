// Incident views for chat: the list (`/lockdown list`, App Home), one incident (`show`), and the short
// notice posted into an incident's original threads when its status changes anywhere.

import type { HistoryEntry, Incident, Occurrence, Reply, ReplyBlock } from '../types.ts';
import { actionsFor } from './render-analysis.ts';
import { channelRef, day, familyLabel, minute, statusLabel, truncate } from './format.ts';

export function incidentLine(i: Incident): string {
  const flags = [i.regression ? 'regression' : null, i.owner ? null : 'no owner'].filter(Boolean);
  return `*${i.id}* ${truncate(i.title, 120)} · ${statusLabel(i)} · ${i.occurrenceCount}× since ${day(i.firstSeen)}, last ${day(i.lastSeen)}${i.owner ? ` · <@${i.owner}>` : ''}${flags.length ? ` · ⚠ ${flags.join(', ')}` : ''}`;
}

export function renderIncidentList(incidents: Incident[], opts: { title?: string; ephemeral?: boolean; withActions?: boolean } = {}): Reply {
  const title = opts.title ?? 'Open incidents';
  const blocks: ReplyBlock[] = [{ type: 'header', text: `${title} (${incidents.length})` }];
  if (incidents.length === 0) blocks.push({ type: 'text', text: 'Nothing here.' });
  for (const i of incidents.slice(0, 40)) {
    blocks.push({ type: 'text', text: incidentLine(i) });
    if (opts.withActions) blocks.push({ type: 'actions', incidentId: i.id, actions: actionsFor(i) });
  }
  if (incidents.length > 40) blocks.push({ type: 'context', text: `… and ${incidents.length - 40} more` });
  return {
    text: `${title}: ${incidents.length}`,
    blocks,
    ephemeral: opts.ephemeral ?? true,
    incidentId: null,
    reportUrl: null,
    fullMarkdown: null,
  };
}

export function renderIncident(i: Incident, occurrences: Occurrence[] = [], history: HistoryEntry[] = [], opts: { ephemeral?: boolean } = {}): Reply {
  const blocks: ReplyBlock[] = [
    { type: 'header', text: `${i.id}: ${truncate(i.title, 140)}` },
    {
      type: 'fields',
      fields: [
        { label: 'Status', value: statusLabel(i) + (i.regression ? ' (regression)' : '') },
        { label: 'Family', value: familyLabel(i.family) },
        { label: 'Owner', value: i.owner ? `<@${i.owner}>` : 'nobody' },
        { label: 'Seen', value: `${i.occurrenceCount} times, ${day(i.firstSeen)} → ${day(i.lastSeen)}${i.lastChannelName || i.lastChannel ? `, last in ${channelRef(i.lastChannelName, i.lastChannel)}` : ''}` },
      ],
    },
  ];
  if (occurrences.length) {
    blocks.push({ type: 'list', title: 'Occurrences', items: occurrences.slice(-10).map((o) => `${minute(o.seenAt)} ${o.platform} ${channelRef(o.channelName, o.channel)}${o.link ? ` ${o.link}` : ''}`) });
  }
  if (history.length) {
    blocks.push({ type: 'list', title: 'History', items: history.slice(-10).map((h) => `${minute(h.at)} ${h.actor}: ${h.action}${h.detail ? ` (${truncate(h.detail, 200)})` : ''}`) });
  }
  blocks.push({ type: 'actions', incidentId: i.id, actions: actionsFor(i) });
  return { text: `${i.id} ${i.title}: ${statusLabel(i)}`, blocks, ephemeral: opts.ephemeral ?? true, incidentId: i.id, reportUrl: null, fullMarkdown: null };
}

/** The one-line notice posted into the original thread(s) when someone changes the status. */
export function renderStatusNotice(i: Incident, change: string, actor: string, note: string | null = null): Reply {
  const line = `${i.id} ${change} by ${actor}${note ? `: ${truncate(note, 300)}` : ''} (now ${statusLabel(i)})`;
  return { text: line, blocks: [{ type: 'context', text: line }], ephemeral: false, incidentId: i.id, reportUrl: null, fullMarkdown: null };
}
