// Analysis + incident → the platform-neutral chat reply (header, headline, chain, suspect lock,
// checklist, next steps, "seen N times", buttons) and the whole report as Markdown for overflow.

import type { Analysis, ChainLink, Finding } from '../../analyzers/contract.ts';
import type { ActionId, Incident, Reply, ReplyBlock } from '../types.ts';
import { channelRef, day, familyLabel, statusLabel, truncate } from './format.ts';

/** What the incident service tells us about this occurrence (a subset of its recordOccurrence result). */
export interface OccurrenceInfo {
  isNew: boolean;
  regression: boolean;
  seenCount: number;
  firstSeen: string;
  lastChannelName: string | null;
}

export interface RenderOptions {
  reportUrl?: string | null;
  /** Items shown per list in chat; the rest is in fullMarkdown / the report page. */
  maxListItems?: number;
}

export function renderAnalysisReply(analysis: Analysis, incident: Incident | null, occ: OccurrenceInfo | null, opts: RenderOptions = {}): Reply {
  const max = opts.maxListItems ?? 8;
  const top: Finding | undefined = analysis.findings[0];
  const blocks: ReplyBlock[] = [];
  const title = truncate(analysis.title || familyLabel(analysis.family), 200);
  blocks.push({ type: 'header', text: `${familyLabel(analysis.family)}: ${title}` });
  const headline = top ? top.headline : noFindingLine(analysis);
  blocks.push({ type: 'text', text: headline });

  const status = statusLine(incident, occ);
  if (status) blocks.push({ type: 'context', text: status });

  if (top && top.blockingChain.length > 0) {
    blocks.push({ type: 'chain', title: top.cycle ? 'Blocking chain (closes into a cycle: deadlock)' : 'Blocking chain', links: top.blockingChain, cycle: top.cycle });
  }
  if (top?.suspectLock) {
    const l = top.suspectLock;
    const lockName = [l.name, l.address].filter(Boolean).join(' at ') || 'unknown';
    blocks.push({
      type: 'fields',
      fields: [
        { label: 'Suspect lock', value: `${l.primitive} \`${lockName}\`` },
        { label: 'Holder', value: l.holder ?? 'unknown' },
        { label: 'Evidence', value: l.lines?.length ? `${l.evidence} (lines ${l.lines.slice(0, 6).join(', ')})` : l.evidence },
      ],
    });
  }
  if (top && top.checklist.length > 0) {
    blocks.push({ type: 'list', title: top.caseId ? `Checklist (case ${top.caseId})` : 'Checklist', items: capped(top.checklist, max), ordered: true });
  }
  if (top && top.nextSteps.length > 0) {
    blocks.push({ type: 'list', title: 'Confirm with', items: capped(top.nextSteps.map((s) => `\`${s}\``), max) });
  }
  if (!top && analysis.keyFrames.length > 0) {
    blocks.push({ type: 'context', text: `Key frames: ${analysis.keyFrames.slice(0, 5).map((f) => `\`${f}\``).join(' ← ')}` });
  }
  if (analysis.findings.length > 1) {
    const more = analysis.findings.slice(1, 4).map((f) => `${f.pattern}: ${truncate(f.headline, 160)}`);
    blocks.push({ type: 'list', title: 'Also found', items: more });
  }
  if (incident) blocks.push({ type: 'actions', incidentId: incident.id, actions: actionsFor(incident) });
  if (opts.reportUrl) blocks.push({ type: 'context', text: `Full report: ${opts.reportUrl}` });

  const text = `${incident ? `${incident.id} ` : ''}${familyLabel(analysis.family)}: ${title}. ${headline}`;
  return {
    text: truncate(text, 600),
    blocks,
    ephemeral: false,
    incidentId: incident?.id ?? null,
    reportUrl: opts.reportUrl ?? null,
    fullMarkdown: renderAnalysisMarkdown(analysis, incident, occ),
  };
}

/** The buttons that make sense for the current status. */
export function actionsFor(incident: Pick<Incident, 'status'>): Array<{ id: ActionId; label: string; style?: 'primary' | 'danger' }> {
  const open = incident.status === 'open' || incident.status === 'acknowledged';
  const out: Array<{ id: ActionId; label: string; style?: 'primary' | 'danger' }> = [];
  if (incident.status === 'open') out.push({ id: 'ack', label: 'Acknowledge', style: 'primary' });
  if (open) out.push({ id: 'resolve', label: 'Resolve' });
  if (!open) out.push({ id: 'reopen', label: 'Reopen' });
  if (open) out.push({ id: 'mute', label: 'Mute 7d', style: 'danger' });
  return out;
}

function statusLine(incident: Incident | null, occ: OccurrenceInfo | null): string | null {
  if (!incident) return null;
  const parts = [`*${incident.id}* · ${statusLabel(incident)}${incident.owner ? ` · owner <@${incident.owner}>` : ''}`];
  if (occ?.regression) parts.push(`*Regression*: this signature was resolved and is back`);
  if (occ && !occ.isNew) {
    parts.push(`seen ${occ.seenCount} times since ${day(occ.firstSeen)}${occ.lastChannelName ? `, last in ${channelRef(occ.lastChannelName, null)}` : ''}`);
  } else if (occ?.isNew) {
    parts.push('first time seen');
  } else if (!occ && incident.occurrenceCount > 1) {
    parts.push(`seen ${incident.occurrenceCount} times since ${day(incident.firstSeen)}`);
  }
  return parts.join(' · ');
}

function noFindingLine(a: Analysis): string {
  if (a.family === 'not_kernel') {
    // kernel stacks that show no blocked task (all in interruptible sleep) are not "not a trace"
    return a.tasks.length > 0
      ? 'Kernel stacks, but no task in them is blocked: every one sleeps interruptibly (futex, poll, epoll...). Nothing here hangs in the kernel; if the program is stuck, look at its own locks.'
      : 'This does not look like a kernel trace.';
  }
  return 'No documented mechanism matched; the tasks and key frames are below.';
}

function capped(items: string[], max: number): string[] {
  if (items.length <= max) return items;
  return [...items.slice(0, max), `… ${items.length - max} more in the full report`];
}

export function chainLine(l: ChainLink): string {
  return `${l.task} waits on ${l.waitsOn}${l.heldBy ? ` held by ${l.heldBy}` : ''}`;
}

/** The whole analysis as Markdown: nothing left out (adapters upload it when blocks overflow). */
export function renderAnalysisMarkdown(a: Analysis, incident: Incident | null, occ: OccurrenceInfo | null): string {
  const out: string[] = [`# ${familyLabel(a.family)}: ${a.title}`, ''];
  if (incident) out.push(`Incident ${incident.id} (${statusLabel(incident)})${occ && !occ.isNew ? `, seen ${occ.seenCount} times since ${day(occ.firstSeen)}` : ''}${occ?.regression ? ', regression' : ''}`, '');
  out.push(`Signature: \`${a.signature}\` · formats: ${a.formats.join(', ') || 'none'}`, '');
  if (a.keyFrames.length) out.push(`Key frames: ${a.keyFrames.map((f) => `\`${f}\``).join(', ')}`, '');
  a.findings.forEach((f, i) => {
    out.push(`## ${i + 1}. ${f.headline}`, '', `Pattern \`${f.pattern}\`${f.caseId ? `, case \`${f.caseId}\`` : ''}, confidence ${f.confidence.toFixed(2)}`, '');
    if (f.blockingChain.length) {
      out.push(`### Blocking chain${f.cycle ? ' (cycle)' : ''}`, '');
      for (const l of f.blockingChain) out.push(`- ${chainLine(l)}${l.evidence ? ` (${l.evidence})` : ''}`);
      out.push('');
    }
    if (f.suspectLock) {
      const l = f.suspectLock;
      out.push('### Suspect lock', '', `- ${l.primitive} ${[l.name, l.address].filter(Boolean).join(' at ') || 'unknown'}`, `- holder: ${l.holder ?? 'unknown'}`, `- evidence: ${l.evidence}`, '');
    }
    if (f.checklist.length) out.push('### Checklist', '', ...f.checklist.map((c, j) => `${j + 1}. ${c}`), '');
    if (f.nextSteps.length) out.push('### Confirm with', '', '```', ...f.nextSteps, '```', '');
    if (f.references.length) out.push(`References: ${f.references.join(', ')}`, '');
  });
  if (a.tasks.length) {
    out.push('## Tasks', '');
    for (const t of a.tasks) {
      const who = [t.comm, t.pid].filter((x) => x !== null).join(':') || (t.cpu !== null ? `CPU ${t.cpu}` : '?');
      out.push(`- ${who}${t.state ? ` [${t.state}]` : ''}${t.cpu !== null ? ` cpu ${t.cpu}` : ''}: ${t.frames.slice(0, 12).join(' ← ')}${t.frames.length > 12 ? ' …' : ''}`);
    }
    out.push('');
  }
  if (a.notes?.length) out.push('## Notes', '', ...a.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
