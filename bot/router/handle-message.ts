// The router: a chat message → ignore (not a trace), reject (too large / not text), or analyse,
// record and reply once through the outbox. Ordinary chat never gets an answer.

import { asLockdownError, isLockdownError } from '../../config/errors.ts';
import type { MessageOutcome, ReplyTarget } from '../ports.ts';
import type { PlatformMessage } from '../types.ts';
import { renderError } from '../render/index.ts';
import { analyzeAndRecord } from './analyze-and-record.ts';
import { nowIso, type CoreContext } from './core-context.ts';
import type { Outbox } from './deliver-outbox.ts';
import { detectTrace } from './detect-trace.ts';
import { readableAttachments, readPaste } from './read-paste.ts';

export async function handleMessage(ctx: CoreContext, outbox: Outbox, msg: PlatformMessage): Promise<MessageOutcome> {
  const out = await route(ctx, outbox, msg);
  ctx.metrics.inc('lockdown_messages_total', { outcome: out.kind === 'ignored' ? `ignored:${out.reason}` : out.kind });
  return out;
}

async function route(ctx: CoreContext, outbox: Outbox, msg: PlatformMessage): Promise<MessageOutcome> {
  // Only text-ish files are read: a screenshot or a PDF alone is chat, not a paste (no reply).
  const files = readableAttachments(msg.attachments);
  if (msg.text.trim() === '' && files.length === 0) return { kind: 'ignored', reason: 'empty' };
  // Cheap gate first: plain chat without text attachments is never fetched, claimed or analysed.
  if (files.length === 0 && !detectTrace(msg.text).isTrace) return { kind: 'ignored', reason: 'not-a-trace' };
  const target: ReplyTarget = { platform: msg.platform, workspace: msg.workspace, channel: msg.channel, thread: msg.thread, messageId: msg.messageId };
  // The channel's name ("last in #storage") is looked up only for pastes, alongside the analysis.
  const channelName = channelNameOf(msg);

  let text: string;
  try {
    text = await readPaste(msg.text, files, ctx.config.limits.pasteBytes);
  } catch (err) {
    if (isLockdownError(err, 'LD_INPUT_TOO_LARGE') || isLockdownError(err, 'LD_ATTACHMENT')) return reject(ctx, outbox, msg, target, err);
    throw asLockdownError(err);
  }
  if (files.length > 0 && !detectTrace(text).isTrace) return { kind: 'ignored', reason: 'not-a-trace' };

  // A large paste takes a moment: acknowledge it (Slack :mag:) so nobody pastes it again.
  const port = ctx.ports.get(msg.platform);
  if (text.length > ctx.config.limits.asyncAnalysisBytes && port?.react) {
    port.react(target, 'mag').catch((e: unknown) => ctx.logger.debug({ err: asLockdownError(e).message }, 'react failed'));
  }

  const meta = { platform: msg.platform, workspace: msg.workspace, channel: msg.channel, channelName: await channelName, thread: msg.thread, messageId: msg.messageId, link: msg.link, author: msg.author };
  const res = await analyzeAndRecord(ctx, outbox, { meta, eventId: msg.eventId, text, target });
  if (res.kind === 'duplicate') return { kind: 'duplicate' };
  if (res.kind === 'not-kernel') return { kind: 'ignored', reason: 'not-a-trace' };
  const posted = res.deliveryId !== null ? await outbox.deliver(res.deliveryId) : null;
  return { kind: 'replied', incidentId: res.record.incident.id, posted, reply: res.reply };
}

function channelNameOf(msg: PlatformMessage): Promise<string | null> {
  if (msg.channelName !== null || !msg.resolveChannelName) return Promise.resolve(msg.channelName);
  return msg.resolveChannelName().catch(() => null);
}

/** Too large or not text: one short reply (once per event, through the outbox), nothing analysed. */
async function reject(ctx: CoreContext, outbox: Outbox, msg: PlatformMessage, target: ReplyTarget, err: unknown): Promise<MessageOutcome> {
  const reply = { ...renderError(err, ctx.logger, { platform: msg.platform, channel: msg.channel }), ephemeral: false };
  ctx.metrics.inc('lockdown_errors_total', { code: asLockdownError(err).code });
  const id = await ctx.store.transaction(async (tx) => {
    if (!(await tx.claimEvent(msg.platform, msg.eventId, nowIso(ctx)))) return null;
    return outbox.enqueue(tx, target, reply, { kind: 'rejection', eventId: msg.eventId, incidentId: null });
  });
  if (id === null) return { kind: 'duplicate' };
  return { kind: 'rejected', reply, posted: await outbox.deliver(id) };
}
