// Test harness for the Slack adapter: the real Bolt HTTP receiver behind a loopback server, requests
// signed exactly as Slack signs them, and the Web API mocked with nock 14 at a fake base URL.
// Nothing here touches the internet: nock refuses every host but 127.0.0.1.

import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import type { MountHandler } from '../../bot/http/create-http-server.ts';
import { silentLogger } from '../../bot/log.ts';
import type { BotCore } from '../../bot/ports.ts';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterOptions } from '../../adapters/slack/index.ts';

export const SIGNING_SECRET = 'test-signing-secret-8f3a';
export const BOT_TOKEN = 'xoxb-1111-2222-test';
export const API_BASE = 'http://slack.test';
export const FILES_BASE = 'http://files.slack.test';
export const HOOKS_BASE = 'http://hooks.slack.test';
export const TEAM = 'T0LOCK';
export const BOT_USER = 'U0BOT';
export const BOT_ID = 'B0BOT';

export function isolateNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}

/** `X-Slack-Signature` as Slack computes it: v0= HMAC-SHA256(secret, "v0:{ts}:{raw body}"). */
export function slackHeaders(body: string, opts: { ts?: number; secret?: string; contentType?: string } = {}): Record<string, string> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': opts.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

export function eventBody(event: Record<string, unknown>, eventId = `Ev${Math.random().toString(36).slice(2, 10).toUpperCase()}`): string {
  return JSON.stringify({
    token: 'legacy-verification-token-unused',
    team_id: TEAM,
    api_app_id: 'A0LOCK',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1763900000,
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

/** Slack escapes &, <, > in message text. */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A body the Web API received: form-encoded or JSON, with JSON-valued fields (blocks, view) decoded. */
export function decodeBody(body: unknown): Record<string, unknown> {
  const raw: Record<string, unknown> = typeof body === 'string'
    ? (body.trimStart().startsWith('{') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body)))
    : { ...(body as Record<string, unknown>) };
  for (const k of ['blocks', 'view', 'files']) {
    if (typeof raw[k] === 'string') raw[k] = JSON.parse(raw[k] as string);
  }
  return raw;
}

export interface Calls {
  [method: string]: Array<Record<string, unknown>>;
}

/** conversations.info answers: channel id → its name, or the Slack error to answer with. */
export type ChannelTable = Record<string, string | { error: string }>;

/** Mock auth.test (called once at start) and conversations.info (channel names, from `channels`,
 *  channel_not_found for the rest), and record every Web API call by method. */
export function mockSlackApi(): { calls: Calls; unexpected: string[]; api: nock.Scope; channels: ChannelTable } {
  const calls: Calls = {};
  const unexpected: string[] = [];
  nock.emitter.on('no match', (req: { method?: string; path?: string; host?: string; hostname?: string }) => {
    const host = req.hostname ?? req.host ?? '';
    // Loopback requests (to our own receiver) pass through nock as allowed connections.
    if (!host.startsWith('127.0.0.1')) unexpected.push(`${req.method ?? '?'} ${host}${req.path ?? ''}`);
  });
  const api = nock(API_BASE).post('/api/auth.test').reply(200, { ok: true, url: 'https://lockdown-test.slack.com/', team: 'lockdown', user: 'lockdown', team_id: TEAM, user_id: BOT_USER, bot_id: BOT_ID });
  const channels: ChannelTable = { C0STORAGE: 'storage' };
  nock(API_BASE).persist().post('/api/conversations.info', (b: unknown) => {
    (calls['conversations.info'] ??= []).push(decodeBody(b));
    return true;
  }).reply((_uri: string, b: unknown) => {
    const id = String(decodeBody(b).channel ?? '');
    const c = channels[id];
    return typeof c === 'string' ? [200, { ok: true, channel: { id, name: c, is_channel: true } }] : [200, { ok: false, error: c?.error ?? 'channel_not_found' }];
  });
  return { calls, unexpected, api, channels };
}

/** Intercept one call of `method`, recording its decoded body. */
export function expectCall(calls: Calls, method: string, reply: Record<string, unknown> | ((n: number) => [number, Record<string, unknown>, Record<string, string>?]) = { ok: true }, times = 1): nock.Scope {
  return nock(API_BASE)
    .post(`/api/${method}`, (body: unknown) => {
      (calls[method] ??= []).push(decodeBody(body));
      return true;
    })
    .times(times)
    .reply((_uri: string) => {
      if (typeof reply === 'function') return reply((calls[method] ?? []).length);
      return [200, reply];
    });
}

export interface Running {
  adapter: SlackAdapter;
  url: string;
  send(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }>;
  sendSigned(body: string, extra?: Record<string, string>, contentType?: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/** The adapter mounted on a loopback server that routes by prefix like lockdown's HTTP server. */
export async function startSlack(core: BotCore, opts: Partial<SlackAdapterOptions> = {}): Promise<Running> {
  const mounts: Array<{ prefix: string; handler: MountHandler }> = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      for (const m of mounts) {
        if (!(req.url ?? '').startsWith(m.prefix)) continue;
        const r = await m.handler(req, res);
        if (r !== false || res.headersSent) return;
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const adapter = createSlackAdapter({
    core,
    logger: silentLogger(),
    config: { slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: `${API_BASE}/api/` } },
    mount: (prefix, handler) => mounts.push({ prefix, handler }),
    retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    ...opts,
  });
  await adapter.start();
  const send = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(`${url}/slack/events`, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text() };
  };
  return {
    adapter,
    url,
    send,
    sendSigned: (body, extra = {}, contentType) => send(body, { ...slackHeaders(body, contentType ? { contentType } : {}), ...extra }),
    async close() {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
