// The core's light markdown (Slack flavour: `*bold*`, `` `code` ``, `<url|label>`) → Discord markdown
// (`**bold**`, same code spans, `[label](url)`), and a Reply as a Markdown document for the `.md`
// attachment when the core did not supply Reply.fullMarkdown. Pure, linear-time scanning per line.

import type { Reply, ReplyBlock } from '../../bot/types.ts';

/** Converts one piece of core text. Each character is visited a bounded number of times. */
export function toDiscordMarkdown(text: string): string {
  return text.split('\n').map(convertLine).join('\n');
}

function convertLine(line: string): string {
  let out = '';
  let i = 0;
  const n = line.length;
  let noClosingAngle = false;
  while (i < n) {
    const c = line[i];
    if (c === '`') {
      // Copy a code span verbatim (Discord renders code spans like Slack does).
      const end = line.indexOf('`', i + 1);
      if (end < 0) return out + line.slice(i);
      out += line.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '*') {
      if (line[i + 1] === '*') {
        // Already Discord bold: copy the pair.
        out += '**';
        i += 2;
        continue;
      }
      const next = line[i + 1];
      const close = next !== undefined && next !== ' ' ? line.indexOf('*', i + 1) : -1;
      if (close > i + 1 && !line.slice(i + 1, close).includes('`')) {
        out += `**${line.slice(i + 1, close)}**`;
        i = close + 1;
        continue;
      }
      // No closer on this line (or it spans code): a literal star, escaped so Discord keeps it.
      out += '\\*';
      i += 1;
      continue;
    }
    if (c === '<' && !noClosingAngle && line.startsWith('http', i + 1)) {
      // Slack link `<url|label>` / `<url>`: consumed whole, so each character is scanned once.
      const end = line.indexOf('>', i + 1);
      if (end > 0) {
        const inner = line.slice(i + 1, end);
        const pipe = inner.indexOf('|');
        out += pipe > 0 ? `[${inner.slice(pipe + 1)}](${inner.slice(0, pipe)})` : `<${inner}>`;
        i = end + 1;
        continue;
      }
      noClosingAngle = true;
    }
    out += c;
    i += 1;
  }
  return out;
}

/** A Reply's blocks as one Markdown document (the fallback for the `.md` overflow attachment). */
export function replyToMarkdown(reply: Reply): string {
  const out: string[] = [];
  for (const b of reply.blocks) out.push(...blockMarkdown(b), '');
  if (out.length === 0) out.push(reply.text, '');
  if (reply.reportUrl) out.push(`Full report: ${reply.reportUrl}`, '');
  return out.join('\n');
}

function blockMarkdown(b: ReplyBlock): string[] {
  switch (b.type) {
    case 'header':
      return [`# ${b.text}`];
    case 'text':
    case 'context':
      return [toDiscordMarkdown(b.text)];
    case 'fields':
      return b.fields.map((f) => `- **${f.label}**: ${toDiscordMarkdown(f.value)}`);
    case 'chain':
      return [`## ${b.title}`, '', ...chainLines(b.links, b.cycle)];
    case 'list':
      return [`## ${b.title}`, '', ...b.items.map((it, k) => `${b.ordered ? `${k + 1}.` : '-'} ${toDiscordMarkdown(it)}`)];
    case 'code':
      return ['```', b.text, '```'];
    case 'actions':
    case 'divider':
      return [];
  }
}

/** One line per link of a blocking chain: who waits, on what, held by whom. */
export function chainLines(links: ReadonlyArray<{ task: string; waitsOn: string; heldBy: string | null }>, cycle: boolean): string[] {
  const lines = links.map((l, k) => `${k + 1}. \`${l.task}\` waits on ${l.waitsOn}${l.heldBy ? `, held by \`${l.heldBy}\`` : ''}`);
  // The cycle closes where the last holder is a task already in the chain (itself, for a self-deadlock).
  const closesAt = links.at(-1)?.heldBy ?? links[0]?.task;
  if (cycle && closesAt) lines.push(`↺ back to \`${closesAt}\`: the chain is a cycle (deadlock)`);
  return lines;
}
