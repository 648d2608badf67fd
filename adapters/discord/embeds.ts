// Reply → Discord message payloads (embeds + button rows), within Discord's documented limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits): content 2000,
// title 256, description 4096, 25 fields of name 256 / value 1024, footer 2048, 6000 characters of
// embeds per message, 10 embeds; 5 buttons per row, 5 rows, custom_id 100, label 80.
// Nothing is cut silently: long text is split across fields, embeds and follow-up messages; when even
// that does not fit (maxMessages), the last message kept says so and carries the whole report as an
// attached `.md` file (Reply.fullMarkdown). Pure: no I/O.

import type { APIActionRowComponent, APIAllowedMentions, APIButtonComponentWithCustomId, APIEmbed } from 'discord.js';
import type { Reply, ReplyBlock } from '../../bot/types.ts';
import { buttonRows } from './button-rows.ts';
import { chainLines, replyToMarkdown, toDiscordMarkdown } from './markdown.ts';

export const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  embedTotal: 6000,
  embeds: 10,
} as const;

/** Room kept in every message for the "full report attached" notice, so adding it never overflows. */
const NOTICE_ROOM = 200;
const EMBED_BUDGET = LIMITS.embedTotal - NOTICE_ROOM;
const COLOR = 0xc0392b;

export interface DiscordFile {
  name: string;
  data: string;
  contentType: string;
}

export interface DiscordMessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIButtonComponentWithCustomId>>;
  files: DiscordFile[];
  /** Our replies never ping: an owner mention in a status line is information, not a page. */
  allowed_mentions: APIAllowedMentions;
}

export interface RenderOptions {
  /** Messages we may use (the first carries the buttons; the rest are follow-ups). Default 3. */
  maxMessages?: number;
}

type Item = { kind: 'desc'; text: string } | { kind: 'field'; name: string; value: string; inline: boolean };

/** The payloads to send, first one first. Always at least one. */
export function renderDiscordReply(reply: Reply, opts: RenderOptions = {}): DiscordMessagePayload[] {
  const maxMessages = Math.max(1, opts.maxMessages ?? 3);
  const header = reply.blocks.find((b): b is Extract<ReplyBlock, { type: 'header' }> => b.type === 'header');
  const title = header?.text ?? null;
  // The summary text is the message content (what notifications show) when it fits beside the notice.
  const textFits = reply.text.length > 0 && reply.text.length <= LIMITS.content - NOTICE_ROOM;
  const items: Item[] = [];
  if (!textFits && reply.text.length > 0) items.push(...splitDesc(toDiscordMarkdown(reply.text)));
  for (const b of reply.blocks) if (b !== header) items.push(...blockItems(b));

  let lost = false;
  const embedTitle = title === null ? undefined : title.length <= LIMITS.title ? title : (() => {
    // A header that long cannot be a title: show it whole at the top of the description instead.
    items.unshift(...splitDesc(`**${title}**`));
    return `${title.slice(0, LIMITS.title - 1)}…`;
  })();

  const messages = pack(items, embedTitle, reply.reportUrl);
  const { rows, dropped } = buttonRows(reply.blocks);
  if (dropped) lost = true;

  const payloads: DiscordMessagePayload[] = messages.map((embeds) => ({ embeds, components: [], files: [], allowed_mentions: { parse: [] } }));
  if (payloads.length === 0) payloads.push({ embeds: [], components: [], files: [], allowed_mentions: { parse: [] } });
  if (textFits) payloads[0].content = reply.text;
  else if (payloads[0].embeds.length === 0) payloads[0].content = '(empty reply)';
  payloads[0].components = rows;

  if (payloads.length > maxMessages) {
    payloads.length = maxMessages;
    lost = true;
  }
  if (lost) {
    const last = payloads[payloads.length - 1];
    const name = reportFileName(reply);
    last.files.push({ name, data: reply.fullMarkdown ?? replyToMarkdown(reply), contentType: 'text/markdown; charset=utf-8' });
    const notice = `📎 The rest of this report does not fit in Discord messages: the whole report is attached as ${name}.`;
    last.content = last.content ? `${last.content}\n${notice}` : notice;
  }
  return payloads;
}

