// The ONE store suite, run against SQLite (sqlite.test.ts) and PostgreSQL (pg.test.ts): the same
// assertions on both backends, including two "replicas" (two stores on one database) racing on
// migrations, idempotency claims, incident creation, outbox claims and the digest lease.

import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { isLockdownError } from '../../config/errors.ts';
import { MIGRATIONS } from '../../bot/store/migrations/migration.ts';
import type { Store } from '../../bot/store/store.ts';
import type { ReplyTarget } from '../../bot/ports.ts';
import type { Reply } from '../../bot/types.ts';
import { analysisOf, DAY, fakeClock, HOUR, MINUTE, type StoreDatabase, type StoreHarness } from './harness.ts';
import { incidentServiceCases } from './incident-suite.ts';

const target: ReplyTarget = { platform: 'slack', workspace: 'T1', channel: 'C-storage', thread: '1700000000.000100', messageId: '1700000000.000100' };
const reply: Reply = { text: 'LD-1 hung task', blocks: [{ type: 'header', text: 'LD-1 hung task' }, { type: 'text', text: 'mutex `ffff888100abc000`' }], ephemeral: false, incidentId: 'LD-1', reportUrl: null, fullMarkdown: null };

export function storeSuite(harness: StoreHarness): void {
  describe(`store (${harness.name})`, () => {
    let db: StoreDatabase;
    let store: Store;
    const clock = fakeClock();
    const at = (offsetMs = 0) => new Date(clock().getTime() + offsetMs).toISOString();

    beforeEach(async () => {
      clock.set('2026-11-02T09:00:00.000Z');
      db = await harness.fresh();
      store = db.open();
      await store.migrate();
    });
    after(() => harness.cleanup());

    describe('migrations', () => {
      it('two replicas migrating at once apply every version exactly once, and again is a no-op', async () => {
        const fresh = await harness.fresh();
        const [a, b] = [fresh.open(), fresh.open()];
        await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
        await b.migrate();
        assert.deepEqual(await fresh.migrationRows(), MIGRATIONS.map((m) => m.version));
        const created = await a.createIncident({ signature: 's', title: 't', family: 'hung_task', at: at() });
        assert.equal((await b.getIncident(created!.id))?.signature, 's');
      });
    });

    describe('idempotency', () => {
      it('claims a platform event once, per platform, and remembers it after a restart', async () => {
        await store.ping();
        assert.equal(await store.claimEvent('slack', 'Ev01', at()), true);
        assert.equal(await store.claimEvent('slack', 'Ev01', at()), false);
        assert.equal(await store.claimEvent('discord', 'Ev01', at()), true);
        await store.close();
        store = db.open();
        await store.migrate();
        assert.equal(await store.claimEvent('slack', 'Ev01', at()), false);
      });

      it('two replicas racing on one event id: exactly one wins', async () => {
        const other = db.open();
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimEvent('slack', 'Ev-race', at())));
        assert.equal(results.filter(Boolean).length, 1);
      });
    });

    describe('incidents', () => {
      it('gives short sequential ids and refuses a second incident for one signature', async () => {
        const a = await store.createIncident({ signature: 'sig-a', title: 'A', family: 'hung_task', at: at() });
        const b = await store.createIncident({ signature: 'sig-b', title: 'B', family: 'soft_lockup', at: at(MINUTE) });
        assert.equal(a?.id, 'LD-1');
        assert.equal(b?.id, 'LD-2');
        assert.equal(a?.status, 'open');
        assert.equal(a?.occurrenceCount, 0);
        assert.equal(await store.createIncident({ signature: 'sig-a', title: 'A again', family: 'hung_task', at: at() }), null);
        assert.equal((await store.getIncident('ld-2'))?.signature, 'sig-b');
        assert.equal((await store.getIncident('2'))?.title, 'B');
        assert.equal(await store.getIncident('LD-99'), null);
        assert.equal(await store.getIncident('DROP TABLE'), null);
        assert.equal(await store.getIncident('LD-99999999999'), null);
        assert.equal((await store.getIncidentBySignature('sig-b'))?.id, 'LD-2');
      });

      it('two replicas creating the same signature at once: one incident, the loser gets null', async () => {
        const other = db.open();
        const made = await Promise.all([store, other, store, other].map((s) => s.createIncident({ signature: 'sig-race', title: 'R', family: 'hung_task', at: at() })));
        assert.equal(made.filter((x) => x !== null).length, 1);
        assert.equal((await store.listIncidents()).length, 1);
      });

      it('updates status fields and reports unknown ids as LD_NOT_FOUND', async () => {
        const a = await store.createIncident({ signature: 'sig-a', title: 'A', family: 'hung_task', at: at() });
        const u = await store.updateIncident(a!.id, { status: 'muted', mutedUntil: '2026-11-09T09:00:00Z', owner: 'U7', regression: true }, at(HOUR));
        assert.equal(u.status, 'muted');
        assert.equal(u.mutedUntil, '2026-11-09T09:00:00.000Z');
        assert.equal(u.owner, 'U7');
        assert.equal(u.regression, true);
        assert.equal(u.updatedAt, at(HOUR));
        const cleared = await store.updateIncident(a!.id, { owner: null, mutedUntil: null, status: 'open' }, at(2 * HOUR));
        assert.equal(cleared.owner, null);
        assert.equal(cleared.mutedUntil, null);
        assert.equal(cleared.regression, true, 'fields not in the patch stay');
        await assert.rejects(store.updateIncident('LD-42', { status: 'open' }, at()), (e) => isLockdownError(e, 'LD_NOT_FOUND'));
      });

      it('keeps every occurrence with its full analysis and counts them on the incident', async () => {
        const inc = await store.createIncident({ signature: 'sig-a', title: 'A', family: 'hung_task', at: at() });
        const analysis = analysisOf('sig-a');
        const first = await store.insertOccurrence({ incidentId: inc!.id, platform: 'slack', workspace: 'T1', channel: 'C-storage', channelName: '#storage', thread: null, messageId: '1.1', link: 'https://x.slack.com/p1', author: 'U1', seenAt: at(), analysis });
        await store.insertOccurrence({ incidentId: inc!.id, platform: 'discord', workspace: 'G1', channel: 'D-kernel', channelName: '#kernel', thread: 'th', messageId: '99', link: null, author: 'U2', seenAt: at(DAY), analysis });
        // Recorded late but older: it must not become the "last seen" channel.
        await store.insertOccurrence({ incidentId: inc!.id, platform: 'slack', workspace: 'T1', channel: 'C-old', channelName: '#old', thread: null, messageId: '0.1', link: null, author: 'U3', seenAt: at(-DAY), analysis });
        assert.equal(first.incidentId, 'LD-1');
        assert.deepEqual(await store.getOccurrence(first.id), first);
        assert.equal(await store.getOccurrence(first.id + 1000), null);
        const occ = await store.listOccurrences('LD-1');
        assert.deepEqual(occ.map((o) => o.channel), ['C-old', 'C-storage', 'D-kernel']);
        assert.deepEqual(occ[1].analysis, analysis);
        assert.equal(occ[2].platform, 'discord');
        assert.equal(occ[2].thread, 'th');
        assert.equal(await store.countOccurrences('LD-1'), 3);
        const now = await store.getIncident('LD-1');
        assert.equal(now?.occurrenceCount, 3);
        assert.equal(now?.lastChannelName, '#kernel');
        assert.equal(now?.lastSeen, at(DAY));
        assert.equal(now?.firstSeen, at(-DAY));
        await assert.rejects(store.insertOccurrence({ ...first, incidentId: 'LD-77', seenAt: at(), analysis }), (e) => isLockdownError(e, 'LD_NOT_FOUND'));
      });

      it('gives the newest occurrence of each incident in one call (seen time, not insertion order)', async () => {
        const a = await store.createIncident({ signature: 'sig-a', title: 'A', family: 'hung_task', at: at() });
        const b = await store.createIncident({ signature: 'sig-b', title: 'B', family: 'hung_task', at: at() });
        const c = await store.createIncident({ signature: 'sig-c', title: 'C', family: 'hung_task', at: at() });
        const occ = (incidentId: string, seenAt: string) => store.insertOccurrence({ incidentId, platform: 'slack', workspace: 'T1', channel: 'C1', channelName: null, thread: null, messageId: null, link: null, author: null, seenAt, analysis: analysisOf(incidentId) });
        await occ(a!.id, at());
        const aNewest = await occ(a!.id, at(DAY));
        await occ(a!.id, at(-DAY)); // recorded last, seen first: not the newest
        const bOnly = await occ(b!.id, at(HOUR));
        const both = await store.latestOccurrenceIds([a!.id, b!.id, c!.id, 'ld-1', 'LD-999', 'nonsense']);
        assert.deepEqual([...both.entries()].sort(), [[a!.id, aNewest.id], [b!.id, bOnly.id]], 'C has none; unknown ids are absent');
        // Same seen time: the later recorded wins, as in listOccurrences.
        const tie = await occ(b!.id, at(HOUR));
        assert.equal((await store.latestOccurrenceIds([b!.id])).get(b!.id), tie.id);
        assert.equal((await store.listOccurrences(b!.id)).at(-1)!.id, tie.id);
        assert.deepEqual(await store.latestOccurrenceIds([]), new Map());
      });

      it('lists by status, channel and workspace, newest activity first', async () => {
        for (const [sig, ch, ws, offset] of [['s1', 'C1', 'T1', 0], ['s2', 'C2', 'T1', HOUR], ['s3', 'C1', 'T2', 2 * HOUR]] as const) {
          const inc = await store.createIncident({ signature: sig, title: sig, family: 'hung_task', at: at(offset) });
          await store.insertOccurrence({ incidentId: inc!.id, platform: 'slack', workspace: ws, channel: ch, channelName: null, thread: null, messageId: null, link: null, author: null, seenAt: at(offset), analysis: analysisOf(sig) });
        }
        await store.updateIncident('LD-2', { status: 'resolved' }, at(3 * HOUR));
        const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
        assert.deepEqual(ids(await store.listIncidents()), ['LD-3', 'LD-2', 'LD-1']);
        assert.deepEqual(ids(await store.listIncidents({ status: ['open'] })), ['LD-3', 'LD-1']);
        assert.deepEqual(ids(await store.listIncidents({ channel: 'C1' })), ['LD-3', 'LD-1']);
        assert.deepEqual(ids(await store.listIncidents({ workspace: 'T1' })), ['LD-2', 'LD-1']);
        assert.deepEqual(ids(await store.listIncidents({ workspace: 'T1', status: ['open', 'acknowledged'] })), ['LD-1']);
        assert.deepEqual(ids(await store.listIncidents({ limit: 1 })), ['LD-3']);
      });

      it('keeps history in order with who, what and when', async () => {
        await store.createIncident({ signature: 's', title: 't', family: 'hung_task', at: at() });
        await store.addHistory({ incidentId: 'LD-1', at: at(MINUTE), actor: 'U1', action: 'status:acknowledged', detail: null });
        await store.addHistory({ incidentId: 'LD-1', at: at(2 * MINUTE), actor: 'U2', action: 'status:resolved', detail: 'fixed in 6.1.12' });
        assert.deepEqual(await store.listHistory('LD-1'), [
          { incidentId: 'LD-1', at: at(MINUTE), actor: 'U1', action: 'status:acknowledged', detail: null },
          { incidentId: 'LD-1', at: at(2 * MINUTE), actor: 'U2', action: 'status:resolved', detail: 'fixed in 6.1.12' },
        ]);
      });
    });

    describe('transactions and the outbox', () => {
      it('commits the occurrence and its outbox entry together, or neither', async () => {
        await assert.rejects(
          store.transaction(async (tx) => {
            const inc = await tx.createIncident({ signature: 'lost', title: 't', family: 'hung_task', at: at() });
            await tx.enqueueDelivery({ target, reply, eventId: 'Ev1', incidentId: inc!.id, kind: 'analysis', at: at() });
            throw new Error('killed before commit');
          }),
          /killed before commit/,
        );
        assert.equal(await store.getIncidentBySignature('lost'), null);
        assert.deepEqual(await store.pendingDeliveries(at()), []);

        // (PostgreSQL sequences are not transactional: the rolled-back incident may leave a gap in ids.)
        const [id, incidentId] = await store.transaction(async (tx) => {
          const inc = await tx.createIncident({ signature: 'kept', title: 't', family: 'hung_task', at: at() });
          await tx.insertOccurrence({ incidentId: inc!.id, platform: 'slack', workspace: 'T1', channel: 'C1', channelName: null, thread: null, messageId: '1', link: null, author: 'U1', seenAt: at(), analysis: analysisOf('kept') });
          return [await tx.enqueueDelivery({ target, reply, eventId: 'Ev2', incidentId: inc!.id, kind: 'analysis', at: at() }), inc!.id] as const;
        });
        // A restart (new store on the same database) finds the reply still owed.
        await store.close();
        store = db.open();
        await store.migrate();
        const pending = await store.pendingDeliveries(at());
        assert.deepEqual(pending.map((d) => [d.id, d.eventId, d.incidentId, d.kind, d.attempts]), [[id, 'Ev2', incidentId, 'analysis', 0]]);
        assert.deepEqual(pending[0].target, target);
        assert.deepEqual(pending[0].reply, reply);
        assert.equal(await store.countOccurrences(incidentId), 1);
        assert.equal((await store.getIncidentBySignature('kept'))?.id, incidentId);
      });

      it('an operation made outside a running transaction is not rolled back with it', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const tx = store.transaction(async (t) => {
          await t.createIncident({ signature: 'in-tx', title: 't', family: 'hung_task', at: at() });
          await gate;
          throw new Error('rollback');
        });
        const outside = store.claimEvent('slack', 'Ev-outside', at());
        release();
        await assert.rejects(tx, /rollback/);
        assert.equal(await outside, true);
        assert.equal(await store.claimEvent('slack', 'Ev-outside', at()), false, 'the claim survived the rollback');
        assert.equal(await store.getIncidentBySignature('in-tx'), null);
      });

      it('retries failed deliveries when due, gives up when told, and two replicas never both claim one', async () => {
        const other = db.open();
        const id = await store.enqueueDelivery({ target, reply, eventId: 'Ev1', incidentId: null, kind: 'analysis', at: at() });
        const claims = await Promise.all([store.claimDelivery(id, 'replica-a', at(MINUTE), at()), other.claimDelivery(id, 'replica-b', at(MINUTE), at())]);
        assert.equal(claims.filter(Boolean).length, 1);
        assert.deepEqual(await store.pendingDeliveries(at()), [], 'a claimed delivery is not pending');
        const winner = claims[0] ? 'replica-a' : 'replica-b';
        await store.markFailed(id, 'slack: ratelimited', at(5 * MINUTE));
        assert.deepEqual(await store.pendingDeliveries(at(4 * MINUTE)), []);
        const due = await store.pendingDeliveries(at(5 * MINUTE));
        assert.equal(due[0].attempts, 1);
        assert.equal(due[0].lastError, 'slack: ratelimited');
        // An expired claim can be taken over by the other replica.
        assert.equal(await store.claimDelivery(id, winner, at(6 * MINUTE), at(5 * MINUTE)), true);
        assert.equal(await other.claimDelivery(id, 'replica-c', at(8 * MINUTE), at(5 * MINUTE)), false);
        assert.equal(await other.claimDelivery(id, 'replica-c', at(8 * MINUTE), at(7 * MINUTE)), true);
        const ref = { platform: 'slack' as const, channel: 'C-storage', thread: '1700000000.000100', messageId: '1700000001.000200' };
        await other.markDelivered(id, ref, at(7 * MINUTE));
        assert.deepEqual(await store.pendingDeliveries(at(DAY)), []);
        const done = await store.getDelivery(id);
        assert.deepEqual(done?.postedRef, ref);
        assert.equal(done?.deliveredAt, at(7 * MINUTE));
        assert.equal(await store.claimDelivery(id, 'replica-d', at(DAY), at(DAY)), false, 'delivered is final');

        const doomed = await store.enqueueDelivery({ target: { ...target, platform: 'discord' }, reply, eventId: null, incidentId: null, kind: 'notice', at: at() });
        assert.deepEqual((await store.pendingDeliveries(at(), { platform: 'discord' })).map((d) => d.id), [doomed]);
        assert.deepEqual(await store.pendingDeliveries(at(), { platform: 'slack' }), []);
        await store.markFailed(doomed, 'discord: Unknown Channel', null);
        assert.deepEqual(await store.pendingDeliveries(at(DAY)), []);
        assert.equal((await store.getDelivery(doomed))?.nextAttemptAt, null);
      });

      it('remembers posted messages per incident', async () => {
        await store.createIncident({ signature: 's', title: 't', family: 'hung_task', at: at() });
        const ref = { platform: 'discord' as const, channel: 'D1', thread: 'TH1', messageId: 'M1' };
        await store.recordPostedMessage('LD-1', ref, 'analysis', at());
        await store.recordPostedMessage('LD-1', { ...ref, messageId: 'M2' }, 'notice', at(MINUTE));
        assert.deepEqual(await store.postedMessages('LD-1'), [
          { incidentId: 'LD-1', ref, kind: 'analysis', postedAt: at() },
          { incidentId: 'LD-1', ref: { ...ref, messageId: 'M2' }, kind: 'notice', postedAt: at(MINUTE) },
        ]);
      });
    });

    describe('digest lease', () => {
      it('two replicas racing for one channel+slot: exactly one gets it; a completed slot is never taken again', async () => {
        const other = db.open();
        const key = 'digest:slack:C-storage:2026-11-02T09:00:00.000Z';
        const got = await Promise.all([store, other, store, other].map((s, i) => s.tryAcquireLease(key, `replica-${i % 2}`, at(5 * MINUTE), at())));
        assert.equal(got.filter(Boolean).length, 2, 'the winner may re-enter, the loser never');
        assert.ok(got[0] !== got[1]);
        const winner = got[0] ? 'replica-0' : 'replica-1';
        const loser = winner === 'replica-0' ? 'replica-1' : 'replica-0';
        assert.equal(await other.tryAcquireLease(key, loser, at(10 * MINUTE), at(MINUTE)), false);
        await store.completeLease(key, winner, at(MINUTE));
        await store.recordDigestSlot('slack:C-storage', '2026-11-02T09:00:00Z', at(MINUTE));
        assert.equal(await other.tryAcquireLease(key, loser, at(DAY), at(DAY)), false, 'sent once, even after expiry');
        assert.equal(await store.tryAcquireLease(key, winner, at(DAY), at(DAY)), false);
        assert.equal(await other.lastDigestSlot('slack:C-storage'), '2026-11-02T09:00:00.000Z');
        assert.equal(await other.lastDigestSlot('slack:C-other'), null);
      });

      it('a lease whose holder died (expired, not completed) is taken over', async () => {
        const key = 'digest:discord:D1:2026-11-03T09:00:00.000Z';
        assert.equal(await store.tryAcquireLease(key, 'dead', at(5 * MINUTE), at()), true);
        assert.equal(await store.tryAcquireLease(key, 'alive', at(15 * MINUTE), at(4 * MINUTE)), false);
        assert.equal(await store.tryAcquireLease(key, 'alive', at(15 * MINUTE), at(5 * MINUTE)), true);
        await store.recordDigestSlot('discord:D1', '2026-11-03T09:00:00Z', at(6 * MINUTE));
        await store.recordDigestSlot('discord:D1', '2026-11-02T09:00:00Z', at(6 * MINUTE));
        assert.equal(await store.lastDigestSlot('discord:D1'), '2026-11-03T09:00:00.000Z');
      });
    });

    describe('settings', () => {
      it('two replicas racing to initialise one key agree on the first value, and it survives a restart', async () => {
        const other = db.open();
        const got = await Promise.all(['v-0', 'v-1', 'v-2', 'v-3'].map((v, i) => (i % 2 ? other : store).settingOrInit('report-link-secret', v, at())));
        assert.equal(new Set(got).size, 1, `replicas disagree: ${got.join(', ')}`);
        assert.ok(['v-0', 'v-1', 'v-2', 'v-3'].includes(got[0]!));
        await store.close();
        store = db.open();
        await store.migrate();
        assert.equal(await store.settingOrInit('report-link-secret', 'v-after-restart', at(DAY)), got[0]);
        assert.equal(await store.settingOrInit('another-key', 'x', at()), 'x', 'keys are independent');
      });
    });

    afterEach(async () => {
      await store.close().catch(() => undefined);
    });

    incidentServiceCases(harness, clock);
  });
}
