import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../bot/log.ts';
import { createChannelNames, type ChannelInfo } from './channel-names.ts';

function harness() {
  let now = 1_000_000;
  const asked: string[] = [];
  const answers = new Map<string, () => Promise<ChannelInfo | null>>();
  // The timeout fires only when the test says so: no real waiting, no timing assertions.
  let fireTimeouts: () => void = () => undefined;
  const timeouts = new Promise<void>((r) => (fireTimeouts = r));
  const names = createChannelNames({
    info: (channel) => {
      asked.push(channel);
      return (answers.get(channel) ?? (() => Promise.reject(Object.assign(new Error('An API error occurred: channel_not_found'), { data: { error: 'channel_not_found' } }))))();
    },
    logger: silentLogger(),
    clock: () => now,
    sleep: () => timeouts,
    ttlMs: 60_000,
    failureTtlMs: 10_000,
  });
  return { names, asked, answers, advance: (ms: number) => void (now += ms), fireTimeouts };
}

test('a channel name is looked up once and kept; concurrent pastes share the call', async () => {
  const h = harness();
  h.answers.set('C1', async () => ({ name: 'storage' }));
  assert.deepEqual(await Promise.all([h.names.lookup('C1', 'channel'), h.names.lookup('C1', 'channel')]), ['#storage', '#storage']);
  assert.equal(await h.names.lookup('C1'), '#storage');
  assert.deepEqual(h.asked, ['C1']);
  // Renamed channels are picked up once the entry expires.
  h.answers.set('C1', async () => ({ name: 'storage-oncall' }));
  h.advance(60_001);
  assert.equal(await h.names.lookup('C1'), '#storage-oncall');
  assert.deepEqual(h.asked, ['C1', 'C1']);
});

test('a failed lookup (missing scope, unknown channel) is null, remembered for a while, then tried again', async () => {
  const h = harness();
  assert.equal(await h.names.lookup('C404'), null);
  assert.equal(await h.names.lookup('C404'), null);
  assert.deepEqual(h.asked, ['C404'], 'not asked again at once');
  h.answers.set('C404', async () => ({ name: 'found-later' }));
  h.advance(10_001);
  assert.equal(await h.names.lookup('C404'), '#found-later');
  assert.deepEqual(h.asked, ['C404', 'C404']);
});

test('direct messages have no name and cost no call', async () => {
  const h = harness();
  assert.equal(await h.names.lookup('D0123', 'im'), null);
  assert.equal(await h.names.lookup('G0123', 'mpim'), null);
  h.answers.set('C7', async () => ({ name: 'x', is_im: true }));
  assert.equal(await h.names.lookup('C7'), null);
  assert.deepEqual(h.asked, ['C7']);
});

test('a slow lookup gives null to the waiting paste; its answer is kept for the next one', async () => {
  const h = harness();
  let answer!: (c: ChannelInfo) => void;
  h.answers.set('C9', () => new Promise((r) => (answer = r)));
  const first = h.names.lookup('C9');
  h.fireTimeouts();
  assert.equal(await first, null, 'the reply does not wait for Slack');
  answer({ name: 'kernel' });
  await new Promise((r) => setImmediate(r));
  assert.equal(await h.names.lookup('C9'), '#kernel');
  assert.deepEqual(h.asked, ['C9']);
});
