// Quotes the paste's own lines as evidence, with their 1-based line numbers (the TraceModel keeps
// source line numbers for exactly this). Escaped like everything else; long lines are clipped.

import type { Analysis, Finding } from '../../analyzers/contract.ts';
import { html, type SafeHtml } from './html.ts';

const MAX_LINES = 60;
const MAX_LINE_CHARS = 400;

/** Every line number a finding cites (suspect lock first, then the chain), unique, in paste order. */
export function evidenceLines(finding: Finding): number[] {
  const all = new Set<number>();
  for (const n of finding.suspectLock?.lines ?? []) all.add(n);
  for (const link of finding.blockingChain) for (const n of link.lines ?? []) all.add(n);
  return [...all].filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
}

/** The cited lines' text, kept with the stored analysis (an added field; the contract allows adding
 *  fields) so the report can quote a chat paste after the paste itself is gone. Line number → text. */
export type QuotedLines = Record<string, string>;
export type AnalysisWithQuotes = Analysis & { quotedLines?: QuotedLines };

const MAX_KEPT = 300;

/** Copies the text of every line any finding cites out of the paste (bounded: 300 lines × 400 chars). */
export function withQuotedLines(analysis: Analysis, paste: string): AnalysisWithQuotes {
  const wanted = new Set<number>();
  for (const f of analysis.findings) for (const n of evidenceLines(f)) if (wanted.size < MAX_KEPT) wanted.add(n);
  if (wanted.size === 0) return analysis;
  const quotedLines: QuotedLines = {};
  let line = 1;
  let start = 0;
  const max = Math.max(...wanted);
  while (line <= max && start <= paste.length) {
    let end = paste.indexOf('\n', start);
    if (end === -1) end = paste.length;
    if (wanted.has(line)) quotedLines[String(line)] = paste.slice(start, Math.min(end, start + MAX_LINE_CHARS)).replace(/\r$/, '');
    start = end + 1;
    line++;
  }
  return { ...analysis, quotedLines };
}

/** Line lookup: from the whole paste when kept, else from the analysis' quoted lines. */
export type LineSource = (n: number) => string | undefined;

export function lineSource(paste: string | null, analysis: AnalysisWithQuotes): LineSource | null {
  if (paste !== null) {
    const lines = paste.split(/\r?\n/);
    return (n) => lines[n - 1];
  }
  const kept = analysis.quotedLines;
  if (kept && typeof kept === 'object') return (n) => (typeof kept[String(n)] === 'string' ? kept[String(n)] : undefined);
  return null;
}

export function quoteLines(source: LineSource | null, numbers: number[]): SafeHtml {
  if (numbers.length === 0) return html``;
  const notKept = html`<p class="muted">Evidence at paste line${numbers.length > 1 ? 's' : ''} ${numbers.slice(0, MAX_LINES).join(', ')} (the paste itself was not kept).</p>`;
  if (source === null) return notKept;
  const shown = numbers.filter((n) => source(n) !== undefined).slice(0, MAX_LINES);
  if (shown.length === 0) return notKept;
  const rows = shown.map((n, i) => {
    const text = source(n)!;
    const gap = i > 0 && n > shown[i - 1] + 1 ? html`<span class="ln">⋮</span>\n` : '';
    return html`${gap}<span class="ln" data-line="${n}">${n}</span>${text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) + ' …' : text}\n`;
  });
  const more = numbers.length > shown.length ? html`<p class="muted">${numbers.length - shown.length} more cited line(s) not shown.</p>` : '';
  return html`<pre class="quote">${rows}</pre>${more}`;
}
