// Reply → Slack Block Kit, within Slack's limits: at most 50 blocks per message (100 in App Home),
// section text 3000 characters, header 150, a section's fields 10 × 2000, button label 75, and the
// message as a whole kept under the 40,000 characters at which Slack truncates it
// (https://api.slack.com/reference/block-kit/blocks). Nothing is cut silently: whatever does not fit
// is summarised ("… 9,990 more") and a closing note says where the rest is (the report link, or the
// full report uploaded as a file in the thread).

import type { ChainLink } from '../../analyzers/contract.ts';
import type { Reply, ReplyBlock } from '../../bot/types.ts';
import { escapeMrkdwn, escapeWithin, fitMrkdwn, fitPlain, linkifyMrkdwn } from './mrkdwn.ts';

export const SLACK_LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  fieldText: 2000,
  fieldsPerSection: 10,
  buttonText: 75,
  messageChars: 40_000,
} as const;

export type SlackBlock = Record<string, unknown> & { type: string };

export interface SlackPayload {
  /** Fallback / notification text (mrkdwn, escaped). */
  text: string;
  blocks: SlackBlock[];
  /** Something did not fit: blocks dropped or a text shortened. The closing note says where the rest is. */
  truncated: boolean;
}

export interface ToBlocksOptions {
  /** 50 for messages, 100 for App Home and modals. */
  maxBlocks?: number;
  /** Where the rest of a truncated reply can be read when there is no report link: the caller uploads
   *  Reply.fullMarkdown as a file in the thread ('file'), or cannot ('none'). */
  overflow?: 'file' | 'none';
}

/** The action_id of a lockdown button: `lockdown_ack|resolve|reopen|mute`, value = incident id. */
export function actionIdFor(id: string): string {
  return `lockdown_${id}`;
}

export function toSlackBlocks(reply: Reply, opts: ToBlocksOptions = {}): SlackPayload {
  const maxBlocks = opts.maxBlocks ?? SLACK_LIMITS.messageBlocks;
  let cut = false;
  const converted: Array<{ block: SlackBlock; primaryActions: boolean }> = [];
  for (const rb of reply.blocks) {
    const out = convert(rb);
    if (out.cut) cut = true;
    for (const block of out.blocks) {
      converted.push({ block, primaryActions: rb.type === 'actions' && rb.incidentId === reply.incidentId });
    }
  }
  const text = fitMrkdwn(reply.text, SLACK_LIMITS.sectionText).text;

  const total = converted.reduce((n, c) => n + size(c.block), 0);
  if (!cut && converted.length <= maxBlocks && total <= SLACK_LIMITS.messageChars) {
    return { text, blocks: converted.map((c) => c.block), truncated: false };
  }

  // Over a limit: keep blocks in order, but always keep the incident's buttons (the reply is useless
  // without them) and end with a note saying what was left out and where it is.
  const primary = converted.filter((c) => c.primaryActions).slice(-1)[0] ?? null;
  const rest = converted.filter((c) => c !== primary);
  const slots = maxBlocks - 1 - (primary ? 1 : 0);
  let chars = 600 + (primary ? size(primary.block) : 0); // room for the note itself
  const kept: SlackBlock[] = [];
  for (const c of rest) {
    if (kept.length >= slots || chars + size(c.block) > SLACK_LIMITS.messageChars) break;
    kept.push(c.block);
    chars += size(c.block);
  }
  const dropped = rest.length - kept.length;
  kept.push(overflowNote(reply, dropped, opts.overflow ?? 'none'));
  if (primary) kept.push(primary.block);
  return { text, blocks: kept, truncated: true };
}

function overflowNote(reply: Reply, dropped: number, overflow: 'file' | 'none'): SlackBlock {
  const what = dropped > 0 ? `${dropped} more section${dropped === 1 ? '' : 's'} and longer lists` : 'Longer lists and text';
  let where: string;
  if (reply.reportUrl) where = `are in <${escapeMrkdwn(reply.reportUrl)}|the full report>`;
  else if (overflow === 'file' && reply.fullMarkdown) where = 'are in the full report attached to this thread';
  else if (reply.incidentId) where = `are in the full report: \`/lockdown show ${escapeMrkdwn(reply.incidentId)}\``;
  else where = 'did not fit in Slack; `lockdown analyze` on the paste prints everything';
  return context(`:scissors: Shortened for Slack. ${what} ${where}.`);
}

