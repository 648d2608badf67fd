// ONE node:http server for everything: /healthz, /metrics, the JSON API, and handlers other parts
// mount (Slack's Bolt receiver at /slack/events, the local page at /). Beyond loopback every route
// but /healthz needs `Authorization: Bearer <server.apiToken>`, except mounts declared public because
// they authenticate themselves (Slack's request signature).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { asLockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import type { FullBotCore } from '../core.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from './metrics.ts';
import { createApiRoutes, sendError, sendJson } from './api-routes.ts';
import { hasOwnOrigin } from './own-origin.ts';

/** A mounted handler; returning `false` means "not mine" (the server answers 404). */
export type MountHandler = (req: IncomingMessage, res: ServerResponse) => void | boolean | Promise<void | boolean>;

export interface HttpServerDeps {
  config: Config;
  core: FullBotCore;
  logger: Logger;
  metrics?: Metrics;
}

export interface LockdownHttpServer {
  server: Server;
  mount(prefix: string, handler: MountHandler, opts?: { public?: boolean }): void;
  /** Listens on config server.host/port (override for tests: port 0 = ephemeral). */
  listen(opts?: { port?: number; host?: string }): Promise<{ host: string; port: number; url: string }>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = header ? /^Bearer\s+(\S{1,512})$/i.exec(header) : null;
  if (!m) return false;
  // Compare digests: constant time whatever the lengths.
  const a = createHash('sha256').update(m[1]!).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function routeLabel(path: string): string {
  if (path.startsWith('/api/incidents/')) return '/api/incidents/:id';
  if (path === '/healthz' || path === '/metrics' || path === '/api/analyses' || path === '/api/incidents') return path;
  return 'other';
}

export function createHttpServer(deps: HttpServerDeps): LockdownHttpServer {
  const { config, core, logger } = deps;
  const metrics = deps.metrics ?? core.metrics;
  const mounts: Array<{ prefix: string; handler: MountHandler; public: boolean }> = [];
  const api = createApiRoutes(core);
  const needToken = !isLoopback(config.server.host);
  const startedAt = Date.now();

  function authorised(req: IncomingMessage): boolean {
    if (!needToken) return true;
    const token = config.server.apiToken;
    return token !== null && tokenMatches(req.headers.authorization, token);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), store: core.context.store.kind });
      return;
    }
    const mount = mounts.find((m) => path === m.prefix || path.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`) || m.prefix === '/');
    const isPublicMount = mount?.public && !(path === '/metrics' || path.startsWith('/api/'));
    if (!isPublicMount && !authorised(req)) {
      res.setHeader('www-authenticate', 'Bearer');
      sendJson(res, 401, { error: { code: 'LD_FORBIDDEN', message: 'Send Authorization: Bearer <server.apiToken>.' } });
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      const body = metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
      return;
    }
    if (path.startsWith('/api/') && req.method !== 'GET' && req.method !== 'HEAD' && !hasOwnOrigin(req, { publicUrl: config.server.publicUrl, loopback: !needToken })) {
      // Another web site driving the engineer's browser: refuse before reading the body.
      logger.warn({ path, origin: String(req.headers.origin).slice(0, 100) }, 'cross-site API request refused');
      req.resume();
      sendJson(res, 403, { error: { code: 'LD_FORBIDDEN', message: 'Cross-site request refused: the Origin is not this server.' } });
      return;
    }
    if (path.startsWith('/api/') && (await api(req, res, url))) return;
    for (const m of mounts) {
      const hit = m.prefix === '/' || path === m.prefix || path.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`);
      if (!hit) continue;
      const r = await m.handler(req, res);
      if (r !== false || res.headersSent) return;
    }
    sendJson(res, 404, { error: { code: 'LD_NOT_FOUND', message: `No route for ${req.method} ${path}.` } });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    res.on('finish', () => metrics.inc('lockdown_http_requests_total', { route: routeLabel(path), status: String(res.statusCode) }));
    handle(req, res).catch((err: unknown) => {
      const e = asLockdownError(err);
      if (e.code === 'LD_INTERNAL' || e.code === 'LD_STORE') logger.error({ path, code: e.code, err: e.message }, 'http request failed');
      else logger.warn({ path, code: e.code }, 'http request refused');
      metrics.inc('lockdown_errors_total', { code: e.code });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Unread request bytes (an oversized body) are drained so the client gets to read the answer.
      req.resume();
      res.setHeader('connection', 'close');
      sendError(res, e);
    });
  });

  return {
    server,
    mount(prefix, handler, opts = {}) {
      mounts.push({ prefix, handler, public: opts.public ?? false });
      // Longest prefix first, "/" last, so /slack/events wins over the page at "/".
      mounts.sort((a, b) => (a.prefix === '/' ? 1 : 0) - (b.prefix === '/' ? 1 : 0) || b.prefix.length - a.prefix.length);
    },
    listen(opts = {}) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? config.server.port, opts.host ?? config.server.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve({ host: a.address, port: a.port, url: `http://${host}:${a.port}/` });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
