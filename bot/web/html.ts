// Escaping HTML templates: every interpolated value is escaped unless it is already SafeHtml, so
// pasted kernel text (which may hold `<script>`, quotes or `&lt;`) is shown as text, never run.
// One place does the escaping; renderers never concatenate raw strings into markup.

export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`; nested `html` results pass through. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Markup we generated ourselves (never user text). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Light chat markdown (`*bold*`, `` `code` ``) as escaped HTML, for Reply text blocks. */
export function inlineMarkdown(text: string): SafeHtml {
  // Hand-written scan, linear: a marker pairs with the next same marker on the same line; once a
  // marker has no partner left on its line we remember it, so no search is repeated.
  let out = '';
  for (const line of text.split('\n')) {
    const exhausted = new Set<string>();
    let i = 0;
    let chunk = '';
    while (i < line.length) {
      const c = line[i];
      if ((c === '`' || c === '*') && !exhausted.has(c)) {
        const end = line.indexOf(c, i + 1);
        if (end === -1) exhausted.add(c);
        else if (end > i + 1) {
          const inner = escapeHtml(line.slice(i + 1, end));
          chunk += c === '`' ? `<code>${inner}</code>` : `<strong>${inner}</strong>`;
          i = end + 1;
          continue;
        }
      }
      chunk += escapeHtml(c);
      i++;
    }
    out += chunk + '\n';
  }
  return new SafeHtml(out.slice(0, -1));
}
