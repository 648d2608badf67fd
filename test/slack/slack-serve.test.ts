// `lockdown serve` with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET in the environment (the README's
// "set two env vars, run"): Slack is mounted at /slack/events on the API's port, a signed paste gets
// a threaded reply from the real engine and core, and the server stops cleanly.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import nock from 'nock';
import { run as serve } from '../../adapters/cli/serve-command.ts';
import { sqliteStore, until } from '../lifecycle/harness.ts';
import type { Store } from '../../bot/store/store.ts';
import { API_BASE, BOT_TOKEN, FILES_BASE, SIGNING_SECRET, eventBody, expectCall, isolateNetwork, mockSlackApi, slackEscape, slackHeaders, type Calls } from './slack-harness.ts';

let calls: Calls;
let unexpected: string[];
beforeEach(() => {
  isolateNetwork();
  ({ calls, unexpected } = mockSlackApi());
});
afterEach(() => {
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});

test('serve with the two Slack env vars: signed paste on the API port → one reply in its thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-slack-serve-'));
  const file = join(dir, 'lockdown.config.json');
  writeFileSync(file, JSON.stringify({ server: { port: 0 }, store: { sqlitePath: join(dir, 'l.db') }, log: { level: 'silent' } }));
  const out = new PassThrough();
  let printed = '';
  out.on('data', (d) => (printed += d));
  const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `${API_BASE}/api/` };
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let url = '';
  let exit: number | null = null;
  const ready = new Promise<void>((r) => {
    void serve(['--config', file], { stdin: new PassThrough(), stdout: out, stderr: new PassThrough(), env }, { stopSignal, onReady: (i) => ((url = i.url), r()) }).then((c) => (exit = c));
  });
  await ready;
  try {
    assert.match(printed, /1 chat adapter/);
    expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900500.000001' });
    nock(API_BASE).post(/files\.(getUploadURLExternal|completeUploadExternal)/).optionally().times(2).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
    nock(FILES_BASE).post('/u').optionally().reply(200, 'OK');
    const seed = readFileSync('/work/shared/seeds/001_92ad9bb8df84726d.txt', 'utf8');
    const body = eventBody({ type: 'message', channel: 'C0STORAGE', user: 'U0ALICE', ts: '1763900499.000100', text: slackEscape(seed) });
    const res = await fetch(`${url}slack/events`, { method: 'POST', headers: slackHeaders(body), body });
    assert.equal(res.status, 200);
    await res.text();
    await until(() => (calls['chat.postMessage'] ?? []).length > 0, 'the reply', 2000);
    assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900499.000100');
    assert.deepEqual(unexpected, []);
  } finally {
    stop();
    while (exit === null) await new Promise((res) => setTimeout(res, 5));
  }
  assert.equal(exit, 0);
});

test('serve with Slack drains the outbox once at start: a reply left by the previous run is posted once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-slack-serve-'));
  const file = join(dir, 'lockdown.config.json');
  writeFileSync(file, JSON.stringify({ server: { port: 0 }, store: { sqlitePath: join(dir, 'l.db') }, log: { level: 'silent' } }));
  // The previous run committed a reply and died before posting it.
  const { store: inner } = sqliteStore(join(dir, 'l.db'));
  await inner.migrate();
  await inner.transaction((tx) => tx.enqueueDelivery({
    target: { platform: 'slack', workspace: 'T0LOCK', channel: 'C0STORAGE', thread: null, messageId: '1763900400.000100' },
    reply: { text: 'left over', blocks: [{ type: 'text', text: 'left over' }], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null },
    eventId: 'evt-left', incidentId: null, kind: 'reply', at: new Date().toISOString(),
  }));
  // Every drain starts by asking the store for pending deliveries: count those calls.
  let drains = 0;
  const store = new Proxy(inner, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (k === 'pendingDeliveries') return (...a: Parameters<Store['pendingDeliveries']>) => (drains++, t.pendingDeliveries(...a));
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(t) : v;
    },
  });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900500.000001' }, 2);
  const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `${API_BASE}/api/` };
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let exit: number | null = null;
  const ready = new Promise<void>((r) => {
    void serve(['--config', file], { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env }, { stopSignal, onReady: () => r(), service: { store } }).then((c) => (exit = c));
  });
  await ready;
  try {
    await until(() => (calls['chat.postMessage'] ?? []).length > 0, 'the left-over reply', 2000);
    await until(async () => (await inner.getDelivery(1))?.deliveredAt != null, 'marked delivered', 2000);
    assert.equal(drains, 1, 'one outbox drain at start, not one per registerPort call');
    assert.equal(calls['chat.postMessage']!.length, 1);
    assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900400.000100');
    assert.deepEqual(unexpected, []);
  } finally {
    stop();
    while (exit === null) await new Promise((res) => setTimeout(res, 5));
  }
  assert.equal(exit, 0);
});
