// The scheduled digest: exactly one of two replicas sends each slot (a store lease keyed by channel +
// slot), an empty digest is not sent, a slot missed while down is sent at start within the tolerance
// and never twice. Run on one SQLite file and on one PostgreSQL schema.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, FakeScheduler, RecordingPort, makeBot, message, pgSchema, pgStore, sqliteStore, testConfig } from './harness.ts';
import type { Store } from '../../bot/store/store.ts';

const hung = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n [<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';
const config = testConfig({ digest: { timezone: 'Europe/Paris', missedToleranceMinutes: 60, channels: [{ platform: 'slack', channel: 'C-DIGEST' }] } });

type StorePair = { a: Store; b: Store; close: () => Promise<void> };

async function twoReplicasSendOnce(stores: StorePair): Promise<void> {
  // Monday 2026-11-23, 07:30 UTC = 08:30 in Paris: the 09:00 Paris slot is 08:00 UTC.
  const clock = new FakeClock('2026-11-23T07:30:00Z');
  const a = await makeBot({ store: stores.a, clock, holder: 'replica-a', config });
  const b = await makeBot({ store: stores.b, clock, holder: 'replica-b', config });
  const portA = new RecordingPort('slack');
  const portB = new RecordingPort('slack');
  a.core.context.ports.set('slack', portA);
  b.core.context.ports.set('slack', portB);
  await a.core.digest.start();
  await b.core.digest.start();
  assert.equal(a.scheduler.jobs[0]!.expr, '0 9 * * 1-5', 'default: weekdays 09:00');
  assert.equal(a.scheduler.jobs[0]!.timezone, 'Europe/Paris');

  // Nothing unresolved: the 08:00 UTC slot sends nothing.
  clock.set('2026-11-23T08:00:05Z');
  a.scheduler.fire(new Date('2026-11-23T08:00:00Z'));
  b.scheduler.fire(new Date('2026-11-23T08:00:00Z'));
  await Promise.all([a.core.digest.idle(), b.core.digest.idle()]);
  assert.equal(portA.posts.length + portB.posts.length, 0, 'empty digest not sent');

  // One incident, then the next day's slot fires on both replicas at once.
  const web = new RecordingPort('test');
  a.core.context.ports.set('test', web);
  await a.core.handleMessage(message(hung));
  clock.set('2026-11-24T08:00:02Z');
  a.scheduler.fire(new Date('2026-11-24T08:00:00Z'));
  b.scheduler.fire(new Date('2026-11-24T08:00:00Z'));
  await Promise.all([a.core.digest.idle(), b.core.digest.idle()]);
  const posts = [...portA.posts, ...portB.posts];
  assert.equal(posts.length, 1, 'exactly one replica sent the slot');
  assert.equal(posts[0]!.target.channel, 'C-DIGEST');
  assert.equal(posts[0]!.target.thread, null);
  assert.match(posts[0]!.reply.text, /1 unresolved incident/);
  assert.match(JSON.stringify(posts[0]!.reply.blocks), /no owner/);

  // The same slot again (a late tick, a restart): never twice.
  b.scheduler.fire(new Date('2026-11-24T08:00:00Z'));
  await b.core.digest.idle();
  assert.equal(portA.posts.length + portB.posts.length, 1);
  assert.equal(a.core.metrics.get('lockdown_digest_runs_total', { result: 'sent' }) + b.core.metrics.get('lockdown_digest_runs_total', { result: 'sent' }), 1);
  await a.core.close();
  await b.core.close();
}

async function missedSlotSentOnceAtStart(stores: StorePair): Promise<void> {
  const clock = new FakeClock('2026-11-24T06:00:00Z');
  const seedBot = await makeBot({ store: stores.a, clock, holder: 'replica-a', config });
  seedBot.core.context.ports.set('test', new RecordingPort('test'));
  await seedBot.core.handleMessage(message(hung));
  await seedBot.core.close();

  // Down over the 08:00 UTC slot; back at 08:40 (within 60 minutes): sent at start.
  clock.set('2026-11-24T08:40:00Z');
  const a = await makeBot({ store: stores.a, clock, holder: 'replica-a', config });
  const portA = new RecordingPort('slack');
  a.core.context.ports.set('slack', portA);
  await a.core.digest.start();
  await a.core.digest.idle();
  assert.equal(portA.posts.length, 1, 'missed slot sent at start');

  // A second replica starting a minute later does not send it again.
  clock.set('2026-11-24T08:41:00Z');
  const b = await makeBot({ store: stores.b, clock, holder: 'replica-b', config });
  const portB = new RecordingPort('slack');
  b.core.context.ports.set('slack', portB);
  await b.core.digest.start();
  await b.core.digest.idle();
  assert.equal(portB.posts.length, 0);
  await a.core.close();
  await b.core.close();

  // Outside the tolerance: the next day, started at 09:30 UTC, the 08:00 slot is not sent late.
  clock.set('2026-11-25T09:30:00Z');
  const c = await makeBot({ store: stores.b, clock, holder: 'replica-c', config });
  const portC = new RecordingPort('slack');
  c.core.context.ports.set('slack', portC);
  await c.core.digest.start();
  await c.core.digest.idle();
  assert.equal(portC.posts.length, 0, 'too late: skipped');
  await c.core.close();
}

test('digest on one SQLite file: two replicas, one send per slot', async () => {
  const { store: a, path } = sqliteStore();
  const { store: b } = sqliteStore(path);
  await twoReplicasSendOnce({ a, b, close: async () => undefined });
  await a.close();
  await b.close();
});

test('digest on one SQLite file: a missed slot is sent once at start, within the tolerance only', async () => {
  const { store: a, path } = sqliteStore();
  const { store: b } = sqliteStore(path);
  await missedSlotSentOnceAtStart({ a, b, close: async () => undefined });
  await a.close();
  await b.close();
});

test('an invalid cron expression or time zone stops the start with a config error', async () => {
  const { store } = sqliteStore();
  const bad = testConfig({ digest: { channels: [{ platform: 'slack', channel: 'C1' }] } });
  const { core } = await makeBot({ store, config: { ...bad, digest: { ...bad.digest, channels: [{ platform: 'slack', channel: 'C1', cron: '61 9 * * *' }] } } as typeof bad, scheduler: new FakeScheduler() });
  await assert.rejects(core.digest.start(), /digest\.channels\[0\]\.cron: '61 9 \* \* \*' is not a valid cron/);
  await core.close();
  await store.close();
});

test('digest on one PostgreSQL: two replicas, one send per slot; missed slot once', async (t) => {
  const pgs = await pgSchema();
  if ('skip' in pgs) {
    t.skip(pgs.skip);
    return;
  }
  try {
    const a = pgStore(pgs.schema);
    const b = pgStore(pgs.schema);
    await twoReplicasSendOnce({ a, b, close: async () => undefined });
    await a.close();
    await b.close();
  } finally {
    await pgs.drop();
  }
  const again = await pgSchema();
  if ('skip' in again) return;
  try {
    const a = pgStore(again.schema);
    const b = pgStore(again.schema);
    await missedSlotSentOnceAtStart({ a, b, close: async () => undefined });
    await a.close();
    await b.close();
  } finally {
    await again.drop();
  }
});
