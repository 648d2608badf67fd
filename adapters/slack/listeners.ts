// Bolt listeners: each one acks first (where Slack expects an ack), translates the payload for the
// core, and turns the core's answer into Web API calls. No decisions about traces or incidents here.

import type { AllMiddlewareArgs, App } from '@slack/bolt';
import type { Logger } from '../../bot/log.ts';
import type { BotCore, PlatformPort, PostedRef } from '../../bot/ports.ts';
import type { Reply } from '../../bot/types.ts';
import { SLACK_LIMITS, toSlackBlocks } from './blocks.ts';
import type { ChannelNames } from './channel-names.ts';
import { slackFileAttachment, type SlackFileDeps } from './slack-file.ts';
import { errCode } from './slack-port.ts';
import {
  skipReason, toAction, toCommand, toPlatformMessage,
  type SlackBlockActionBody, type SlackEnvelope, type SlackMessageEvent, type SlackSlashCommand,
} from './translate.ts';

export interface ListenerDeps {
  core: BotCore;
  port: PlatformPort;
  logger: Logger;
  fileDeps: SlackFileDeps;
  /** The slash command name in the manifest ("/lockdown"). */
  command: string;
  /** Channel id → "#name" (conversations.info, cached); the core asks only for pastes. */
  channelNames?: ChannelNames;
}

export function registerSlackListeners(app: App, deps: ListenerDeps): void {
  const { core, port, logger, fileDeps } = deps;

  app.error(async (err) => {
    logger.error({ src: 'slack', code: errCode(err) }, 'slack listener failed');
  });

  const onMessage = async ({ event, body, context }: { event: unknown; body: unknown } & AllMiddlewareArgs) => {
    const ev = event as SlackMessageEvent;
    const skip = skipReason(ev, context.botUserId, context.botId);
    if (skip) {
      logger.debug({ src: 'slack', skip, subtype: ev.subtype ?? null }, 'slack message skipped');
      return;
    }
    const attachments = (ev.files ?? []).filter((f) => f && f.id).map((f) => slackFileAttachment(f, fileDeps));
    const msg = toPlatformMessage(body as SlackEnvelope, ev, attachments, context.teamId);
    const names = deps.channelNames;
    if (names && msg.channelName === null) msg.resolveChannelName = () => names.lookup(msg.channel, ev.channel_type);
    const outcome = await core.handleMessage(msg);
    logger.debug({ src: 'slack', eventId: msg.eventId, outcome: outcome.kind, retry: context.retryNum ?? 0 }, 'slack message handled');
  };
  app.event('message', onMessage);
  app.event('app_mention', onMessage);

  app.command(deps.command, async ({ ack, command, respond, client }) => {
    // Slack gives 3 s; nothing may run before the ack.
    await ack();
    const reply = await core.handleCommand(toCommand(command as SlackSlashCommand));
    const payload = toSlackBlocks(reply, { overflow: 'none' });
    try {
      await respond({ response_type: reply.ephemeral ? 'ephemeral' : 'in_channel', text: payload.text, blocks: payload.blocks as never });
    } catch (e) {
      // response_url is good for 5 uses in 30 minutes; past that, a channel answer still gets through.
      logger.warn({ src: 'slack', code: errCode(e) }, 'slack respond() failed');
      if (!reply.ephemeral) await client.chat.postMessage({ channel: command.channel_id, text: payload.text, blocks: payload.blocks as never });
    }
  });

  app.action(/^lockdown_(ack|resolve|reopen|mute)$/, async ({ ack, body, action, respond, client }) => {
    await ack();
    const b = body as SlackBlockActionBody;
    const a = toAction(b, action as { action_id: string; value?: string; action_ts?: string });
    if (!a) return;
    const outcome = await core.handleAction(a);
    const container = b.container ?? {};
    const user = b.user?.id ?? '';
    if (container.type === 'view') {
      await publishHome(user, a.workspace);
      return;
    }
    const channel = container.channel_id ?? b.channel?.id ?? '';
    const thread = container.thread_ts ?? b.message?.thread_ts ?? null;
    try {
      if (container.is_ephemeral) {
        const payload = toSlackBlocks(outcome.reply, { overflow: 'none' });
        await respond({ replace_original: true, text: payload.text, blocks: payload.blocks as never });
      } else if (a.message) {
        // The one update of the pressed message: the core left it out of its own refresh.
        const ref: PostedRef = { platform: 'slack', channel: a.message.channel, thread, messageId: a.message.messageId };
        await port.update(ref, outcome.reply);
      }
    } catch (e) {
      // The status did change; the presser still hears about it below.
      logger.warn({ src: 'slack', code: errCode(e), incident: a.incidentId }, 'slack: updating the message after a button failed');
    }
    if (outcome.notice && channel && user) {
      await client.chat.postEphemeral({ channel, user, text: outcome.notice, ...(thread ? { thread_ts: thread } : {}) });
    }
  });

  app.event('app_home_opened', async ({ event, body, context }) => {
    const ev = event as { user: string; tab?: string };
    if (ev.tab && ev.tab !== 'home') return;
    await publishHome(ev.user, (body as SlackEnvelope).team_id ?? context.teamId ?? 'unknown');
  });

  async function publishHome(user: string, workspace: string): Promise<void> {
    const reply: Reply = await core.home(workspace);
    const payload = toSlackBlocks(reply, { maxBlocks: SLACK_LIMITS.homeBlocks, overflow: 'none' });
    await app.client.views.publish({ user_id: user, view: { type: 'home', blocks: payload.blocks as never } });
  }
}
