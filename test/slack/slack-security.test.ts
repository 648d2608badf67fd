// Request signatures: Bolt's verification stays on. Unsigned, stale (> 5 min), tampered or
// wrong-secret requests get 401 and never reach the core; url_verification answers the challenge.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { FakeCore } from './fake-core.ts';
import { TEAM, eventBody, isolateNetwork, mockSlackApi, slackHeaders, startSlack, type Calls, type Running } from './slack-harness.ts';

const TRACE = 'INFO: task kworker/1:2:4790 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff81095a8e>] flush_workqueue+0x1be/0x4a0';

let calls: Calls;
let run: Running | null = null;
beforeEach(() => {
  isolateNetwork();
  ({ calls } = mockSlackApi());
});
afterEach(async () => {
  await run?.close();
  run = null;
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});

const ev = () => eventBody({ type: 'message', channel: 'C1', user: 'U1', team: TEAM, ts: '1763900000.000100', text: TRACE });

test('a correctly signed event is accepted (200) and handed to the core', async () => {
  const core = new FakeCore({ reply: () => ({ text: 'x', blocks: [], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null }) });
  run = await startSlack(core);
  nock('http://slack.test').post('/api/chat.postMessage').reply(200, { ok: true, ts: '2' });
  const res = await run.sendSigned(ev());
  assert.equal(res.status, 200);
  await run.adapter.idle();
  assert.equal(core.messages.length, 1);
});

const rejected: Array<[string, (body: string) => Record<string, string>, (body: string) => string]> = [
  ['unsigned', () => ({ 'content-type': 'application/json' }), (b) => b],
  ['signed with another secret', (b) => slackHeaders(b, { secret: 'not-the-secret' }), (b) => b],
  ['stale: timestamp 6 minutes old', (b) => slackHeaders(b, { ts: Math.floor(Date.now() / 1000) - 6 * 60 }), (b) => b],
  ['from the future by 6 minutes', (b) => slackHeaders(b, { ts: Math.floor(Date.now() / 1000) + 6 * 60 }), (b) => b],
  ['tampered: body changed after signing', (b) => slackHeaders(b), (b) => b.replace('"U1"', '"U0MALLORY"')],
  ['signature header garbage', (b) => ({ ...slackHeaders(b), 'x-slack-signature': 'v0=zz' }), (b) => b],
];

for (const [name, headers, body] of rejected) {
  test(`${name}: 401 and the core never sees it`, async () => {
    const core = new FakeCore();
    run = await startSlack(core);
    const signed = ev();
    const res = await run.send(body(signed), headers(signed));
    assert.equal(res.status, 401);
    await run.adapter.idle();
    assert.equal(core.messages.length, 0);
    assert.deepEqual(calls, {});
  });
}

test('url_verification answers the challenge when signed, 401 when not', async () => {
  run = await startSlack(new FakeCore());
  const body = JSON.stringify({ token: 'x', challenge: 'c5a1f0-challenge', type: 'url_verification' });
  const ok = await run.sendSigned(body);
  assert.equal(ok.status, 200);
  assert.match(ok.text, /c5a1f0-challenge/);
  const bad = await run.send(body, { 'content-type': 'application/json' });
  assert.equal(bad.status, 401);
});

test('GET /slack/events is not Bolt\'s: the server answers 404, not an exception', async () => {
  run = await startSlack(new FakeCore());
  const res = await fetch(`${run.url}/slack/events`);
  assert.equal(res.status, 404);
});

test('without lockdown\'s HTTP server the adapter serves /slack/events itself, with the same checks', async () => {
  const core = new FakeCore();
  const { createSlackAdapter } = await import('../../adapters/slack/index.ts');
  const { silentLogger } = await import('../../bot/log.ts');
  const { BOT_TOKEN, SIGNING_SECRET, API_BASE } = await import('./slack-harness.ts');
  const slack = createSlackAdapter({
    core, logger: silentLogger(),
    config: { slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: `${API_BASE}/api/` }, server: { port: 0, host: '127.0.0.1' } },
  });
  await slack.start();
  try {
    const base = `http://127.0.0.1:${slack.ownPort()}`;
    const body = JSON.stringify({ token: 'x', challenge: 'own-1', type: 'url_verification' });
    const ok = await fetch(`${base}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /own-1/);
    const future = await fetch(`${base}/slack/events`, { method: 'POST', headers: slackHeaders(body, { ts: Math.floor(Date.now() / 1000) + 600 }), body });
    assert.equal(future.status, 401);
    await future.text();
    const other = await fetch(`${base}/elsewhere`);
    assert.equal(other.status, 404);
    await other.text();
  } finally {
    await slack.stop();
  }
  assert.equal(slack.ownPort(), null);
});
