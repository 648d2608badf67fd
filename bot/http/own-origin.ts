// Is a browser request's Origin this server's own? Any web page the engineer has open can make their
// browser POST to http://127.0.0.1:3000 (a text/plain or form body needs no CORS preflight), so
// state-changing routes refuse a foreign Origin. Requests without Origin (curl, scripts, the CLI) are
// not browser cross-site requests and pass.
//
// The Host header is not trusted on a loopback server: with DNS rebinding a hostile name resolves to
// 127.0.0.1 and the browser sends `Origin: http://evil.example:3000` with a matching Host. So on
// loopback only the loopback names on the port the request arrived on (and publicUrl) count. A server
// bound beyond loopback requires the bearer token on every API route, which a cross-site page cannot
// send without a preflight we never answer, so there the Host header is accepted as well.

import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export interface OwnOriginOptions {
  /** config.server.publicUrl: its origin is ours too (a reverse proxy in front). */
  publicUrl: string | null;
  /** Whether the server is bound to a loopback address. */
  loopback: boolean;
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** True when the request carries no Origin, or its Origin is one this server answers on. */
export function hasOwnOrigin(req: IncomingMessage, opts: OwnOriginOptions): boolean {
  const raw = req.headers.origin;
  if (raw === undefined) return true;
  // "null" (sandboxed iframe, file://, some redirects) is never ours.
  const origin = originOf(raw);
  if (origin === null) return false;
  if (opts.publicUrl !== null && originOf(opts.publicUrl) === origin) return true;
  const port = req.socket.localPort;
  if (port !== undefined && LOOPBACK_NAMES.some((h) => origin === `http://${h}:${port}` || (port === 80 && origin === `http://${h}`))) return true;
  if (!opts.loopback && req.headers.host) {
    return origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
  }
  return false;
}
