// The handler over a real loopback server with injected services: the token gate, the CSP nonce,
// the page-only write endpoints and the body limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebHandler, reportPath, type WebDeps } from './index.ts';
import { mmapSemCycle } from './fixtures/analyses.ts';
import type { ActionId, Incident, Occurrence, Reply } from '../types.ts';

const SECRET = 'web-test-secret';
const calls: Array<{ id: string; action: ActionId }> = [];
let base = '';
let server: Server;

const incident: Incident = { id: 'LD-1', seq: 1, signature: 's', title: 'rwsem <b>cycle</b>', family: 'stuck_tasks', status: 'open', owner: null, duplicateOf: null, mutedUntil: null, regression: false, occurrenceCount: 1, firstSeen: '2026-11-24T03:00:00.000Z', lastSeen: '2026-11-24T03:00:00.000Z', lastChannel: null, lastChannelName: null, createdAt: '2026-11-24T03:00:00.000Z', updatedAt: '2026-11-24T03:00:00.000Z' };
const occurrence: Occurrence = { id: 9, incidentId: 'LD-1', platform: 'web', workspace: 'local', channel: 'web', channelName: null, thread: null, messageId: null, link: null, author: 'web', seenAt: '2026-11-24T03:00:00.000Z', analysis: mmapSemCycle() };
const reply = (text: string): Reply => ({ text, blocks: [{ type: 'header', text }, { type: 'chain', title: 'Blocking chain', links: mmapSemCycle().findings[0].blockingChain, cycle: true }], ephemeral: false, incidentId: 'LD-1', reportUrl: null, fullMarkdown: null });

const deps: WebDeps = {
  reportSecret: SECRET,
  maxPasteBytes: 1000,
  allowWrites: true,
  async analyzePaste(text) {
    return { reply: reply(`analysed ${text.slice(0, 40)}`), occurrenceId: 9, incidentId: 'LD-1' };
  },
  async loadReport(id) {
    return id === 9 ? { occurrence, incident, occurrences: [occurrence], paste: null } : null;
  },
  async listIncidents() {
    return [incident, { ...incident, id: 'LD-2', seq: 2, signature: 's2', title: 'no report yet', occurrenceCount: 0 }];
  },
  async latestOccurrenceIds(ids) {
    // LD-1's latest occurrence is 9; LD-2 has none.
    return new Map(ids.filter((id) => id === 'LD-1').map((id) => [id, 9]));
  },
  async changeStatus(id, action) {
    calls.push({ id, action });
    return { notice: `${id} ${action}d` };
  },
  async digestPreview() {
    return null;
  },
};

