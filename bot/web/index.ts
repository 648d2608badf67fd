// The local page and the full report, as one node:http handler mounted at "/" by bot/http:
//   GET  /                         the page (paste box, incidents, digest preview)
//   POST /web/analyze              {text} → the chat reply as HTML + a signed report link
//   POST /web/incidents/:id/:act   ack | resolve | reopen | mute → the refreshed incident list
//   GET  /report/:occurrenceId?token=…   the full report (403 without a valid token)
// Everything else: returns false (not ours). Services are injected (web-deps.ts builds them).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { asLockdownError, LockdownError, type ErrorCode } from '../../config/errors.ts';
import type { ActionId, Incident, Reply } from '../types.ts';
import { html, type SafeHtml } from './html.ts';
import { renderHomePage } from './home-page.ts';
import { incidentTableHtml } from './incident-table.ts';
import { newNonce, pageHeaders, pageHtml } from './page-layout.ts';
import { renderReportPage, type ReportData } from './report-page.ts';
import { replyHtml } from './reply-html.ts';
import { reportPath, verifyReportToken } from './report-token.ts';
import { hasOwnOrigin } from '../http/own-origin.ts';

export { reportUrl, reportPath, signReportToken, verifyReportToken } from './report-token.ts';
export type { ReportData } from './report-page.ts';

export interface PasteResult {
  reply: Reply;
  occurrenceId: number | null;
  incidentId: string | null;
}

export interface WebDeps {
  /** HMAC key of report links (config server.reportSecret; serve makes a random one when unset). */
  reportSecret: string;
  /** Largest paste accepted from the page, in bytes (config limits.pasteBytes). */
  maxPasteBytes: number;
  /** false when the server is reachable beyond loopback: the page is then read-only. */
  allowWrites: boolean;
  /** config server.publicUrl: a page served through it may write too. */
  publicUrl?: string | null;
  analyzePaste(text: string): Promise<PasteResult>;
  loadReport(occurrenceId: number): Promise<ReportData | null>;
  listIncidents(): Promise<Incident[]>;
  /** Incident id → id of its latest occurrence (store.latestOccurrenceIds), for the list's report links. */
  latestOccurrenceIds(incidentIds: string[]): Promise<Map<string, number>>;
  /** A button press from the page (the core posts the notice into the incident's threads). */
  changeStatus(incidentId: string, action: ActionId, actor: string): Promise<{ notice: string | null }>;
  digestPreview(): Promise<Reply | null>;
  /** Optional: where unexpected errors go (never with the paste). */
  onError?(err: LockdownError): void;
}

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const ACTIONS: readonly ActionId[] = ['ack', 'resolve', 'reopen', 'mute'];
const STATUS_OF: Partial<Record<ErrorCode, number>> = { LD_NOT_FOUND: 404, LD_FORBIDDEN: 403, LD_CONFLICT: 409, LD_USAGE: 400, LD_INPUT_TOO_LARGE: 413, LD_INPUT_UNREADABLE: 400 };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

function sendPage(res: ServerResponse, status: number, render: (nonce: string) => string): void {
  const nonce = newNonce();
  res.writeHead(status, pageHeaders(nonce));
  res.end(render(nonce));
}

