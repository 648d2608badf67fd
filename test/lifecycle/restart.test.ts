// Durability: the process is killed after the occurrence and its reply were committed but before the
// platform call returned. A restarted core on the same store delivers that reply exactly once
// (SQLite file and PostgreSQL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, RecordingPort, makeBot, message, pgSchema, pgStore, sqliteStore, until } from './harness.ts';
import type { Store } from '../../bot/store/store.ts';

const hung = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n [<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';

async function killedThenRestarted(first: Store, reopen: () => Store): Promise<void> {
  const clock = new FakeClock();
  const a = await makeBot({ store: first, clock, holder: 'replica-a' });
  const hanging = new RecordingPort();
  hanging.mode = 'hang'; // the process "dies" while the platform call is in flight
  a.core.context.ports.set(hanging.platform, hanging);
  void a.core.handleMessage(message(hung, { messageId: '1800.1', eventId: 'evt-kill' }));
  await until(async () => (await first.getDelivery(1)) !== null, 'the committed outbox entry');
  assert.equal((await first.getDelivery(1))!.deliveredAt, null);
  assert.equal((await first.listIncidents()).length, 1, 'the occurrence is committed before any reply');
  assert.equal(hanging.posts.length, 0);

  // Restart: same replica id, same database, a working platform; the dead process's claim lapses (60 s).
  const store2 = reopen();
  clock.advance(61_000);
  const b = await makeBot({ store: store2, clock, holder: 'replica-a' });
  const port = new RecordingPort();
  b.core.context.ports.set(port.platform, port);
  // The platform re-delivers the event after the restart: already recorded, so no second reply.
  assert.deepEqual(await b.core.handleMessage(message(hung, { messageId: '1800.1', eventId: 'evt-kill' })), { kind: 'duplicate' });
  // Two drains at once in the restarted process (registerPort's and serve's): still one post.
  const drains = await Promise.all([b.core.drainOutbox(), b.core.drainOutbox()]);
  assert.equal(drains[0].delivered + drains[1].delivered, 1);
  assert.deepEqual(await b.core.drainOutbox(), { delivered: 0, failed: 0 });
  clock.advance(3_600_000);
  assert.deepEqual(await b.core.drainOutbox(), { delivered: 0, failed: 0 });
  assert.equal(port.posts.length, 1);
  assert.equal(port.posts[0]!.target.messageId, '1800.1');
  assert.equal((await store2.postedMessages(port.posts[0]!.reply.incidentId!)).length, 1);
  await a.core.close();
  await b.core.close();
  await store2.close();
}

test('killed between commit and reply, restarted on the same SQLite file: the reply goes out once', async () => {
  const { store, path } = sqliteStore();
  await killedThenRestarted(store, () => sqliteStore(path).store);
});

test('killed between commit and reply, restarted on the same PostgreSQL: the reply goes out once', async (t) => {
  const pgs = await pgSchema();
  if ('skip' in pgs) {
    t.skip(pgs.skip);
    return;
  }
  const first = pgStore(pgs.schema);
  try {
    await killedThenRestarted(first, () => pgStore(pgs.schema));
  } finally {
    await first.close().catch(() => undefined);
    await pgs.drop();
  }
});
