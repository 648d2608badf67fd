// The part of Discord's REST API lockdown uses, as a recorder with canned answers. Mounted either on
// nock 14 (intercepting the fetch that discord.js's REST uses via `makeRequest: fetch`) or on a real
// loopback HTTP server (the end-to-end test with no Discord at all). Every call is kept with its
// decoded JSON body (multipart uploads: the payload_json part plus the file parts).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { APP_ID, CHANNEL_ID, postedMessage, threadChannel } from './gateway-payloads.ts';

export interface RestCall {
  method: string;
  /** Path after /api/v10, without the query. */
  path: string;
  query: string;
  body: any;
  files: Array<{ name: string; data: string }>;
  auth: string | null;
  /** What the fake answered. */
  status?: number;
  response?: any;
}

export class FakeDiscordRest {
  readonly calls: RestCall[] = [];
  gatewayUrl = '';
  /** Make the next thread creation fail the way Discord does when the thread already exists. */
  threadExists = false;
  /** Channels where posting is refused (403 Missing Permissions), as when the bot lacks Send Messages. */
  readonly refusedChannels = new Set<string>();
  /** Ids that are not channels (a message id used as a thread that was never created). */
  readonly unknownChannels = new Set<string>();
  /** Channels where starting a thread is refused (403 Missing Permissions) but posting works. */
  readonly noThreadChannels = new Set<string>();
  /** Files served at their path outside /api (the CDN of attachments such as message.txt). */
  readonly cdn = new Map<string, string>();
  private id = 1_200_000_000_000_000_000n;
  private waiters: Array<{ test: (c: RestCall) => boolean; resolve: (c: RestCall) => void }> = [];
  private server: Server | null = null;

  handle(method: string, url: string, headers: Record<string, string | string[] | undefined>, raw: string): { status: number; body: unknown } {
    const u = new URL(url, 'http://x');
    const path = decodeURIComponent(u.pathname).replace(/^\/api\/v10/, '');
    const { body, files } = decodeBody(String(headers['content-type'] ?? ''), raw);
    const auth = headers.authorization;
    const call: RestCall = { method, path, query: u.search, body, files, auth: typeof auth === 'string' ? auth : null };
    this.calls.push(call);
    const answer = this.answer(call);
    call.status = answer.status;
    call.response = answer.body;
    this.waiters = this.waiters.filter((w) => (w.test(call) ? (w.resolve(call), false) : true));
    return answer;
  }

  private nextId(): string {
    this.id += 1n;
    return String(this.id);
  }

  private answer(c: RestCall): { status: number; body: unknown } {
    let m: RegExpExecArray | null;
    if (c.method === 'GET' && this.cdn.has(c.path)) return { status: 200, body: this.cdn.get(c.path) };
    if (c.method === 'GET' && c.path === '/gateway/bot') {
      return { status: 200, body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if (c.method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(c.path)) {
      return { status: 200, body: (c.body as Array<Record<string, unknown>>).map((cmd) => ({ ...cmd, id: '1067890123456789012', application_id: APP_ID, version: '1' })) };
    }
    if (c.method === 'POST' && (m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(c.path))) {
      if (this.noThreadChannels.has(m[1])) return { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
      if (this.threadExists) return { status: 400, body: { code: 160004, message: 'A thread has already been created for this message' } };
      // Discord gives a thread started on a message the message's id.
      return { status: 201, body: threadChannel(m[2], m[1], c.body.name) };
    }
    if ((m = /^\/channels\/(\d+)\//.exec(c.path)) && this.unknownChannels.has(m[1])) {
      return { status: 404, body: { code: 10003, message: 'Unknown Channel' } };
    }
    if ((m = /^\/channels\/(\d+)\//.exec(c.path)) && this.refusedChannels.has(m[1])) {
      return { status: 403, body: { code: 50013, message: 'Missing Permissions' } };
    }
    if (c.method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(c.path))) {
      return { status: 200, body: postedMessage(this.nextId(), m[1], c.body) };
    }
    if (c.method === 'PATCH' && (m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(c.path))) {
      return { status: 200, body: postedMessage(m[2], m[1], c.body) };
    }
    if (c.method === 'PUT' && /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/.test(c.path)) {
      return { status: 204, body: null };
    }
    if (c.method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(c.path)) {
      return { status: 204, body: null };
    }
    if ((m = /^\/webhooks\/\d+\/[^/]+\/messages\/(@original|\d+)$/.exec(c.path))) {
      if (c.method === 'DELETE') return { status: 204, body: null };
      return { status: 200, body: postedMessage(m[1] === '@original' ? this.nextId() : m[1], CHANNEL_FOR_WEBHOOK, c.body) };
    }
    if (c.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(c.path)) {
      return { status: 200, body: postedMessage(this.nextId(), CHANNEL_FOR_WEBHOOK, c.body) };
    }
    return { status: 404, body: { code: 0, message: `fake discord: no route ${c.method} ${c.path}` } };
  }

  /** Resolves with the first call (already made or future) that matches. */
  waitFor(test: (c: RestCall) => boolean): Promise<RestCall> {
    const seen = this.calls.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  find(method: string, path: RegExp): RestCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Intercepts `base` (e.g. http://discord.test) with nock; returns the scope to clean up. */
  mountNock(base: string): nock.Scope {
    const self = this;
    const scope = nock(base).persist();
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      scope[method](/.*/).reply(function (uri, requestBody) {
        const raw = typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody ?? '');
        const r = self.handle(method.toUpperCase(), uri, this.req.headers as Record<string, string>, raw);
        return r.body === null ? [r.status] : [r.status, r.body as nock.Body, { 'content-type': 'application/json' }];
      });
    }
    return scope;
  }

  /** A loopback HTTP server; returns the REST base for `rest.api` (http://127.0.0.1:PORT/api). */
  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'));
        if (r.body === null) { res.writeHead(r.status).end(); return; }
        if (typeof r.body === 'string') { res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8' }).end(r.body); return; }
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** Interaction webhooks do not say the channel; our fixtures all happen in the one text channel. */
const CHANNEL_FOR_WEBHOOK = CHANNEL_ID;

function decodeBody(contentType: string, raw: string): { body: any; files: Array<{ name: string; data: string }> } {
  if (raw === '') return { body: null, files: [] };
  const b = /boundary=("?)([^";]+)\1/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !b) {
    try {
      return { body: JSON.parse(raw), files: [] };
    } catch {
      return { body: raw, files: [] };
    }
  }
  let body: any = null;
  const files: Array<{ name: string; data: string }> = [];
  for (const part of raw.split(`--${b[2]}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const data = part.slice(sep + 4).replace(/\r\n$/, '');
    const field = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]+)"/.exec(head)?.[1];
    if (field === 'payload_json') body = JSON.parse(data);
    else if (filename) files.push({ name: filename, data });
  }
  return { body, files };
}
