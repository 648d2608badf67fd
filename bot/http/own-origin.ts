// Is a browser request's Origin this server's own? Any web page the engineer has open can make their
// browser POST to http://127.0.0.1:3000 (a text/plain or form body needs no CORS preflight), so
// state-changing routes refuse a foreign Origin. Requests without Origin (curl, scripts, the CLI) are
// not browser cross-site requests and pass.
//
// The Host header alone is not trusted on a loopback server: with DNS rebinding a hostile name
// resolves to 127.0.0.1 and the browser sends `Origin: http://evil.example:3000` with a matching Host.
// So on loopback the Origin must be this request's Host AND that Host must be a loopback name; the
// port comes from the Host, so an `ssh -L 8080:127.0.0.1:3000` tunnel (Origin and Host both
// 127.0.0.1:8080) keeps working, while a page on another local port (Origin localhost:8000, Host
// 127.0.0.1:3000) does not. publicUrl's origin is always ours. A server bound beyond loopback
// requires the bearer token on every API route, which a cross-site page cannot send without a
// preflight we never answer, so there any Origin equal to the Host is accepted.

import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface OwnOriginOptions {
  /** config.server.publicUrl: its origin is ours too (a reverse proxy in front). */
  publicUrl?: string | null;
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
  if (opts.publicUrl && originOf(opts.publicUrl) === origin) return true;
  const host = req.headers.host;
  if (!host) return false;
  const hostOrigin = originOf(`http://${host}`);
  if (hostOrigin === null) return false;
  const hostname = new URL(hostOrigin).hostname;
  if (!opts.loopback) return origin === hostOrigin || origin === originOf(`https://${host}`);
  return LOOPBACK_HOSTNAMES.has(hostname) && origin === hostOrigin;
}