before(async () => {
  const handler = createWebHandler(deps);
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end('not web');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const pagePost = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lockdown-page': '1', ...headers }, body: JSON.stringify(body) });

test('report: 403 without or with a wrong token, 200 with the signed one, 404 for an unknown id', async () => {
  assert.equal((await fetch(`${base}/report/9`)).status, 403);
  assert.equal((await fetch(`${base}/report/9?token=abc`)).status, 403);
  assert.equal((await fetch(base + reportPath(10, SECRET).replace('/10?', '/9?'))).status, 403);
  assert.equal((await fetch(base + reportPath(10, SECRET))).status, 404);
  const ok = await fetch(base + reportPath(9, SECRET));
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /class="wait-graph has-cycle"/);
  assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
});

test('every page has a strict CSP whose nonce is the one on its style and script', async () => {
  const res = await fetch(`${base}/`);
  const csp = res.headers.get('content-security-policy')!;
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
  assert.match(csp, /default-src 'none'/);
  const body = await res.text();
  assert.ok(body.includes(`<script nonce="${nonce}">`) && body.includes(`<style nonce="${nonce}">`));
  assert.ok(body.includes('rwsem &lt;b&gt;cycle&lt;/b&gt;'));
  const again = (await fetch(`${base}/`)).headers.get('content-security-policy')!;
  assert.notEqual(again, csp, 'a fresh nonce per response');
});

test('analyze returns the reply as escaped HTML with a signed report link', async () => {
  const res = await pagePost('/web/analyze', { text: '<script>alert(1)</script> PID: 1' });
  assert.equal(res.status, 200);
  const data = (await res.json()) as { html: string; reportHref: string; incidentsHtml: string };
  assert.equal(data.reportHref, reportPath(9, SECRET));
  assert.ok(data.html.includes('analysed &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!data.html.includes('<script'));
  assert.ok(data.html.includes('<span class="who">java:22134</span>'));
  assert.ok(data.incidentsHtml.includes('data-incident-row="LD-1"'));
});

test('writes only from the page: no custom header, foreign origin or form post → 403', async () => {
  const noHeader = await fetch(`${base}/web/analyze`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ text: 'x' }) });
  assert.equal(noHeader.status, 403);
  assert.equal((await pagePost('/web/incidents/LD-1/resolve', {}, { origin: 'https://evil.example' })).status, 403);
  // DNS rebinding: evil.example resolves to 127.0.0.1, so the hostile page is same-origin to the
  // browser (custom header allowed, Origin equal to Host), but the Host is not a loopback name.
  const port = new URL(base).port;
  assert.equal((await rawPagePost('/web/incidents/LD-1/resolve', `http://evil.example:${port}`, `evil.example:${port}`)).status, 403);
  assert.equal(calls.length, 0);
  // The page itself, as browsed on localhost or through an ssh tunnel on another port.
  assert.equal((await rawPagePost('/web/incidents/LD-1/ack', `http://localhost:${port}`, `localhost:${port}`)).status, 200);
  assert.equal((await rawPagePost('/web/incidents/LD-1/ack', 'http://127.0.0.1:8080', '127.0.0.1:8080')).status, 200);
  assert.deepEqual(calls, [{ id: 'LD-1', action: 'ack' }, { id: 'LD-1', action: 'ack' }]);
  calls.length = 0;
});

/** fetch does not let a test choose the Host header; node:http does. */
function rawPagePost(path: string, origin: string, host: string): Promise<{ status: number }> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-lockdown-page': '1', origin, host } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

test('actions: known ones reach the service, unknown ones are a 400', async () => {
  const res = await pagePost('/web/incidents/LD-1/resolve', {});
  assert.equal(res.status, 200);
  assert.deepEqual(calls, [{ id: 'LD-1', action: 'resolve' }]);
  assert.equal(((await res.json()) as { notice: string }).notice, 'LD-1 resolved');
  assert.equal((await pagePost('/web/incidents/LD-1/delete', {})).status, 400);
});

test('a paste above the limit is a 413 and is not analysed; empty is a 400', async () => {
  assert.equal((await pagePost('/web/analyze', { text: 'x'.repeat(1500) })).status, 413);
  assert.equal((await pagePost('/web/analyze', { text: '   ' })).status, 400);
});

test('paths that are not the page are left to other handlers', async () => {
  assert.equal((await fetch(`${base}/healthz`)).status, 418);
});

test('the incident list links each incident to the signed full report of its latest occurrence', async () => {
  const page = await (await fetch(`${base}/`)).text();
  const link = /<a href="([^"]+)" data-report-link="LD-1"/.exec(page);
  assert.ok(link, 'LD-1 is a link');
  assert.equal(link[1], reportPath(9, SECRET));
  assert.ok(!page.includes('data-report-link="LD-2"'), 'no occurrence, no link');
  assert.match(page, /data-incident-row="LD-2"/);
  const report = await fetch(base + link[1]);
  assert.equal(report.status, 200, 'the link opens the report (the token is valid)');
  // The list the page swaps in after a paste or an action carries the links too.
  const after = (await (await pagePost('/web/incidents/LD-1/ack', {})).json()) as { incidentsHtml: string };
  assert.ok(after.incidentsHtml.includes(`href="${reportPath(9, SECRET)}" data-report-link="LD-1"`));
  calls.length = 0;
});
