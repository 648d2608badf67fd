// The Slack adapter on Bolt 5: HTTP receiver mounted on lockdown's own HTTP server at
// POST /slack/events (same port as the API), or Socket Mode when an app-level token (xapp-) is set.
// It only translates (translate.ts, blocks.ts); the core decides what is a trace and what to answer.
// Signature verification stays on: Bolt rejects unsigned, tampered and > 5 min old requests with 401.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type AllMiddlewareArgs } from '@slack/bolt';
import type { BotCore, PlatformPort, PostedRef } from '../../bot/ports.ts';
import type { Logger } from '../../bot/log.ts';
import type { MountHandler } from '../../bot/http/create-http-server.ts';
import type { Reply } from '../../bot/types.ts';
import { LockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import { SLACK_LIMITS, toSlackBlocks } from './blocks.ts';
import { boltLogger } from './bolt-logger.ts';
import { slackFileAttachment, type SlackFileObject } from './slack-file.ts';
import { createSlackPort, errCode } from './slack-port.ts';
import {
  skipReason, toAction, toCommand, toPlatformMessage,
  type SlackBlockActionBody, type SlackEnvelope, type SlackMessageEvent, type SlackSlashCommand,
} from './translate.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAdapterOptions {
  core: BotCore;
  config: { slack: Config['slack']; server?: { port: number; host: string } };
  logger: Logger;
  /** Mount on lockdown's HTTP server; without it the receiver listens on its own (server.port). */
  mount?: (prefix: string, handler: MountHandler, opts?: { public?: boolean }) => void;
  /** HTTP client for file downloads and respond() (tests and proxies); default the global fetch. */
  fetch?: typeof fetch;
  /** WebClient retry policy (p-retry options). 429s wait Retry-After and count as one retry. */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number; randomize?: boolean };
  /** The slash command name in the manifest. */
  command?: string;
  /** Milliseconds since the epoch (tests move it). */
  clock?: () => number;
}

export interface SlackAdapter {
  readonly mode: 'http' | 'socket';
  readonly port: PlatformPort;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every event received so far has been fully handled (tests, graceful stop). */
  idle(): Promise<void>;
}

const MAX_SKEW_SECONDS = 5 * 60;

/** About a minute of retries, then the core's outbox takes over (it retries for much longer). */
const DEFAULT_RETRY = { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 30_000, randomize: true };

export function createSlackAdapter(opts: SlackAdapterOptions): SlackAdapter {
  const { core, logger } = opts;
  const { botToken, signingSecret, appToken, apiUrl } = opts.config.slack;
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const clock = opts.clock ?? Date.now;
  const mode: 'http' | 'socket' = appToken ? 'socket' : 'http';
  if (!botToken) throw new LockdownError('LD_CONFIG_INVALID', 'Slack needs SLACK_BOT_TOKEN (slack.botToken).');
  if (mode === 'http' && !signingSecret) {
    throw new LockdownError('LD_CONFIG_INVALID', 'Slack over HTTP needs SLACK_SIGNING_SECRET (slack.signingSecret); or set SLACK_APP_TOKEN for Socket Mode.');
  }

  const clientOptions = {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: opts.retryConfig ?? DEFAULT_RETRY,
    rejectRateLimitedCalls: false,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const blog = boltLogger(logger);
  const receiver = mode === 'http'
    ? new HTTPReceiver({ signingSecret: signingSecret!, endpoints: SLACK_EVENTS_PATH, logger: blog, processBeforeResponse: false })
    : null;
  // Built here rather than by App({ socketMode: true }) so that apps.connections.open also goes to the
  // configured API URL: Bolt hands the socket client only installerOptions.clientOptions.
  const socket = mode === 'socket'
    ? new SocketModeReceiver({ appToken: appToken!, logger: blog, installerOptions: { clientOptions } })
    : null;
  const app = new App({
    token: botToken,
    logger: blog,
    clientOptions,
    // auth.test (the bot's own ids, for ignoreSelf) runs in start(), not in the constructor.
    deferInitialization: true,
    receiver: (receiver ?? socket)!,
  });

  // Every delivery is tracked from the moment the receiver hands it to Bolt (before the ack, so before
  // Slack gets its 200) until the listeners finish: idle() and stop() wait for real work, no sleeps.
  const inflight = new Set<Promise<unknown>>();
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) => {
    const p = processEvent(event);
    inflight.add(p);
    void p.then(() => inflight.delete(p), () => inflight.delete(p));
    return p;
  };

  const port = createSlackPort({ client: app.client, logger });
  const fileDeps = {
    botToken,
    fetch: fetchFn,
    filesInfo: async (file: string) => (await app.client.files.info({ file })).file as SlackFileObject | null,
  };

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
    const outcome = await core.handleMessage(msg);
    logger.debug({ src: 'slack', eventId: msg.eventId, outcome: outcome.kind, retry: context.retryNum ?? 0 }, 'slack message handled');
  };
  app.event('message', onMessage);
  app.event('app_mention', onMessage);

  app.command(opts.command ?? '/lockdown', async ({ ack, command, respond, client }) => {
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
    const ts = container.message_ts ?? b.message?.ts ?? '';
    const thread = container.thread_ts ?? b.message?.thread_ts ?? null;
    try {
      if (container.is_ephemeral) {
        const payload = toSlackBlocks(outcome.reply, { overflow: 'none' });
        await respond({ replace_original: true, text: payload.text, blocks: payload.blocks as never });
      } else if (channel && ts) {
        const ref: PostedRef = { platform: 'slack', channel, thread, messageId: ts };
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

  let stopped = false;
  let ownServer = false;
  const handler: MountHandler = (req: IncomingMessage, res: ServerResponse) => {
    if (stopped || !receiver) return false;
    // Slack: reject when |now - X-Slack-Request-Timestamp| > 5 min. Bolt checks only the past side.
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(ts) && ts - clock() / 1000 > MAX_SKEW_SECONDS) {
      req.resume();
      res.writeHead(401).end();
      return undefined;
    }
    try {
      receiver.requestListener(req, res);
    } catch {
      // Bolt throws HTTPReceiverDeferredRequestError for anything but POST to its endpoint.
      return false;
    }
    return undefined;
  };

  return {
    mode,
    port,
    async start() {
      try {
        await app.init();
      } catch (e) {
        throw new LockdownError('LD_PLATFORM', `slack auth.test failed: ${errCode(e)}`, { userMessage: 'Slack refused the bot token.', cause: e });
      }
      core.registerPort(port);
      if (!receiver) {
        await app.start();
      } else if (opts.mount) {
        // Public: Slack cannot send our API token; its requests carry their own signature instead.
        opts.mount(SLACK_EVENTS_PATH, handler, { public: true });
      } else {
        await receiver.start(opts.config.server?.port ?? 3000);
        ownServer = true;
      }
      stopped = false;
      logger.info({ src: 'slack', mode, mounted: !!opts.mount && !!receiver }, 'slack adapter started');
    },
    async stop() {
      stopped = true;
      await this.idle();
      if (socket) {
        // Bolt's SocketModeReceiver.stop() does not wait for the WebSocket close handshake; wait for it
        // (bounded), or @slack/socket-mode keeps a 30 s close timer alive after we return.
        await Promise.race([socket.client.disconnect(), delay(2000)]);
      } else if (ownServer) {
        await app.stop();
      }
      ownServer = false;
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
