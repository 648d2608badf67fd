// Slack mrkdwn text helpers: escaping and fitting text into Block Kit's character limits.
// Slack requires `&`, `<` and `>` in message text to be sent as `&amp;`, `&lt;`, `&gt;` (otherwise
// `<IRQ>` in a pasted trace is read as a link or mention), and counts the escaped characters against
// the limits (section text 3000, header 150, button label 75), so the escaped length is what we budget.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeMrkdwn(raw: string): string {
  let out = '';
  for (const ch of raw) out += ESCAPES[ch] ?? ch;
  return out;
}

/** Slack's own escaping undone (message text arrives escaped; the parser wants the trace as typed). */
export function unescapeSlackText(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** Escape `raw` into at most `budget` characters; `cut` says whether some of it did not fit. */
export function escapeWithin(raw: string, budget: number): { text: string; cut: boolean } {
  let out = '';
  let i = 0;
  for (const ch of raw) {
    const piece = ESCAPES[ch] ?? ch;
    if (out.length + piece.length > budget) return { text: out, cut: true };
    out += piece;
    i += ch.length;
  }
  return { text: out, cut: i < raw.length };
}

/** Escaped and shortened to `limit` characters, ending in `…` when something was cut. */
export function fitMrkdwn(raw: string, limit: number): { text: string; cut: boolean } {
  const all = escapeWithin(raw, limit);
  if (!all.cut) return all;
  const head = escapeWithin(raw, limit - 1);
  return { text: `${head.text}…`, cut: true };
}

/** Plain text (headers, button labels) shortened to `limit` characters; no escaping in plain_text. */
export function fitPlain(raw: string, limit: number): { text: string; cut: boolean } {
  const chars = Array.from(raw);
  if (chars.length <= limit) return { text: raw, cut: false };
  return { text: `${chars.slice(0, limit - 1).join('')}…`, cut: true };
}

// One URL token: a single character class with one quantifier, linear on any input.
const URL_RE = /https?:\/\/[^\s<>|]+/g;

/** Escaped mrkdwn where bare http(s) URLs become Slack links (`<url>`), so report links stay clickable. */
export function linkifyMrkdwn(raw: string): string {
  let out = '';
  let last = 0;
  for (const m of raw.matchAll(URL_RE)) {
    const at = m.index ?? 0;
    out += escapeMrkdwn(raw.slice(last, at));
    out += `<${escapeMrkdwn(m[0])}>`;
    last = at + m[0].length;
  }
  return out + escapeMrkdwn(raw.slice(last));
}
