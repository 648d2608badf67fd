// The core's PlatformPort on the Slack Web API: post in the thread, update after a button, react.
// Every reply goes IN the thread of the paste (`thread_ts = thread ?? messageId`; Bolt's say() would
// post at top level). 429s are retried by the WebClient after Retry-After; a call that finally fails
// rejects with LockdownError('LD_PLATFORM') so the core's outbox keeps the reply for later.

import type { webApi } from '@slack/bolt';
import type { PlatformPort, PostedRef, ReplyTarget } from '../../bot/ports.ts';
import type { Logger } from '../../bot/log.ts';
import type { Reply } from '../../bot/types.ts';
import { LockdownError } from '../../config/errors.ts';
import { toSlackBlocks } from './blocks.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

export interface SlackPortOptions {
  client: webApi.WebClient;
  logger: Logger;
  /** Upload Reply.fullMarkdown as a file in the thread when the blocks had to be shortened (files:write). */
  uploadOverflow?: boolean;
}

const BLOCKS_REFUSED = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long', 'too_many_attachments']);

export function createSlackPort(opts: SlackPortOptions): PlatformPort {
  const { client, logger } = opts;
  const upload = opts.uploadOverflow ?? true;

  return {
    platform: 'slack',

    async post(target: ReplyTarget, reply: Reply): Promise<PostedRef> {
      const threadTs = target.thread ?? target.messageId ?? undefined;
      const willUpload = upload && !reply.reportUrl && !!reply.fullMarkdown;
      const payload = toSlackBlocks(reply, { overflow: willUpload ? 'file' : 'none' });
      const base = { channel: target.channel, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false };
      const res = await withTextFallback('chat.postMessage', reply, payload.text,
        () => client.chat.postMessage({ ...base, text: payload.text, blocks: payload.blocks as never }),
        (text) => client.chat.postMessage({ ...base, text }));
      const ts = typeof res.ts === 'string' ? res.ts : '';
      const posted: PostedRef = { platform: 'slack', channel: target.channel, thread: threadTs ?? null, messageId: ts };
      if (payload.truncated && willUpload && reply.fullMarkdown) {
        // The reply is already out; a failed upload costs the attachment, not the reply.
        await uploadReport(reply, target.channel, threadTs ?? ts).catch((e: unknown) => {
          logger.warn({ err: errCode(e), channel: target.channel }, 'slack: full report upload failed');
        });
      }
      return posted;
    },

    async update(ref: PostedRef, reply: Reply): Promise<void> {
      // No upload on update: the file from the first post is still in the thread.
      const payload = toSlackBlocks(reply, { overflow: 'file' });
      await withTextFallback('chat.update', reply, payload.text,
        () => client.chat.update({ channel: ref.channel, ts: ref.messageId, text: payload.text, blocks: payload.blocks as never }),
        (text) => client.chat.update({ channel: ref.channel, ts: ref.messageId, text, blocks: [] }));
    },

    async react(target: ReplyTarget, emoji: string): Promise<void> {
      if (!target.messageId) return;
      const name = emoji.replace(/^:/, '').replace(/:$/, '');
      try {
        await client.reactions.add({ channel: target.channel, timestamp: target.messageId, name });
      } catch (e) {
        if (errCode(e) === 'already_reacted') return;
        throw platformError('reactions.add', e);
      }
    },
  };

  async function uploadReport(reply: Reply, channel: string, threadTs: string): Promise<void> {
    const name = `lockdown-${reply.incidentId ?? 'report'}.md`;
    await client.files.uploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      content: reply.fullMarkdown ?? '',
      filename: name,
      title: `Full report${reply.incidentId ? ` ${reply.incidentId}` : ''}`,
    });
  }

  /** Blocks Slack refuses (a limit we did not know of, a rendering bug) must not cost the reply: the
   *  core's outbox would retry the same refused payload forever. Send the plain text instead. */
  async function withTextFallback<T>(method: string, reply: Reply, text: string, withBlocks: () => Promise<T>, textOnly: (text: string) => Promise<T>): Promise<T> {
    try {
      return await withBlocks();
    } catch (e) {
      const code = errCode(e);
      if (!BLOCKS_REFUSED.has(code)) throw platformError(method, e);
      logger.warn({ src: 'slack', method, err: code, incident: reply.incidentId }, 'slack refused the blocks; sending text only');
      const link = reply.reportUrl ? `\nFull report: <${escapeMrkdwn(reply.reportUrl)}>` : '';
      try {
        return await textOnly(`${text}${link}`);
      } catch (e2) {
        throw platformError(method, e2);
      }
    }
  }
}

/** Slack's error code (`channel_not_found`, `ratelimited`…) or the SDK's, never the request (it holds the token). */
export function errCode(e: unknown): string {
  const err = e as { data?: { error?: string }; code?: string; message?: string } | null;
  return err?.data?.error ?? err?.code ?? (err?.message ? err.message.slice(0, 200) : 'unknown');
}

export function platformError(method: string, e: unknown): LockdownError {
  const code = errCode(e);
  return new LockdownError('LD_PLATFORM', `slack ${method} failed: ${code}`, {
    userMessage: 'Slack refused the reply; it will be retried.',
    details: { platform: 'slack', method, error: code },
    cause: e,
  });
}