function convert(rb: ReplyBlock): { blocks: SlackBlock[]; cut: boolean } {
  switch (rb.type) {
    case 'header': {
      const t = fitPlain(rb.text, SLACK_LIMITS.headerText);
      return { blocks: [{ type: 'header', text: { type: 'plain_text', text: t.text || ' ', emoji: true } }], cut: t.cut };
    }
    case 'text': {
      const t = fitMrkdwn(rb.text, SLACK_LIMITS.sectionText);
      return { blocks: [section(t.text)], cut: t.cut };
    }
    case 'context': {
      const linked = linkifyMrkdwn(rb.text);
      if (linked.length <= SLACK_LIMITS.sectionText) return { blocks: [context(linked)], cut: false };
      return { blocks: [context(fitMrkdwn(rb.text, SLACK_LIMITS.sectionText).text)], cut: true };
    }
    case 'fields':
      return fieldSections(rb.fields);
    case 'list':
      return lines(rb.title, rb.items.map((item, i) => `${rb.ordered ? `${i + 1}.` : '•'} ${item}`), 'item');
    case 'chain':
      return chain(rb.title, rb.links, rb.cycle);
    case 'code':
      return code(rb.text);
    case 'actions':
      return {
        blocks: [{
          type: 'actions',
          elements: rb.actions.slice(0, 25).map((a) => ({
            type: 'button',
            action_id: actionIdFor(a.id),
            value: rb.incidentId,
            text: { type: 'plain_text', text: fitPlain(a.label, SLACK_LIMITS.buttonText).text, emoji: true },
            ...(a.style ? { style: a.style } : {}),
          })),
        }],
        cut: rb.actions.length > 25,
      };
    case 'divider':
      return { blocks: [{ type: 'divider' }], cut: false };
  }
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function context(text: string): SlackBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function fieldSections(fields: Array<{ label: string; value: string }>): { blocks: SlackBlock[]; cut: boolean } {
  let cut = false;
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fieldsPerSection) {
    const group = fields.slice(i, i + SLACK_LIMITS.fieldsPerSection).map((f) => {
      const label = `*${escapeMrkdwn(f.label)}*\n`;
      const value = fitMrkdwn(f.value, SLACK_LIMITS.fieldText - label.length);
      if (value.cut) cut = true;
      return { type: 'mrkdwn', text: label + value.text };
    });
    blocks.push({ type: 'section', fields: group });
  }
  return { blocks, cut };
}

/** A titled section of lines: as many whole lines as fit in 3000 characters, then "… N more". */
function lines(title: string, raw: string[], noun: string): { blocks: SlackBlock[]; cut: boolean } {
  const head = title ? `*${escapeMrkdwn(title)}*` : '';
  const reserve = 40; // "… 10000 more items (full report)"
  let text = head;
  let shown = 0;
  let cut = false;
  for (const line of raw) {
    const sep = text ? '\n' : '';
    const room = SLACK_LIMITS.sectionText - reserve - text.length - sep.length;
    if (room < 24) break;
    // One huge item may not eat the section: it gets at most 1200 characters, and a long item that
    // no longer fits whole is left for the "more" line unless nothing has been shown yet.
    const one = escapeWithin(line, Math.min(room, 1200) - 1);
    if (one.cut && shown > 0 && room < 1200) break;
    if (one.cut) cut = true;
    text += sep + one.text + (one.cut ? '…' : '');
    shown += 1;
  }
  if (shown < raw.length) {
    const n = raw.length - shown;
    text += `\n… ${n.toLocaleString('en-US')} more ${noun}${n === 1 ? '' : 's'}`;
    cut = true;
  }
  return { blocks: [section(text || ' ')], cut };
}

function chain(title: string, links: ChainLink[], cycle: boolean): { blocks: SlackBlock[]; cut: boolean } {
  const raw = links.map((l, i) => {
    const lock = l.lock && !l.waitsOn.includes(l.lock) ? ` (${l.lock})` : '';
    return `${i + 1}. ${l.task} waits on ${l.waitsOn}${lock}${l.heldBy ? ` held by ${l.heldBy}` : ''}`;
  });
  if (cycle && links.length > 0) raw.push(`↻ back to ${links[0]!.task}: a cycle, nobody can make progress`);
  return lines(title, raw, 'link');
}

/** A code block as fenced mrkdwn: whole lines that fit, then how many lines were left out. */
function code(raw: string): { blocks: SlackBlock[]; cut: boolean } {
  const all = raw.split('\n');
  const budget = SLACK_LIMITS.sectionText - 8 - 40; // fences + "… N more lines"
  let body = '';
  let shown = 0;
  let lineCut = false;
  for (const line of all) {
    const sep = shown ? '\n' : '';
    const one = escapeWithin(line, budget - body.length - sep.length - 1);
    if (one.cut && shown > 0) break;
    body += sep + one.text + (one.cut ? '…' : '');
    shown += 1;
    if (one.cut) {
      lineCut = true;
      break;
    }
  }
  const more = all.length - shown;
  const tail = more > 0 ? `\n… ${more.toLocaleString('en-US')} more line${more === 1 ? '' : 's'}` : '';
  return { blocks: [section(`\`\`\`${body || ' '}\`\`\`${tail}`)], cut: more > 0 || lineCut };
}

/** Characters a block contributes to the message (what Slack's 40,000 truncation counts, roughly). */
function size(block: SlackBlock): number {
  return JSON.stringify(block).length;
}
