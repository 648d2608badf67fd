// The digest: unresolved incidents, oldest and most frequent first, regressions and ownerless ones
// flagged. An empty digest is not a message (returns null) so nobody gets "nothing to report" pings.

import type { Incident, Reply, ReplyBlock } from '../types.ts';
import { ageDays, day, statusLabel, truncate } from './format.ts';

const UNRESOLVED = new Set(['open', 'acknowledged']);

/** Oldest first; at equal age (days), more occurrences first. */
export function orderForDigest(incidents: Incident[], now: Date): Incident[] {
  return incidents
    .filter((i) => UNRESOLVED.has(i.status))
    .sort((a, b) => ageDays(b.firstSeen, now) - ageDays(a.firstSeen, now) || b.occurrenceCount - a.occurrenceCount || a.seq - b.seq);
}

export function renderDigest(incidents: Incident[], opts: { now: Date; channelName?: string | null; linkFor?: (i: Incident) => string | null; preview?: boolean }): Reply | null {
  const list = orderForDigest(incidents, opts.now);
  if (list.length === 0) return null;
  const regressions = list.filter((i) => i.regression).length;
  const ownerless = list.filter((i) => !i.owner).length;
  const blocks: ReplyBlock[] = [
    { type: 'header', text: `${opts.preview ? 'Digest preview' : 'Hang digest'}: ${list.length} unresolved` },
    { type: 'context', text: `${day(opts.now.toISOString())} · ${regressions} regression${regressions === 1 ? '' : 's'} · ${ownerless} without owner` },
  ];
  for (const i of list.slice(0, 30)) {
    const flags = [i.regression ? '⚠ regression' : null, i.owner ? null : '⚠ no owner'].filter(Boolean).join(' ');
    const link = opts.linkFor?.(i) ?? null;
    blocks.push({
      type: 'text',
      text: `*${i.id}* ${truncate(i.title, 120)} · ${statusLabel(i)} · owner ${i.owner ? `<@${i.owner}>` : 'none'} · ${i.occurrenceCount}× · first ${day(i.firstSeen)} · last ${day(i.lastSeen)}${link ? ` · ${link}` : ''}${flags ? ` · ${flags}` : ''}`,
    });
  }
  if (list.length > 30) blocks.push({ type: 'context', text: `… and ${list.length - 30} more (\`/lockdown list\`)` });
  const md = ['# Hang digest', '', ...list.map((i) => `- ${i.id} ${i.title}: ${statusLabel(i)}, owner ${i.owner ?? 'none'}, ${i.occurrenceCount}×, first ${day(i.firstSeen)}, last ${day(i.lastSeen)}${i.regression ? ', regression' : ''}`)].join('\n');
  return { text: `Hang digest: ${list.length} unresolved incident${list.length === 1 ? '' : 's'}`, blocks, ephemeral: Boolean(opts.preview), incidentId: null, reportUrl: null, fullMarkdown: md };
}
