// The incident service on a real store (called from store-suite.ts, so it runs on both backends):
// dedup across channels and platforms, regression reopen, duplicates, mutes, history, permissions,
// and two replicas recording the same new hang at once.

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { isLockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import { createIncidentService } from '../../bot/incidents/create-incident-service.ts';
import type { IncidentService, OccurrenceMeta } from '../../bot/incidents/incident-service.ts';
import type { Store } from '../../bot/store/store.ts';
import { analysisOf, DAY, HOUR, type fakeClock, type StoreDatabase, type StoreHarness } from './harness.ts';

const storage: OccurrenceMeta = { platform: 'slack', workspace: 'T1', channel: 'C-storage', channelName: '#storage', thread: null, messageId: '1.1', link: 'https://x.slack.com/archives/C-storage/p11', author: 'U-alice' };
const kernel: OccurrenceMeta = { platform: 'discord', workspace: 'G1', channel: 'D-kernel', channelName: '#kernel', thread: 'TH9', messageId: '555', link: null, author: 'U-bob' };
const everyone: Config['permissions'] = { resolve: 'everyone', mute: 'everyone', dup: 'everyone' };
const alice = { id: 'U-alice' };
const bob = { id: 'U-bob' };

export function incidentServiceCases(harness: StoreHarness, clock: ReturnType<typeof fakeClock>): void {
  describe('incident service', () => {
    let db: StoreDatabase;
    let store: Store;
    let svc: IncidentService;
    const hang = analysisOf('hung_task:mutex_lock<-ext4_sync_file');

    beforeEach(async () => {
      db = await harness.fresh();
      store = db.open();
      await store.migrate();
      svc = createIncidentService({ store, clock, permissions: everyone });
    });

    it('dedups one hang across channels and platforms: "seen 2 times since …, last in #storage"', async () => {
      const first = await svc.recordOccurrence(storage, hang);
      assert.equal(first.isNew, true);
      assert.equal(first.incident.id, 'LD-1');
      assert.equal(first.seenCount, 1);
      assert.equal(first.lastChannelName, null);
      assert.equal(first.incident.title, hang.title);
      const firstSeen = clock.iso();
      clock.advance(DAY);
      const second = await svc.recordOccurrence(kernel, hang);
      assert.equal(second.isNew, false);
      assert.equal(second.incident.id, 'LD-1');
      assert.equal(second.seenCount, 2);
      assert.equal(second.firstSeen, firstSeen);
      assert.equal(second.lastChannelName, '#storage', 'the previous sighting, not this one');
      assert.equal(second.incident.lastChannelName, '#kernel');
      assert.deepEqual((await svc.occurrences('LD-1')).map((o) => [o.platform, o.channel, o.author]), [['slack', 'C-storage', 'U-alice'], ['discord', 'D-kernel', 'U-bob']]);
      const other = await svc.recordOccurrence(storage, analysisOf('soft_lockup:other'));
      assert.equal(other.incident.id, 'LD-2');
    });

    it('a resolved hang seen again reopens as a regression, with history saying so', async () => {
      await svc.recordOccurrence(storage, hang);
      clock.advance(HOUR);
      const resolved = await svc.resolve('LD-1', alice, 'fixed by reverting the ext4 fast-commit patch');
      assert.equal(resolved.incident.status, 'resolved');
      clock.advance(DAY);
      const again = await svc.recordOccurrence(kernel, hang);
      assert.equal(again.regression, true);
      assert.equal(again.incident.status, 'open');
      assert.equal(again.incident.regression, true);
      assert.equal(again.seenCount, 2);
      const history = await svc.history('LD-1');
      assert.deepEqual(history.map((h) => [h.action, h.actor]), [['created', 'U-alice'], ['status:resolved', 'U-alice'], ['regression', 'lockdown'], ['occurrence', 'U-bob']]);
      assert.equal(history[1].detail, 'fixed by reverting the ext4 fast-commit patch');
      assert.equal(history[2].at, clock.iso());
      assert.equal(history[3].detail, 'in #kernel (discord)');
      const third = await svc.recordOccurrence(kernel, hang);
      assert.equal(third.regression, false, 'only the reopening occurrence is the regression');
    });

    it('a duplicate counts its new occurrences on the incident it duplicates', async () => {
      await svc.recordOccurrence(storage, hang);
      await svc.recordOccurrence(kernel, analysisOf('hung_task:mutex_lock<-ext4_fsync'));
      await svc.recordOccurrence(kernel, analysisOf('hung_task:third'));
      const d = await svc.dup('LD-2', 'LD-1', bob);
      assert.equal(d.incident.status, 'duplicate');
      assert.equal(d.incident.duplicateOf, 'LD-1');
      // LD-3 duplicates LD-2, which resolves to the root LD-1.
      assert.equal((await svc.dup('LD-3', 'LD-2', bob)).incident.duplicateOf, 'LD-1');
      const r = await svc.recordOccurrence(storage, analysisOf('hung_task:mutex_lock<-ext4_fsync'));
      assert.equal(r.incident.id, 'LD-1');
      assert.equal(r.duplicateFrom, 'LD-2');
      assert.equal(r.seenCount, 2);
      assert.equal((await svc.get('LD-2'))?.occurrenceCount, 1);
      assert.equal((await svc.history('LD-1')).at(-1)?.detail, 'in #storage (slack) via LD-2');
      await assert.rejects(svc.dup('LD-1', 'LD-2', bob), (e) => isLockdownError(e, 'LD_CONFLICT'), 'LD-1 cannot duplicate its own duplicate');
      await assert.rejects(svc.dup('LD-1', 'LD-9', bob), (e) => isLockdownError(e, 'LD_NOT_FOUND'));
    });

    it('a muted hang stays muted until the date, then a new occurrence reopens it', async () => {
      await svc.recordOccurrence(storage, hang);
      const until = new Date(clock().getTime() + 7 * DAY).toISOString();
      await assert.rejects(svc.mute('LD-1', alice, clock.iso()), (e) => isLockdownError(e, 'LD_USAGE'));
      const m = await svc.mute('LD-1', alice, until);
      assert.equal(m.incident.status, 'muted');
      assert.equal(m.incident.mutedUntil, until);
      clock.advance(DAY);
      const quiet = await svc.recordOccurrence(kernel, hang);
      assert.equal(quiet.muted, true);
      assert.equal(quiet.incident.status, 'muted');
      assert.equal(quiet.seenCount, 2);
      assert.deepEqual((await svc.listUnresolved()).map((i) => i.id), ['LD-1']);
      clock.advance(7 * DAY);
      const loud = await svc.recordOccurrence(kernel, hang);
      assert.equal(loud.muted, false);
      assert.equal(loud.incident.status, 'open');
      assert.equal(loud.incident.mutedUntil, null);
    });

    it('ack takes ownership, assign changes it, notes and a no-op change are recorded correctly', async () => {
      await svc.recordOccurrence(storage, hang);
      const a = await svc.ack('LD-1', bob);
      assert.equal(a.changed, true);
      assert.equal(a.incident.status, 'acknowledged');
      assert.equal(a.incident.owner, 'U-bob');
      assert.equal((await svc.ack('LD-1', alice)).changed, false);
      assert.equal((await svc.assign('LD-1', alice, 'U-carol')).incident.owner, 'U-carol');
      await svc.addNote('LD-1', alice, 'bisected to 6.1.12');
      assert.deepEqual((await svc.history('LD-1')).map((h) => [h.action, h.actor, h.detail]), [
        ['created', 'U-alice', 'in #storage (slack)'],
        ['status:acknowledged', 'U-bob', null],
        ['assign', 'U-alice', 'U-carol'],
        ['note', 'U-alice', 'bisected to 6.1.12'],
      ]);
      await svc.resolve('LD-1', alice);
      await assert.rejects(svc.ack('LD-1', bob), (e) => isLockdownError(e, 'LD_CONFLICT'));
      const reopened = await svc.reopen('LD-1', bob);
      assert.equal(reopened.incident.status, 'open');
      assert.equal(reopened.incident.regression, false, 'a manual reopen is not a regression');
      await assert.rejects(svc.resolve('LD-404', alice), (e) => isLockdownError(e, 'LD_NOT_FOUND'));
    });

    it('only the people in config.permissions may resolve, mute or dup', async () => {
      const strict = createIncidentService({ store, clock, permissions: { resolve: ['U-lead'], mute: ['U-lead'], dup: 'everyone' } });
      await strict.recordOccurrence(storage, hang);
      await strict.recordOccurrence(storage, analysisOf('other'));
      await assert.rejects(strict.resolve('LD-1', alice), (e) => isLockdownError(e, 'LD_FORBIDDEN') && /permissions\.resolve/.test(e.userMessage));
      await assert.rejects(strict.mute('LD-1', alice, null), (e) => isLockdownError(e, 'LD_FORBIDDEN'));
      assert.equal((await strict.get('LD-1'))?.status, 'open', 'nothing changed');
      assert.equal((await strict.resolve('LD-1', { id: 'U-lead' })).incident.status, 'resolved');
      assert.equal((await strict.mute('LD-2', { id: 'api', privileged: true }, null)).incident.status, 'muted');
      assert.equal((await strict.dup('LD-2', 'LD-1', alice)).incident.status, 'duplicate');
    });

    it('two replicas recording the same new hang at once make one incident with both occurrences', async () => {
      const other = db.open();
      const svc2 = createIncidentService({ store: other, clock, permissions: everyone });
      const results = await Promise.all([svc.recordOccurrence(storage, hang), svc2.recordOccurrence(kernel, hang), svc.recordOccurrence(kernel, hang), svc2.recordOccurrence(storage, hang)]);
      assert.equal(results.filter((r) => r.isNew).length, 1);
      const ids = new Set(results.map((r) => r.incident.id));
      assert.equal(ids.size, 1);
      assert.deepEqual(results.map((r) => r.seenCount).sort(), [1, 2, 3, 4]);
      const all = await svc.list();
      assert.deepEqual(all.map((i) => [i.id, i.occurrenceCount]), [[[...ids][0], 4]]);
    });

    it('joins the caller\'s transaction: event claim, occurrence and outbox entry commit together', async () => {
      const target = { platform: 'slack' as const, workspace: 'T1', channel: 'C-storage', thread: null, messageId: '1.1' };
      const reply = { text: 'x', blocks: [], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null };
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.claimEvent('slack', 'Ev-1', clock.iso()), true);
          const r = await svc.recordOccurrence(storage, hang, tx);
          await tx.enqueueDelivery({ target, reply: { ...reply, incidentId: r.incident.id }, eventId: 'Ev-1', incidentId: r.incident.id, kind: 'analysis', at: clock.iso() });
          throw new Error('process killed');
        }),
        /process killed/,
      );
      assert.deepEqual(await svc.list(), []);
      assert.equal(await store.claimEvent('slack', 'Ev-1', clock.iso()), true, 'the retry of the event is handled, not dropped');
    });
  });
}
