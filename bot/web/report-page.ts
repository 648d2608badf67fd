// The full report of one analysis (GET /report/:occurrenceId?token=…): what a chat message cannot
// hold. Every task with its stack and contexts, the wait-for graph, the suspect lock with the paste's
// own lines quoted, checklist, next steps, matched case, and the incident's occurrences.

import type { AnalysisTask, ChainLink, Finding } from '../../analyzers/contract.ts';
import type { Incident, Occurrence } from '../types.ts';
import { evidenceLines, lineSource, quoteLines, type LineSource } from './evidence-quote.ts';
import { html, type SafeHtml } from './html.ts';
import { pageHtml } from './page-layout.ts';
import { buildWaitGraph, trimWaitGraph } from './wait-graph.ts';
import { waitGraphSvg } from './wait-graph-svg.ts';

export interface ReportData {
  occurrence: Occurrence;
  incident: Incident | null;
  /** The incident's occurrences, newest first (may be a bounded page). */
  occurrences: Occurrence[];
  /** The pasted text, when the store kept it; evidence is quoted from it by line number. */
  paste: string | null;
}

/** Beyond this many boxes a drawing stops helping; the nearest to the cycle are drawn. */
const MAX_GRAPH_NODES = 60;

const CONTEXT_LABEL: Record<string, string> = { process: 'process', softirq: 'softirq', hardirq: 'hardirq', nmi: 'NMI' };

function taskName(t: AnalysisTask): string {
  if (t.comm && t.pid !== null) return `${t.comm}:${t.pid}`;
  return t.comm ?? (t.pid !== null ? String(t.pid) : t.cpu !== null ? `CPU ${t.cpu}` : 'unknown task');
}

function list(items: string[], ordered: boolean): SafeHtml {
  const li = items.map((i) => html`<li>${i}</li>`);
  return ordered ? html`<ol>${li}</ol>` : html`<ul>${li}</ul>`;
}

/** A chain link with why we believe it (the report has room for the evidence chat leaves out). */
function reportLinkHtml(link: ChainLink): SafeHtml {
  const why = link.evidence || link.lines?.length
    ? html`<br><span class="muted">${link.evidence ?? ''}${link.lines?.length ? ` (line${link.lines.length > 1 ? 's' : ''} ${link.lines.slice(0, 12).join(', ')})` : ''}</span>`
    : '';
  return html`<li class="link"><span class="who">${link.task}</span> waits on <span class="on">${link.waitsOn}</span>${
    link.heldBy ? html` held by <span class="who">${link.heldBy}</span>` : html` <span class="muted">(holder unknown)</span>`
  }${why}</li>`;
}

function findingHtml(f: Finding, index: number, lines: LineSource | null): SafeHtml {
  const lock = f.suspectLock;
  return html`<section class="finding" id="finding-${index}">
<h2>${f.headline}</h2>
<p class="muted">pattern <code>${f.pattern}</code> · confidence ${Math.round(f.confidence * 100)}%${f.caseId ? html` · matched case <code class="case-id">${f.caseId}</code>` : ' · no documented case matched'}</p>
${f.blockingChain.length ? html`<div class="b-chain${f.cycle ? ' cycle' : ''}"><h4>Blocking chain${f.cycle ? html` <span class="badge danger">cycle</span>` : ''}</h4><ol>${f.blockingChain.map(reportLinkHtml)}</ol></div>` : ''}
${lock ? html`<div class="suspect-lock"><h4>Suspect lock</h4><dl class="b-fields">
<div><dt>primitive</dt><dd>${lock.primitive}</dd></div>
<div><dt>lock</dt><dd><code>${lock.name ?? lock.address ?? 'unknown'}</code>${lock.name && lock.address ? html` <code>${lock.address}</code>` : ''}</dd></div>
<div><dt>holder</dt><dd>${lock.holder ?? 'unknown'}</dd></div>
<div><dt>evidence</dt><dd>${lock.evidence}</dd></div></dl></div>` : ''}
${evidenceLines(f).length ? html`<h4>Evidence from the paste</h4>${quoteLines(lines, evidenceLines(f))}` : ''}
${f.keyFrames.length ? html`<h4>Key frames</h4><p><code>${f.keyFrames.join(' ← ')}</code></p>` : ''}
${f.checklist.length ? html`<h4>Checklist</h4>${list(f.checklist, true)}` : ''}
${f.nextSteps.length ? html`<h4>Next steps (to confirm)</h4><pre class="next-steps">${f.nextSteps.join('\n')}</pre>` : ''}
${f.references.length ? html`<h4>References</h4>${list(f.references, false)}` : ''}
</section>`;
}

