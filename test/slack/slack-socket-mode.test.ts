// Socket Mode (SLACK_APP_TOKEN): apps.connections.open goes to the configured API URL, the adapter
// connects to the WebSocket it names, acks each envelope, and a re-delivered envelope (reconnect,
// retry_attempt) does not produce a second reply. Also: which credentials pick which receiver.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { silentLogger } from '../../bot/log.ts';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { isLockdownError } from '../../config/errors.ts';
import { FakeCore } from './fake-core.ts';
import { startFakeSocketMode, type FakeSocketMode } from './fake-socket-mode.ts';
import { API_BASE, BOT_TOKEN, TEAM, expectCall, isolateNetwork, mockSlackApi, type Calls } from './slack-harness.ts';

const APP_TOKEN = 'xapp-1-A0LOCK-test';
let calls: Calls;
let unexpected: string[];
let ws: FakeSocketMode | null = null;
beforeEach(() => {
  isolateNetwork();
  ({ calls, unexpected } = mockSlackApi());
});
afterEach(async () => {
  await ws?.close();
  ws = null;
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});

const slackConfig = (over: Record<string, string | null> = {}) => ({
  slack: { botToken: BOT_TOKEN, signingSecret: null, appToken: APP_TOKEN, apiUrl: `${API_BASE}/api/`, ...over },
});

test('Socket Mode: connect through the configured API URL, ack the envelope, reply in the thread once', async () => {
  ws = await startFakeSocketMode();
  const opened: string[] = [];
  nock(API_BASE).post('/api/apps.connections.open').reply(function () {
    opened.push(String(this.req.headers.authorization));
    return [200, { ok: true, url: ws!.url }];
  });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900001.000200' });
  const core = new FakeCore();
  const slack = createSlackAdapter({ core, logger: silentLogger(), config: slackConfig(), retryConfig: { retries: 0 } });
  assert.equal(slack.mode, 'socket');
  await slack.start();
  try {
    assert.deepEqual(opened, [`Bearer ${APP_TOKEN}`], 'the app-level token opens the connection');
    const envelope = {
      envelope_id: 'env-1', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '',
      payload: {
        team_id: TEAM, type: 'event_callback', event_id: 'Ev0SOCK', authorizations: [{ team_id: TEAM }],
        event: { type: 'message', channel: 'C0STORAGE', user: 'U0ALICE', ts: '1763900000.000100', text: 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n flush_workqueue+0x1be/0x4a0' },
      },
    };
    ws.push(envelope);
    await ws.waitForAcks(1);
    assert.equal(ws.acks[0]!.envelope_id, 'env-1');
    ws.push({ ...envelope, envelope_id: 'env-2', retry_attempt: 1, retry_reason: 'timeout' });
    await ws.waitForAcks(2);
    await slack.idle();
    assert.equal(core.messages.length, 2);
    assert.equal(core.messages[0]!.eventId, core.messages[1]!.eventId);
    assert.equal(calls['chat.postMessage']!.length, 1);
    assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900000.000100');
    assert.deepEqual(unexpected, []);
  } finally {
    await slack.stop();
  }
});

test('credentials pick the receiver, and missing ones are a config error that says what to set', () => {
  const core = new FakeCore();
  const log = silentLogger();
  assert.equal(createSlackAdapter({ core, logger: log, config: slackConfig({ appToken: null, signingSecret: 's' }) }).mode, 'http');
  assert.throws(() => createSlackAdapter({ core, logger: log, config: slackConfig({ appToken: null }) }), (e: unknown) => isLockdownError(e, 'LD_CONFIG_INVALID') && /SLACK_SIGNING_SECRET/.test(e.message));
  assert.throws(() => createSlackAdapter({ core, logger: log, config: slackConfig({ botToken: null }) }), (e: unknown) => isLockdownError(e, 'LD_CONFIG_INVALID') && /SLACK_BOT_TOKEN/.test(e.message));
});

test('a bot token Slack refuses (auth.test invalid_auth) fails start with LD_PLATFORM, no token in the message', async () => {
  nock.cleanAll();
  nock(API_BASE).post('/api/auth.test').reply(200, { ok: false, error: 'invalid_auth' });
  const slack = createSlackAdapter({ core: new FakeCore(), logger: silentLogger(), config: slackConfig({ appToken: null, signingSecret: 's' }), retryConfig: { retries: 0 } });
  await assert.rejects(slack.start(), (e: unknown) => isLockdownError(e, 'LD_PLATFORM') && /invalid_auth/.test(e.message) && !e.message.includes(BOT_TOKEN));
});