function errorPage(res: ServerResponse, status: number, title: string, text: string): void {
  sendPage(res, status, (nonce) => pageHtml({ title, nonce, body: html`<section><h1>${title}</h1><p>${text}</p></section>` }));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new LockdownError('LD_INPUT_TOO_LARGE', 'request body too large', { userMessage: 'The paste is larger than this server accepts.' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new LockdownError('LD_INPUT_TOO_LARGE', 'request body too large', { userMessage: 'The paste is larger than this server accepts.' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The page's writes must come from the page: a custom header forces a CORS preflight cross-site,
 *  and an Origin, when the browser sends one, must be this server as reached on a loopback name (or
 *  publicUrl): a DNS-rebound hostile name is same-origin to the browser, so the header alone does not
 *  stop it. Writes are only allowed on a loopback-bound server (allowWrites). */
function fromOwnPage(req: IncomingMessage, publicUrl: string | null): boolean {
  if (req.headers['x-lockdown-page'] !== '1') return false;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return false;
  return hasOwnOrigin(req, { publicUrl, loopback: true });
}

export function createWebHandler(deps: WebDeps): WebHandler {
  const fail = (res: ServerResponse, e: unknown): void => {
    const err = asLockdownError(e);
    const status = STATUS_OF[err.code] ?? 500;
    if (status === 500) deps.onError?.(err);
    sendJson(res, status, { error: err.userMessage, code: err.code });
  };

  /** The incidents and the signed path of each one's latest full report (one store query for all). */
  const incidentList = async (): Promise<{ incidents: Incident[]; hrefs: Map<string, string> }> => {
    const incidents = await deps.listIncidents();
    const latest = incidents.length ? await deps.latestOccurrenceIds(incidents.map((i) => i.id)) : new Map<string, number>();
    const hrefs = new Map<string, string>();
    for (const [id, occurrenceId] of latest) hrefs.set(id, reportPath(occurrenceId, deps.reportSecret));
    return { incidents, hrefs };
  };
  const incidentListHtml = async (): Promise<SafeHtml> => {
    const { incidents, hrefs } = await incidentList();
    return incidentTableHtml(incidents, (id) => hrefs.get(id) ?? null);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (path === '/' && (method === 'GET' || method === 'HEAD')) {
        const [list, digest] = await Promise.all([incidentList(), deps.digestPreview()]);
        sendPage(res, 200, (nonce) => renderHomePage({ incidents: list.incidents, reportHrefs: list.hrefs, digest, allowWrites: deps.allowWrites }, nonce));
        return true;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204, { 'cache-control': 'max-age=86400' });
        res.end();
        return true;
      }
      const report = /^\/report\/([^/]+)$/.exec(path);
      if (report && (method === 'GET' || method === 'HEAD')) {
        // Token first: without it nobody learns whether an occurrence id exists.
        const id = report[1];
        if (!/^\d{1,15}$/.test(id) || !verifyReportToken(id, url.searchParams.get('token'), deps.reportSecret)) {
          errorPage(res, 403, 'Forbidden', 'This report link is missing its token or the token is not valid.');
          return true;
        }
        const data = await deps.loadReport(Number(id));
        if (!data) errorPage(res, 404, 'Not found', 'No analysis with this id is stored.');
        else sendPage(res, 200, (nonce) => renderReportPage(data, nonce));
        return true;
      }
      if (!path.startsWith('/web/')) return false;
      if (method !== 'POST') {
        sendJson(res, 405, { error: 'Use POST.' });
        return true;
      }
      if (!deps.allowWrites) {
        sendJson(res, 403, { error: 'This page is read-only when the server is reachable beyond loopback.' });
        return true;
      }
      if (!fromOwnPage(req, deps.publicUrl ?? null)) {
        sendJson(res, 403, { error: 'Requests must come from the lockdown page.' });
        return true;
      }
      if (path === '/web/analyze') {
        const body = await readBody(req, deps.maxPasteBytes * 2 + 1024);
        let text: unknown;
        try {
          text = (JSON.parse(body) as { text?: unknown }).text;
        } catch {
          throw new LockdownError('LD_USAGE', 'malformed JSON', { userMessage: 'The request body is not valid JSON.' });
        }
        if (typeof text !== 'string' || text.trim() === '') throw new LockdownError('LD_USAGE', 'no text', { userMessage: 'Paste a trace first.' });
        if (Buffer.byteLength(text, 'utf8') > deps.maxPasteBytes) {
          throw new LockdownError('LD_INPUT_TOO_LARGE', 'paste too large', { userMessage: `The paste is larger than ${deps.maxPasteBytes} bytes.` });
        }
        const r = await deps.analyzePaste(text);
        const href = r.occurrenceId === null ? null : reportPath(r.occurrenceId, deps.reportSecret);
        sendJson(res, 200, { html: replyHtml(r.reply, href).value, reportHref: href, incidentId: r.incidentId, occurrenceId: r.occurrenceId, incidentsHtml: (await incidentListHtml()).value });
        return true;
      }
      const action = /^\/web\/incidents\/([A-Za-z0-9-]{1,24})\/([a-z]{1,10})$/.exec(path);
      if (action) {
        await readBody(req, 4096);
        const act = action[2] as ActionId;
        if (!ACTIONS.includes(act)) throw new LockdownError('LD_USAGE', 'unknown action', { userMessage: `Unknown action "${action[2]}".` });
        const r = await deps.changeStatus(action[1], act, 'web');
        sendJson(res, 200, { notice: r.notice, incidentsHtml: (await incidentListHtml()).value });
        return true;
      }
      sendJson(res, 404, { error: 'Not found.' });
      return true;
    } catch (e) {
      // Unread request bytes (an oversized paste) are drained so the browser gets to read the answer.
      req.resume();
      if (!res.headersSent) fail(res, e);
      else res.destroy();
      return true;
    }
  };
}
export { resolveReportSecret } from './report-token.ts';
export { createWebDeps, isLoopbackHost } from './web-deps.ts';
export { mountWebPage, reportLinker } from './mount-web.ts';
