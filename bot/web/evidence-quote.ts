// Quotes the paste's own lines as evidence, with their 1-based line numbers (the TraceModel keeps
// source line numbers for exactly this). Escaped like everything else; long lines are clipped.

import type { Finding } from '../../analyzers/contract.ts';
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

/** Splits a paste into lines once (CRLF or LF), so many quotes reuse it. */
export function pasteLines(paste: string | null): string[] | null {
  return paste === null ? null : paste.split(/\r?\n/);
}

export function quoteLines(lines: string[] | null, numbers: number[]): SafeHtml {
  if (numbers.length === 0) return html``;
  if (lines === null) {
    return html`<p class="muted">Evidence at paste line${numbers.length > 1 ? 's' : ''} ${numbers.slice(0, MAX_LINES).join(', ')} (the paste itself was not kept).</p>`;
  }
  const shown = numbers.filter((n) => n <= lines.length).slice(0, MAX_LINES);
  const rows = shown.map((n, i) => {
    const text = lines[n - 1];
    const gap = i > 0 && n > shown[i - 1] + 1 ? html`<span class="ln">⋮</span>\n` : '';
    return html`${gap}<span class="ln" data-line="${n}">${n}</span>${text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) + ' …' : text}\n`;
  });
  const more = numbers.length > shown.length ? html`<p class="muted">${numbers.length - shown.length} more cited line(s) not shown.</p>` : '';
  return html`<pre class="quote">${rows}</pre>${more}`;
}
