// The core's PlatformPort on Discord's REST API (raw routes, not the gateway cache, so the outbox can
// post into a thread after a restart when nothing is cached). A reply to a top-level paste goes into a
// thread started on that message (or inline with message_reference when configured); a reply inside a
// thread stays there; a target with neither thread nor message (digests) is a new channel post.

import { DiscordAPIError, Routes } from 'discord.js';
import type { REST, RawFile, RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { LockdownError } from '../../config/errors.ts';
import type { PlatformPort, PostedRef, ReplyTarget } from '../../bot/ports.ts';
import type { Reply } from '../../bot/types.ts';
import { renderDiscordReply, type DiscordMessagePayload } from './embeds.ts';

/** Discord JSON error codes: "A thread has already been created for this message", "Missing Permissions". */
const THREAD_ALREADY_EXISTS = 160004;
const MISSING_PERMISSIONS = 50013;
/** "Unknown Channel". */
const UNKNOWN_CHANNEL = 10003;
const THREAD_NAME_MAX = 100;

export interface DiscordPortOptions {
  replyInline: boolean;
  /** Messages one reply may use before the rest goes to the attached .md report. */
  maxMessages?: number;
}

export type RestLike = Pick<REST, 'post' | 'patch' | 'put'>;

/** The core names reactions the Slack way; Discord wants the emoji itself. */
const EMOJI: Record<string, string> = { mag: '🔍', eyes: '👀', white_check_mark: '✅', warning: '⚠️' };

export function createDiscordPort(rest: RestLike, opts: DiscordPortOptions): PlatformPort {
  return {
    platform: 'discord',
    async post(target: ReplyTarget, reply: Reply): Promise<PostedRef> {
      const payloads = renderDiscordReply(reply, { maxMessages: opts.maxMessages ?? 3 });
      let channelId = target.channel;
      let thread: string | null = target.thread;
      let reference: { message_id: string; fail_if_not_exists: false } | null = null;
      const rootOnly = target.thread !== null && target.thread === target.messageId;
      if (target.thread) {
        channelId = target.thread;
        if (target.messageId && target.messageId !== target.thread) reference = { message_id: target.messageId, fail_if_not_exists: false };
      } else if (target.messageId && opts.replyInline) {
        reference = { message_id: target.messageId, fail_if_not_exists: false };
      } else if (target.messageId) {
        thread = await startThread(rest, target.channel, target.messageId, threadName(reply));
        if (thread === null) {
          // No "Create Public Threads" here: answer inline rather than not at all.
          reference = { message_id: target.messageId, fail_if_not_exists: false };
        } else {
          channelId = thread;
        }
      }
      let first: string | null = null;
      for (const [k, p] of payloads.entries()) {
        const body = messageBody(p);
        if (k === 0 && reference) body.message_reference = reference;
        let sent: { id: string };
        try {
          sent = (await rest.post(Routes.channelMessages(channelId), { body, files: rawFiles(p) })) as { id: string };
        } catch (e) {
          // Core targets name a thread by its root message (Slack style). On Discord a thread started on
          // message M has id M, but with inline replies there is no such thread: answer M in its channel.
          if (!(k === 0 && rootOnly && e instanceof DiscordAPIError && e.code === UNKNOWN_CHANNEL)) throw platformError('post message', e);
          channelId = target.channel;
          thread = null;
          body.message_reference = { message_id: target.messageId!, fail_if_not_exists: false };
          sent = (await call('post message', () => rest.post(Routes.channelMessages(channelId), { body, files: rawFiles(p) }))) as { id: string };
        }
        first ??= sent.id;
      }
      return { platform: 'discord', channel: target.channel, thread, messageId: first ?? '' };
    },
    async react(target: ReplyTarget, emoji: string): Promise<void> {
      if (!target.messageId) return;
      const e = EMOJI[emoji] ?? emoji;
      const channel = target.thread ?? target.channel;
      await call('react', () => rest.put(Routes.channelMessageOwnReaction(channel, target.messageId!, encodeURIComponent(e))));
    },
    async update(ref: PostedRef, reply: Reply): Promise<void> {
      // One message only: the one carrying the buttons; what does not fit goes to the attached report.
      const [p] = renderDiscordReply(reply, { maxMessages: 1 });
      const body = { ...messageBody(p), content: p.content ?? '' };
      // Replace any earlier attachment (an old report would contradict the new status).
      const attachments = p.files.map((f, id) => ({ id, filename: f.name }));
      await call('edit message', () => rest.patch(Routes.channelMessage(ref.thread ?? ref.channel, ref.messageId), { body: { ...body, attachments }, files: rawFiles(p) }));
    },
  };
}

/** The thread title: the reply's header (family and title), within Discord's 100 characters. */
export function threadName(reply: Reply): string {
  const header = reply.blocks.find((b) => b.type === 'header');
  const raw = (header && header.type === 'header' ? header.text : reply.text.split('\n')[0]).replace(/[*`]/g, '').trim();
  const name = raw || 'lockdown';
  return name.length <= THREAD_NAME_MAX ? name : `${name.slice(0, THREAD_NAME_MAX - 1)}…`;
}

/** The new thread's id, or null when we may not create threads in this channel. */
async function startThread(rest: RestLike, channel: string, messageId: string, name: string): Promise<string | null> {
  try {
    const t = (await rest.post(Routes.threads(channel, messageId), { body: { name } })) as { id: string };
    return t.id;
  } catch (e) {
    // A retried post (outbox after a crash) finds the thread it made last time: a thread started on a
    // message has that message's id, so carry on there instead of failing the reply.
    if (e instanceof DiscordAPIError && e.code === THREAD_ALREADY_EXISTS) return messageId;
    if (e instanceof DiscordAPIError && e.code === MISSING_PERMISSIONS) return null;
    throw platformError('start thread', e);
  }
}

export function messageBody(p: DiscordMessagePayload): RESTPostAPIChannelMessageJSONBody {
  const body: RESTPostAPIChannelMessageJSONBody = { embeds: p.embeds, components: p.components, allowed_mentions: p.allowed_mentions };
  if (p.content !== undefined) body.content = p.content;
  if (p.files.length > 0) body.attachments = p.files.map((f, id) => ({ id, filename: f.name }));
  return body;
}

export function rawFiles(p: DiscordMessagePayload): RawFile[] | undefined {
  return p.files.length === 0 ? undefined : p.files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'utf8'), contentType: f.contentType }));
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw platformError(what, e);
  }
}

function platformError(what: string, e: unknown): LockdownError {
  const status = e instanceof DiscordAPIError ? e.status : null;
  const code = e instanceof DiscordAPIError ? e.code : null;
  const detail = e instanceof Error ? e.message : String(e);
  return new LockdownError('LD_PLATFORM', `Discord ${what} failed: ${detail}`, {
    userMessage: 'Discord refused the reply.',
    details: { status, code },
    cause: e,
  });
}
