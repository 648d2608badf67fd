// One "replica" process for sqlite-processes.test.ts: migrates the shared file, then races the other
// process on event claims, incident creation, transactions and the digest lease; prints what it won.

import { createSqliteStore } from '../../../bot/store/sqlite-store.ts';

const [path, name] = process.argv.slice(2);
const at = '2026-11-02T09:00:00.000Z';
const store = createSqliteStore({ path, clock: () => new Date(at), busyTimeoutMs: 30_000 }); // generous: a loaded box must wait, not fail
await store.migrate();
let events = 0;
let incidents = 0;
let leases = 0;
for (let i = 0; i < 40; i++) {
  if (await store.claimEvent('slack', `Ev${i}`, at)) events++;
  const made = await store.transaction(async (tx) => {
    const inc = await tx.createIncident({ signature: `sig-${i % 10}`, title: 't', family: 'hung_task', at });
    // Hold the transaction across an await, as the incident service does.
    await new Promise((r) => setImmediate(r));
    if (inc) await tx.addHistory({ incidentId: inc.id, at, actor: name, action: 'created', detail: null });
    return inc !== null;
  });
  if (made) incidents++;
  if (await store.tryAcquireLease(`digest:C1:slot-${i}`, name, '2026-11-02T09:10:00.000Z', at)) leases++;
}
await store.close();
process.stdout.write(JSON.stringify({ events, incidents, leases }));