function taskHtml(t: AnalysisTask, involved: boolean): SafeHtml {
  const segments = t.contexts && t.contexts.length ? t.contexts : [{ context: '', frames: t.frames, exceptionRip: null }];
  const body = segments.map(
    (s) => html`<div class="segment">${s.context ? html`<span class="ctx ${s.context}">${CONTEXT_LABEL[s.context] ?? s.context}</span>` : ''}${s.exceptionRip ? html`<span class="muted">exception RIP <code>${s.exceptionRip}</code></span>` : ''}<ol class="frames" start="0">${s.frames.map((fn) => html`<li>${fn}</li>`)}</ol></div>`,
  );
  const meta = html`state <strong>${t.state ?? '?'}</strong>${t.cpu !== null ? html` · CPU ${t.cpu}` : ''}${t.task ? html` · task <code>${t.task}</code>` : ''}`;
  const name = taskName(t);
  return html`<details class="task" data-task="${name}"${involved ? html` open` : ''}><summary><code>${name}</code> <span class="muted">${meta} · ${t.frames.length} frames</span></summary>${body}</details>`;
}

function occurrencesHtml(list: Occurrence[]): SafeHtml {
  if (list.length === 0) return html`<p class="muted">No occurrences recorded.</p>`;
  return html`<table class="occurrences"><thead><tr><th>#</th><th>seen</th><th>where</th><th>by</th></tr></thead><tbody>${list.map(
    (o) => html`<tr><td>${o.id}</td><td>${o.seenAt}</td><td>${o.platform} ${o.channelName ?? o.channel}${
      o.link && /^https?:\/\//.test(o.link) ? html` · <a href="${o.link}" rel="noopener noreferrer">message</a>` : ''
    }</td><td>${o.author ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

export function renderReportPage(data: ReportData, nonce: string): string {
  const a = data.occurrence.analysis;
  const lines = lineSource(data.paste, a);
  const { graph, omitted } = trimWaitGraph(buildWaitGraph(a), MAX_GRAPH_NODES);
  const inChain = new Set<string>();
  for (const f of a.findings) for (const l of f.blockingChain) for (const n of [l.task, l.heldBy]) if (n) inChain.add(n);
  const inc = data.incident;
  const body = html`<section class="summary">
<h1>${a.title}</h1>
<p><span class="badge">${a.family}</span>${inc ? html` <strong>${inc.id}</strong> <span class="badge ${inc.status}">${inc.status}</span>${inc.regression ? html` <span class="badge danger">regression</span>` : ''} · seen ${inc.occurrenceCount} time${inc.occurrenceCount === 1 ? '' : 's'} since ${inc.firstSeen}` : ''}</p>
<p class="muted">occurrence ${data.occurrence.id} · ${data.occurrence.seenAt} · formats ${a.formats.join(', ') || 'none'} · signature <code>${a.signature}</code></p>
${a.notes?.length ? list(a.notes, false) : ''}
</section>
<section class="graph"><h2>Wait-for graph</h2><div class="graph-wrap">${waitGraphSvg(graph)}</div>${omitted ? html`<p class="muted">${omitted} more task(s) farther from the cycle are not drawn; the chains below list them.</p>` : ''}</section>
${a.findings.length ? a.findings.map((f, i) => findingHtml(f, i, lines)) : html`<section><p>No known hang pattern was recognised in this paste.</p></section>`}
<section class="tasks"><h2>Tasks (${a.tasks.length})</h2>${a.tasks.map((t) => taskHtml(t, inChain.has(taskName(t)) || (t.pid !== null && inChain.has(String(t.pid)))))}</section>
<section class="occ"><h2>Occurrences</h2>${occurrencesHtml(data.occurrences)}</section>`;
  return pageHtml({ title: `${a.title} · lockdown report`, nonce, body });
}
