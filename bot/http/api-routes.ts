// The platform-neutral HTTP API (also used by the local page and scripts):
//   POST /api/analyses                 text/plain or {"text": …} → { analysis, incident, occurrenceId, reply }
//   GET  /api/incidents?status=open    (comma list; "unresolved" = open,acknowledged,muted)
//   GET  /api/incidents/:id            { incident, occurrences, history }
//   POST /api/incidents/:id/status     {status, note?, actor?, of?, until?, owner?} → { incident, changed }
// Errors are JSON `{ error: { code, message } }` with the status of the LockdownError code.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { asLockdownError, LockdownError, type ErrorCode } from '../../config/errors.ts';
import type { FullBotCore } from '../core.ts';
import type { StatusRequest } from '../commands/change-status.ts';
import type { IncidentStatus } from '../types.ts';
import { readBody } from './read-body.ts';
import { safeErrorLine } from '../render/render-help.ts';

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  LD_USAGE: 400, LD_INPUT_UNREADABLE: 400, LD_NOT_FOUND: 404, LD_FORBIDDEN: 403, LD_CONFLICT: 409, LD_INPUT_TOO_LARGE: 413, LD_ATTACHMENT: 400,
};
const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved', 'duplicate', 'muted'];

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): number {
  const e = asLockdownError(err);
  const status = STATUS_OF[e.code] ?? 500;
  sendJson(res, status, { error: { code: e.code, message: safeErrorLine(e) } });
  return status;
}

function bad(message: string): LockdownError {
  return new LockdownError('LD_USAGE', message, { userMessage: message });
}

async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const raw = (await readBody(req, limit)).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad('The body is not valid JSON.');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('The body must be a JSON object.');
  return v as Record<string, unknown>;
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function createApiRoutes(core: FullBotCore) {
  const limit = core.context.config.limits.pasteBytes;
  // JSON wrapping and escaping add a little to the raw paste: allow some headroom on the body.
  const jsonLimit = limit + Math.min(limit, 1 << 20);

  async function analyses(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = mediaType(req);
    let text: string;
    if (type === 'application/json') {
      const body = await readJson(req, jsonLimit);
      if (typeof body.text !== 'string') throw bad('Send {"text": "<the trace>"} or the trace as text/plain.');
      text = body.text;
    } else if (type === 'text/plain' || type === '') {
      text = (await readBody(req, limit)).toString('utf8');
    } else {
      throw bad(`Unsupported content type '${type.slice(0, 60)}': use text/plain or application/json.`);
    }
    if (text.trim() === '') throw bad('The body is empty: send the trace.');
    const key = req.headers['idempotency-key'];
    const r = await core.analyzeText(text, { platform: 'api', author: 'api', ...(typeof key === 'string' && key.length <= 200 ? { eventId: `api:${key}` } : {}) });
    sendJson(res, r.incident ? 201 : 200, { analysis: r.analysis, incident: r.incident, occurrenceId: r.occurrenceId, isNew: r.isNew, regression: r.regression, reply: r.reply });
  }

  async function list(url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams.get('status');
    let status: IncidentStatus[] | undefined;
    if (q) {
      status = [];
      for (const s of q.split(',')) {
        if (s === 'unresolved') status.push('open', 'acknowledged', 'muted');
        else if ((STATUSES as string[]).includes(s)) status.push(s as IncidentStatus);
        else throw bad(`Unknown status '${s.slice(0, 30)}': use ${STATUSES.join(', ')} or unresolved.`);
      }
    }
    const incidents = await core.context.incidents.list({ ...(status ? { status } : {}), limit: 500 });
    sendJson(res, 200, { incidents });
  }

  async function show(id: string, res: ServerResponse): Promise<void> {
    const incident = await core.context.incidents.require(id);
    const [occurrences, history] = await Promise.all([core.context.incidents.occurrences(incident.id), core.context.incidents.history(incident.id)]);
    sendJson(res, 200, { incident, occurrences, history });
  }

  async function setStatus(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // JSON only: a cross-site <form> or text/plain fetch cannot send it without a CORS preflight.
    if (mediaType(req) !== 'application/json') {
      req.resume();
      sendJson(res, 415, { error: { code: 'LD_USAGE', message: 'Send the status change as Content-Type: application/json.' } });
      return;
    }
    const body = await readJson(req, 64 * 1024);
    const str = (k: string): string | null => (typeof body[k] === 'string' ? (body[k] as string) : null);
    const actorId = (str('actor') ?? 'api').slice(0, 100);
    let change: StatusRequest;
    switch (str('status')) {
      case 'open': change = { kind: 'reopen' }; break;
      case 'acknowledged': change = { kind: 'ack' }; break;
      case 'resolved': change = { kind: 'resolve', note: str('note')?.slice(0, 2000) ?? null }; break;
      case 'duplicate': {
        const of = str('of');
        if (!of) throw bad('status "duplicate" needs "of": the incident id it duplicates.');
        change = { kind: 'dup', of };
        break;
      }
      case 'muted': {
        const until = str('until');
        if (until !== null && Number.isNaN(Date.parse(until))) throw bad('"until" must be an ISO date, e.g. "2026-12-01T00:00:00Z".');
        const days = typeof body.days === 'number' && body.days > 0 && body.days <= 366 ? body.days : 7;
        change = { kind: 'mute', until: until ? new Date(until).toISOString() : new Date(core.context.clock().getTime() + days * 86_400_000).toISOString() };
        break;
      }
      default:
        if (str('owner') !== null || body.owner === null) {
          change = { kind: 'assign', user: str('owner') };
          break;
        }
        throw bad(`"status" must be one of ${STATUSES.join(', ')} (e.g. {"status": "resolved", "note": "fixed in 5.10.3"}).`);
    }
    const ch = await core.changeStatus(id, change, { id: actorId, name: actorId });
    sendJson(res, 200, { incident: ch.incident, changed: ch.changed });
  }

  /** Handles /api/*; false when the path is not an API route. */
  return async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    const m = /^\/api\/incidents\/([A-Za-z0-9-]{1,20})(\/status)?$/.exec(p);
    if (p === '/api/analyses' && req.method === 'POST') await analyses(req, res);
    else if (p === '/api/incidents' && req.method === 'GET') await list(url, res);
    else if (m && !m[2] && req.method === 'GET') await show(m[1]!, res);
    else if (m && m[2] && req.method === 'POST') await setStatus(m[1]!, req, res);
    else if (p === '/api/analyses' || p === '/api/incidents' || m) {
      sendJson(res, 405, { error: { code: 'LD_USAGE', message: `Method ${req.method} not allowed here.` } });
    } else return false;
    return true;
  };
}
