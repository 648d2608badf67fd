// The PlatformPort against a mocked Web API: 429 + Retry-After is waited out and retried, a reply
// that finally fails rejects with LD_PLATFORM (so the core's outbox keeps it), digests go top level.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { ReplyTarget } from '../../bot/ports.ts';
import type { Reply } from '../../bot/types.ts';
import { isLockdownError } from '../../config/errors.ts';
import { FakeCore } from './fake-core.ts';
import { TEAM, expectCall, isolateNetwork, mockSlackApi, startSlack, type Calls, type Running } from './slack-harness.ts';

let calls: Calls;
let unexpected: string[];
let run: Running | null = null;
beforeEach(() => {
  isolateNetwork();
  ({ calls, unexpected } = mockSlackApi());
});
afterEach(async () => {
  await run?.close();
  run = null;
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});

const reply: Reply = { text: 'LD-7 hung task', blocks: [{ type: 'text', text: 'blocked in flush_workqueue' }], ephemeral: false, incidentId: 'LD-7', reportUrl: null, fullMarkdown: null };
const inThread: ReplyTarget = { platform: 'slack', workspace: TEAM, channel: 'C0STORAGE', thread: '1763900000.000100', messageId: '1763900005.000300' };

test('429 with Retry-After, then success: the reply is posted once it is allowed', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', (n) => (n === 1 ? [429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' }] : [200, { ok: true, ts: '1763900010.000001' }]), 2);
  const posted = await run.adapter.port.post(inThread, reply);
  assert.deepEqual(posted, { platform: 'slack', channel: 'C0STORAGE', thread: '1763900000.000100', messageId: '1763900010.000001' });
  assert.equal(calls['chat.postMessage']!.length, 2, 'the same message sent again after the wait');
  assert.deepEqual(calls['chat.postMessage']![0], calls['chat.postMessage']![1]);
  assert.deepEqual(unexpected, []);
});

test('a reply that finally fails (HTTP 500 on every retry) rejects with LD_PLATFORM, without the token in the message', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', () => [500, { ok: false }], 3); // retries: 2 in the harness
  await assert.rejects(run.adapter.port.post(inThread, reply), (e: unknown) => {
    assert.ok(isLockdownError(e, 'LD_PLATFORM'));
    assert.equal(e.details.method, 'chat.postMessage');
    assert.doesNotMatch(e.message, /xoxb-/);
    return true;
  });
  assert.equal(calls['chat.postMessage']!.length, 3);
});

test('Slack refusing the call (channel_not_found) is LD_PLATFORM at once, with Slack\'s error code', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', { ok: false, error: 'channel_not_found' });
  await assert.rejects(run.adapter.port.post(inThread, reply), (e: unknown) => isLockdownError(e, 'LD_PLATFORM') && e.details.error === 'channel_not_found');
  assert.equal(calls['chat.postMessage']!.length, 1);
});

test('a failed post from a message event reaches the core as LD_PLATFORM (the core keeps it in its outbox)', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  expectCall(calls, 'chat.postMessage', { ok: false, error: 'not_in_channel' });
  await run.sendSigned(JSON.stringify({
    team_id: TEAM, type: 'event_callback', event_id: 'Ev0FAIL', authorizations: [{ team_id: TEAM }],
    event: { type: 'message', channel: 'C0STORAGE', user: 'U0ALICE', ts: '1763900000.000100', text: 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n flush_workqueue+0x1be/0x4a0' },
  }));
  await run.adapter.idle();
  assert.equal(core.postErrors.length, 1);
  assert.ok(isLockdownError(core.postErrors[0], 'LD_PLATFORM'));
});

test('a digest (no thread, no message) is posted top level; a top-level paste is answered under it', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900020.000001' }, 2);
  const digest = await run.adapter.port.post({ platform: 'slack', workspace: TEAM, channel: 'C0ONCALL', thread: null, messageId: null }, reply);
  await run.adapter.port.post({ ...inThread, thread: null }, reply);
  assert.equal('thread_ts' in calls['chat.postMessage']![0]!, false);
  assert.equal(digest.thread, null);
  assert.equal(calls['chat.postMessage']![1]!.thread_ts, '1763900005.000300');
});

test('update replaces the message by channel + ts; reactions.add tolerates already_reacted', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.update', { ok: true });
  expectCall(calls, 'reactions.add', { ok: false, error: 'already_reacted' });
  await run.adapter.port.update({ platform: 'slack', channel: 'C0STORAGE', thread: '1763900000.000100', messageId: '1763900010.000001' }, reply);
  await run.adapter.port.react!(inThread, ':mag:');
  assert.deepEqual([calls['chat.update']![0]!.channel, calls['chat.update']![0]!.ts], ['C0STORAGE', '1763900010.000001']);
  assert.equal(calls['reactions.add']![0]!.name, 'mag');
});

test('a shortened reply with a report link uploads nothing; the note links the report', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1' });
  const long: Reply = { ...reply, blocks: [{ type: 'code', text: 'line\n'.repeat(5000) }, { type: 'actions', incidentId: 'LD-7', actions: [{ id: 'ack', label: 'Acknowledge' }] }], reportUrl: 'https://lockdown.example/r/7', fullMarkdown: '# all' };
  await run.adapter.port.post(inThread, long);
  const blocks = calls['chat.postMessage']![0]!.blocks as Array<{ type: string; elements?: Array<{ text?: string }> }>;
  assert.match(String(blocks.at(-2)!.elements![0]!.text), /<https:\/\/lockdown\.example\/r\/7\|the full report>/);
  assert.equal(blocks.at(-1)!.type, 'actions');
  assert.deepEqual(unexpected, [], 'no files.* call');
});

test('blocks Slack refuses (invalid_blocks) do not cost the reply: it is sent again as text with the report link', async () => {
  run = await startSlack(new FakeCore());
  expectCall(calls, 'chat.postMessage', (n) => (n === 1 ? [200, { ok: false, error: 'invalid_blocks' }] : [200, { ok: true, ts: '1763900030.000001' }]), 2);
  const posted = await run.adapter.port.post(inThread, { ...reply, reportUrl: 'https://lockdown.example/r/7' });
  assert.equal(posted.messageId, '1763900030.000001');
  const [first, second] = calls['chat.postMessage']!;
  assert.ok(Array.isArray(first!.blocks));
  assert.equal(second!.blocks, undefined);
  assert.equal(second!.thread_ts, '1763900000.000100');
  assert.match(String(second!.text), /^LD-7 hung task\nFull report: <https:\/\/lockdown\.example\/r\/7>$/);
});
