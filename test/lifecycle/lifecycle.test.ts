// The whole lifecycle, on SQLite and on PostgreSQL, through the HTTP API and through an in-process
// fake adapter, with the documented cases' real traces as pastes:
// paste → analysis → incident → seen again → ack → resolve → regression → digest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildService, type Service } from '../../bot/http/build-service.ts';
import { silentLogger } from '../../bot/log.ts';
import type { Store } from '../../bot/store/store.ts';
import type { Incident } from '../../bot/types.ts';
import { FakeClock, FakeScheduler, RecordingPort, SEEDS, loadAnalyzer, message, pgSchema, pgStore, sqliteStore, testConfig } from './harness.ts';

const seed = (n: string): string => readFileSync(`${SEEDS}/${n}`, 'utf8');
const SEED_000 = seed('000_f2b6f952a013b8da.txt');
const SEED_003 = seed('003_8e2fec0ccb6e1cbe.txt');

async function start(store: Store, clock: FakeClock): Promise<{ svc: Service; base: string; port: RecordingPort; slack: RecordingPort; scheduler: FakeScheduler }> {
  const { analyze, real } = await loadAnalyzer();
  assert.ok(real, 'the lifecycle runs on the real engine (analyzers/analyze.ts)');
  const config = testConfig({ digest: { timezone: 'UTC', channels: [{ platform: 'slack', channel: 'C-DIGEST' }] } });
  const scheduler = new FakeScheduler();
  const svc = await buildService({ config, logger: silentLogger(), clock: clock.now, store, analyze, scheduler, holder: 'life' });
  const where = await svc.http.listen({ port: 0, host: '127.0.0.1' });
  const port = new RecordingPort('test');
  svc.core.registerPort(port);
  const slack = new RecordingPort('slack');
  svc.core.registerPort(slack);
  await svc.core.digest.start();
  return { svc, base: where.url.replace(/\/$/, ''), port, slack, scheduler };
}

async function api<T>(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, init);
  return { status: res.status, body: (await res.json()) as T };
}

