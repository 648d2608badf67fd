// discord.js Message → PlatformMessage. The message id is the event id: a gateway RESUME replays
// MESSAGE_CREATE with the same id, and a reconnect after a crash delivers nothing new, so the core's
// eventId dedup keeps one reply per paste.

import type { Message } from 'discord.js';
import type { PlatformMessage } from '../../bot/types.ts';
import { toAttachment, type FetchLike } from './attachment.ts';

/** Whether a message is one we must not answer: bots (ourselves included), system and webhook posts. */
export function isIgnorable(message: Pick<Message, 'author' | 'system' | 'webhookId'>, selfId: string | null): boolean {
  return message.author.bot || message.author.id === selfId || message.system || message.webhookId !== null;
}

export function toPlatformMessage(message: Message, fetchFn: FetchLike): PlatformMessage {
  const where = describeChannel(message.channel, message.channelId);
  return {
    platform: 'discord',
    workspace: message.guildId ?? 'dm',
    channel: where.channel,
    channelName: where.channelName,
    thread: where.thread,
    messageId: message.id,
    eventId: message.id,
    author: message.author.id,
    authorName: message.member?.displayName ?? message.author.globalName ?? message.author.username,
    text: message.content,
    attachments: [...message.attachments.values()].map((a) => toAttachment({ id: a.id, name: a.name, size: a.size, contentType: a.contentType, url: a.url }, fetchFn)),
    link: message.url,
  };
}

interface ChannelLike {
  id: string;
  isThread(): boolean;
}

/** Threads are channels in Discord: report the parent as the channel and the thread's own id as thread. */
export function describeChannel(ch: ChannelLike | null, fallbackId: string): { channel: string; thread: string | null; channelName: string | null } {
  if (!ch) return { channel: fallbackId, thread: null, channelName: null };
  const named = (c: unknown): string | null => {
    const name = c && typeof c === 'object' && 'name' in c ? (c as { name: unknown }).name : null;
    return typeof name === 'string' && name !== '' ? `#${name}` : null;
  };
  if (ch.isThread()) {
    const t = ch as ChannelLike & { parentId?: string | null; parent?: unknown };
    return { channel: t.parentId ?? ch.id, thread: ch.id, channelName: named(t.parent) };
  }
  return { channel: ch.id, thread: null, channelName: named(ch) };
}
