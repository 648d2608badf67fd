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

test('with no report secret configured, a report link posted before a restart still opens after it, on every replica', async () => {
  const { buildService } = await import('../../bot/http/build-service.ts');
  const { silentLogger } = await import('../../bot/log.ts');
  const { testConfig, loadAnalyzer } = await import('./harness.ts');
  const { reportPath } = await import('../../bot/web/report-token.ts');
  const config = testConfig();
  assert.equal(config.server.reportSecret, null, 'this test is about the unset secret');
  const { analyze } = await loadAnalyzer();
  const clock = new FakeClock();
  const { store, path } = sqliteStore();
  const first = await buildService({ config, logger: silentLogger(), clock: clock.now, store, analyze, holder: 'before' });
  const port = new RecordingPort();
  first.core.registerPort(port);
  await first.core.handleMessage(message(hung));
  const occurrence = (await store.listOccurrences('LD-1'))[0]!;
  const link = reportPath(occurrence.id, first.reportSecret);
  await first.close();

  // the restarted process and a second replica on the same file both accept the old link
  const [again, replica] = await Promise.all(
    ['after', 'replica'].map((holder) => buildService({ config, logger: silentLogger(), clock: clock.now, store: sqliteStore(path).store, analyze, holder })),
  );
  try {
    for (const svc of [again!, replica!]) {
      assert.equal(svc.reportSecret, first.reportSecret);
      const where = await svc.http.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(where.url.replace(/\/$/, '') + link);
      assert.equal(res.status, 200, `the link from before the restart opens on ${svc === again ? 'the restarted process' : 'the replica'}`);
      assert.match(await res.text(), /flush_workqueue/);
    }
  } finally {
    await Promise.all([again!.close(), replica!.close()]);
  }
});