async function lifecycle(store: Store): Promise<void> {
  const clock = new FakeClock('2026-11-02T09:00:00Z');
  const { svc, base, port, slack, scheduler } = await start(store, clock);
  try {
    // 1. Paste through the HTTP API (seed 000: rmmod stuck behind a self-deadlocked kworker).
    const first = await api<{ analysis: { family: string; signature: string }; incident: Incident; occurrenceId: number }>(base, '/api/analyses', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: SEED_000 });
    assert.equal(first.status, 201);
    assert.notEqual(first.body.analysis.family, 'not_kernel');
    const id = first.body.incident.id;
    assert.match(id, /^LD-\d+$/);
    assert.equal(first.body.incident.status, 'open');

    // 2. Seen again in a chat channel through the fake adapter: same incident, "seen 2 times".
    clock.set('2026-11-05T10:00:00Z');
    const chat = await svc.core.handleMessage(message(SEED_000, { messageId: 'T-100', channelName: 'storage' }));
    assert.equal(chat.kind, 'replied');
    assert.equal(chat.kind === 'replied' && chat.incidentId, id);
    assert.equal(port.posts.length, 1);
    const blocks = port.posts[0]!.reply.blocks;
    assert.match(JSON.stringify(blocks), /seen 2 times since 2026-11-02/);
    // The documented finding of case 000: rmmod's flush waits on kworker/1:2, which owns the ww_mutex
    // it waits for (a cycle), and the reply names that lock and its holder.
    const chain = blocks.find((b) => b.type === 'chain');
    assert.ok(chain && chain.type === 'chain' && chain.cycle);
    assert.deepEqual(chain.links.map((l) => l.task), ['rmmod:31969', 'kworker/1:2:4790']);
    const lock = blocks.find((b) => b.type === 'fields');
    assert.ok(lock && lock.type === 'fields');
    assert.match(lock.fields.find((f) => f.label === 'Suspect lock')!.value, /ffff880035acf1e0/);
    assert.equal(lock.fields.find((f) => f.label === 'Holder')!.value, 'kworker/1:2:4790');
    assert.ok(blocks.some((b) => b.type === 'list' && b.title.startsWith('Checklist') && b.items.length > 0));

    // A different hang (seed 003) is a different incident.
    const other = await api<{ incident: Incident; analysis: { findings: Array<{ cycle: boolean; suspectLock: { address: string; holder: string } | null }> } }>(base, '/api/analyses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: SEED_003 }) });
    assert.equal(other.status, 201);
    // Case 003: the mmap_sem reader/writer cycle; java:22134 holds the read side.
    assert.equal(other.body.analysis.findings[0]!.cycle, true);
    assert.equal(other.body.analysis.findings[0]!.suspectLock?.address, 'ffff8b92ab737e20');
    assert.equal(other.body.analysis.findings[0]!.suspectLock?.holder, 'java:22134');
    assert.notEqual(other.body.incident.id, id);

    // 3. Ack from the command grammar; 4. resolve through the HTTP API. Both reach the chat thread.
    const ack = await svc.core.handleCommand({ platform: 'test', workspace: 'T1', channel: 'C1', channelName: 'storage', thread: null, author: 'U2', authorName: 'bob', text: `ack ${id}`, eventId: 'c1', attachments: [] });
    assert.match(ack.text, /acknowledged by bob/);
    const resolved = await api<{ incident: Incident; changed: boolean }>(base, `/api/incidents/${id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved', note: 'qxl fix backported', actor: 'alice' }) });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.incident.status, 'resolved');
    const notices = port.posts.slice(1).map((p) => p.reply.text);
    assert.deepEqual(notices.map((n) => /acknowledged|resolved/.exec(n)?.[0]), ['acknowledged', 'resolved']);
    assert.ok(port.posts.slice(1).every((p) => p.target.thread === 'T-100'), 'notices land in the original thread');

    const open = await api<{ incidents: Incident[] }>(base, '/api/incidents?status=open');
    assert.deepEqual(open.body.incidents.map((i) => i.id), [other.body.incident.id]);

    // 5. Seen again after the fix: a regression, reopened.
    clock.set('2026-11-20T08:00:00Z');
    const back = await svc.core.handleMessage(message(SEED_000, { channel: 'C7', channelName: 'kernel' }));
    assert.equal(back.kind, 'replied');
    assert.match(JSON.stringify(port.posts.at(-1)!.reply.blocks), /Regression/);
    const detail = await api<{ incident: Incident; occurrences: unknown[]; history: Array<{ action: string }> }>(base, `/api/incidents/${id.toLowerCase()}`);
    assert.equal(detail.body.incident.status, 'open');
    assert.equal(detail.body.incident.regression, true);
    assert.equal(detail.body.occurrences.length, 3);
    assert.ok(detail.body.history.some((h) => /regression/.test(h.action)));

    // 6. The digest: both unresolved incidents, the regression flagged, sent once.
    clock.set('2026-11-23T09:00:01Z');
    scheduler.fire(new Date('2026-11-23T09:00:00Z'));
    await svc.core.digest.idle();
    const digests = slack.posts.filter((p) => p.target.channel === 'C-DIGEST');
    assert.equal(digests.length, 1);
    const text = JSON.stringify(digests[0]!.reply.blocks);
    assert.match(text, new RegExp(`${id}.*⚠ regression`));
    assert.match(text, new RegExp(other.body.incident.id));

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const apiAnalyses = [...metrics.matchAll(/^lockdown_analyses_total\{family="[a-z_]+",source="api"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(apiAnalyses, 2);
    assert.match(metrics, /lockdown_digest_runs_total\{result="sent"\} 1/);
  } finally {
    await svc.close();
  }
}

test('lifecycle on SQLite: paste, seen again, ack, resolve, regression, digest', async () => {
  const { store } = sqliteStore();
  await lifecycle(store);
});

test('lifecycle on PostgreSQL', async (t) => {
  const pgs = await pgSchema();
  if ('skip' in pgs) {
    t.skip(pgs.skip);
    return;
  }
  try {
    await lifecycle(pgStore(pgs.schema));
  } finally {
    await pgs.drop();
  }
});
