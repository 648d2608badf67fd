// The Slack adapter on Bolt 5: HTTP receiver mounted on lockdown's own HTTP server at
// POST /slack/events (same port as the API), or Socket Mode when an app-level token (xapp-) is set.
// It only translates (translate.ts, blocks.ts); the core decides what is a trace and what to answer.
// Signature verification stays on: Bolt rejects unsigned, tampered and > 5 min old requests with 401;
// requests dated > 5 min in the future are refused here (Slack's rule is |now - timestamp| <= 5 min).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { BotCore, PlatformPort } from '../../bot/ports.ts';
import type { Logger } from '../../bot/log.ts';
import type { MountHandler } from '../../bot/http/create-http-server.ts';
import { LockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import { boltLogger } from './bolt-logger.ts';
import { createChannelNames } from './channel-names.ts';
import { registerSlackListeners } from './listeners.ts';
import type { SlackFileObject } from './slack-file.ts';
import { createSlackPort, errCode } from './slack-port.ts';

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
  /** The port of the adapter's own HTTP server (started without `mount`), else null. */
  ownPort(): number | null;
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

  // Channel names for "last in #storage": a client of its own that does not retry or wait out a 429
  // (a name is nice to have; the reply must not wait a minute for it).
  const lookupClient = new webApi.WebClient(botToken, { ...clientOptions, logger: blog, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 5000 });
  const channelNames = createChannelNames({
    info: async (channel) => (await lookupClient.conversations.info({ channel })).channel,
    logger,
    clock,
  });

  registerSlackListeners(app, { core, port, logger, fileDeps, command: opts.command ?? '/lockdown', channelNames });

  let stopped = false;
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

  let started = false;
  let own: Server | null = null;
  const idle = async (): Promise<void> => {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  };

  return {
    mode,
    port,
    async start() {
      if (started) return;
      try {
        await app.init();
      } catch (e) {
        throw new LockdownError('LD_PLATFORM', `slack auth.test failed: ${errCode(e)}`, { userMessage: 'Slack refused the bot token.', cause: e });
      }
      core.registerPort(port);
      stopped = false;
      if (socket) {
        await app.start();
      } else if (opts.mount) {
        // Public: Slack cannot send our API token; its requests carry their own signature instead.
        opts.mount(SLACK_EVENTS_PATH, handler, { public: true });
      } else {
        // No lockdown HTTP server to share: serve the same handler on a server of our own.
        own = await listen(handler, opts.config.server?.port ?? 3000, opts.config.server?.host ?? '127.0.0.1');
      }
      started = true;
      logger.info({ src: 'slack', mode, mounted: !!opts.mount && !!receiver }, 'slack adapter started');
    },
    async stop() {
      stopped = true;
      await idle();
      if (socket && started) {
        // Bolt's SocketModeReceiver.stop() does not wait for the WebSocket close handshake; wait for it
        // (bounded), or @slack/socket-mode keeps a 30 s close timer alive after we return.
        await Promise.race([socket.client.disconnect(), delay(2000)]);
      }
      if (own) {
        const server = own;
        own = null;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      started = false;
    },
    idle,
    ownPort() {
      const a = own?.address();
      return a && typeof a === 'object' ? a.port : null;
    },
  };
}

function listen(handler: MountHandler, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).then((r) => {
      if (r === false && !res.headersSent) res.writeHead(404).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
