// Slack payloads → the core's PlatformMessage / Command / Action. Pure translation: which messages
// are traces is the core's decision; here we only drop what is not a user's new message.

import type { Action, ActionId, Attachment, Command, PlatformMessage } from '../../bot/types.ts';
import { unescapeSlackText } from './mrkdwn.ts';
import type { SlackFileObject } from './slack-file.ts';

/** Message subtypes that are a person's new message (plain, with files, or sent to the channel too). */
const USER_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

export interface SlackMessageEvent {
  type: string; // 'message' | 'app_mention'
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  bot_profile?: unknown;
  app_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  client_msg_id?: string;
  team?: string;
  hidden?: boolean;
  files?: SlackFileObject[];
}

export interface SlackEnvelope {
  team_id?: string;
  event_id?: string;
  authorizations?: Array<{ team_id?: string | null }>;
}

export type SkipReason = 'subtype' | 'bot' | 'self' | 'incomplete';

/** Why a message event is not passed to the core, or null when it is a user's message. */
export function skipReason(ev: SlackMessageEvent, botUserId: string | undefined, botId: string | undefined): SkipReason | null {
  // message_changed, message_deleted, channel_join, bot_message… are not new pastes.
  if (!USER_SUBTYPES.has(ev.subtype) || ev.hidden) return 'subtype';
  if ((botId && ev.bot_id === botId) || (botUserId && ev.user === botUserId)) return 'self';
  if (ev.bot_id || ev.bot_profile) return 'bot';
  if (!ev.channel || !ev.ts || !ev.user) return 'incomplete';
  return null;
}

/** The idempotency key of a Slack message. Retries (X-Slack-Retry-Num) and Socket Mode re-deliveries
 *  repeat the envelope's event_id, but one message also arrives twice with two different event_ids
 *  when it mentions the bot (`message.channels` and `app_mention`); channel + ts names the message
 *  itself (ts is unique per channel), so every delivery of it maps to the same key. */
export function messageEventId(workspace: string, ev: SlackMessageEvent): string {
  return `slack:${workspace}:${ev.channel}:${ev.ts}`;
}

export function workspaceOf(body: SlackEnvelope, ev: SlackMessageEvent, fallback: string | undefined): string {
  return body.team_id ?? ev.team ?? body.authorizations?.[0]?.team_id ?? fallback ?? 'unknown';
}

export function toPlatformMessage(body: SlackEnvelope, ev: SlackMessageEvent, attachments: Attachment[], teamFallback?: string): PlatformMessage {
  const workspace = workspaceOf(body, ev, teamFallback);
  return {
    platform: 'slack',
    workspace,
    channel: ev.channel ?? '',
    channelName: null,
    thread: ev.thread_ts ?? null,
    messageId: ev.ts ?? '',
    eventId: messageEventId(workspace, ev),
    author: ev.user ?? '',
    authorName: null,
    text: unescapeSlackText(ev.text ?? ''),
    attachments,
    link: null,
  };
}

export interface SlackSlashCommand {
  team_id: string;
  channel_id: string;
  channel_name?: string;
  user_id: string;
  user_name?: string;
  text?: string;
  trigger_id?: string;
  command?: string;
}

export function toCommand(cmd: SlackSlashCommand): Command {
  return {
    platform: 'slack',
    workspace: cmd.team_id,
    channel: cmd.channel_id,
    channelName: cmd.channel_name && !cmd.channel_name.startsWith('directmessage') && cmd.channel_name !== 'privategroup' ? `#${cmd.channel_name}` : null,
    thread: null, // slash command payloads carry no thread
    author: cmd.user_id,
    authorName: cmd.user_name ?? null,
    text: unescapeSlackText(cmd.text ?? '').trim(),
    // trigger_id is unique per invocation; Slack does not retry slash commands.
    eventId: `slack-cmd:${cmd.trigger_id ?? `${cmd.team_id}:${cmd.channel_id}:${cmd.user_id}:${cmd.text ?? ''}`}`,
    attachments: [],
  };
}

export interface SlackBlockActionBody {
  team?: { id?: string } | null;
  user?: { id?: string; name?: string; username?: string };
  channel?: { id?: string };
  container?: { type?: string; message_ts?: string; channel_id?: string; is_ephemeral?: boolean; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
  trigger_id?: string;
}

const ACTION_RE = /^lockdown_(ack|resolve|reopen|mute)$/;

export function parseActionId(actionId: string): ActionId | null {
  const m = ACTION_RE.exec(actionId);
  return m ? (m[1] as ActionId) : null;
}

export function toAction(body: SlackBlockActionBody, action: { action_id: string; value?: string; action_ts?: string }): Action | null {
  const id = parseActionId(action.action_id);
  if (!id || !action.value) return null;
  const c = body.container ?? {};
  const channel = c.channel_id ?? body.channel?.id ?? '';
  const ts = c.message_ts ?? body.message?.ts ?? '';
  // A button on a channel message: the listener updates that message itself (chat.update), so the
  // core's refresh skips it. App Home views and ephemeral messages are not channel messages.
  const message = c.type !== 'view' && !c.is_ephemeral && channel && ts ? { channel, messageId: ts } : null;
  return {
    platform: 'slack',
    workspace: body.team?.id ?? 'unknown',
    channel: body.channel?.id ?? body.container?.channel_id ?? '',
    author: body.user?.id ?? '',
    authorName: body.user?.username ?? body.user?.name ?? null,
    action: id,
    incidentId: action.value,
    eventId: `slack-action:${body.trigger_id ?? action.action_ts ?? `${action.value}:${id}`}`,
    message,
  };
}