export function reportFileName(reply: Pick<Reply, 'incidentId'>): string {
  return `lockdown-${reply.incidentId ?? 'report'}.md`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Total characters Discord counts toward the 6000 per-message embed budget. */
export function embedChars(e: APIEmbed): number {
  let n = (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

function blockItems(b: ReplyBlock): Item[] {
  switch (b.type) {
    case 'header':
      return splitDesc(`**${b.text}**`);
    case 'text':
      return splitDesc(toDiscordMarkdown(b.text));
    case 'context':
      // Plain lines: embed descriptions do not reliably render subtext (`-#`), and a literal prefix
      // would be noise.
      return splitDesc(toDiscordMarkdown(b.text));
    case 'code':
      return splitCode(b.text);
    case 'fields':
      return b.fields.flatMap((f) => fieldItems(f.label, toDiscordMarkdown(f.value), f.value.length <= 60));
    case 'chain':
      return fieldItems(b.title, chainLines(b.links, b.cycle).join('\n'), false);
    case 'list':
      return fieldItems(b.title, b.items.map((it, k) => `${b.ordered ? `${k + 1}.` : '•'} ${toDiscordMarkdown(it)}`).join('\n'), false);
    case 'actions':
    case 'divider':
      return [];
  }
}

/** Splits text at line ends into pieces of at most `max` characters (a longer line is split too). */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > max) {
      if (cur) { out.push(cur); cur = ''; }
      let cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // never split a surrogate pair
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (cur && cur.length + 1 + rest.length > max) { out.push(cur); cur = rest; }
    else cur = cur ? `${cur}\n${rest}` : rest;
  }
  if (cur) out.push(cur);
  return out;
}

function splitDesc(text: string): Item[] {
  return splitText(text, LIMITS.description).map((t) => ({ kind: 'desc' as const, text: t }));
}

function splitCode(text: string): Item[] {
  // A fence inside the code would end the block early: break it with a zero-width space.
  const safe = text.replaceAll('```', '`\u200b``');
  return splitText(safe, LIMITS.description - 8).map((t) => ({ kind: 'desc' as const, text: `\`\`\`\n${t}\n\`\`\`` }));
}

function fieldItems(label: string, value: string, inline: boolean): Item[] {
  const name = label.trim() || '\u200b';
  const values = splitText(value.trim() || '—', LIMITS.fieldValue);
  return values.map((v, k) => {
    const base = k === 0 ? name : `${name} (continued)`;
    return { kind: 'field' as const, name: base.length <= LIMITS.fieldName ? base : `${base.slice(0, LIMITS.fieldName - 1)}…`, value: v, inline: inline && values.length === 1 };
  });
}

/** Items → messages of embeds, in order: description text after fields starts a new embed. */
function pack(items: Item[], title: string | undefined, url: string | null): APIEmbed[][] {
  const messages: APIEmbed[][] = [];
  let msg: APIEmbed[] = [];
  let msgChars = 0;
  let embed: APIEmbed | null = null;

  const newEmbed = (): APIEmbed => {
    if (msg.length === LIMITS.embeds) { messages.push(msg); msg = []; msgChars = 0; }
    const e: APIEmbed = { color: COLOR };
    if (messages.length === 0 && msg.length === 0 && title) {
      e.title = title;
      if (url) e.url = url;
      msgChars += title.length;
    }
    msg.push(e);
    return e;
  };
  const newMessage = (): void => {
    if (msg.length > 0) messages.push(msg);
    msg = [];
    msgChars = 0;
    embed = null;
  };

  for (const it of items) {
    const size = it.kind === 'desc' ? it.text.length + 2 : it.name.length + it.value.length;
    if (msgChars + size > EMBED_BUDGET) newMessage();
    let e: APIEmbed = embed ?? newEmbed();
    if (it.kind === 'desc') {
      const fits = !e.fields?.length && (e.description ?? '').length + 2 + it.text.length <= LIMITS.description;
      if (!fits) e = newEmbed();
      e.description = e.description ? `${e.description}\n\n${it.text}` : it.text;
    } else {
      if ((e.fields?.length ?? 0) >= LIMITS.fields) e = newEmbed();
      (e.fields ??= []).push({ name: it.name, value: it.value, inline: it.inline });
    }
    msgChars += size;
    embed = e;
  }
  if (msg.length > 0) messages.push(msg);
  if (messages.length === 0 && title) messages.push([{ color: COLOR, title, ...(url ? { url } : {}) }]);
  return messages;
}
