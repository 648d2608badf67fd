// The page's services on the real core, incident service and SQLite store (the analyzer is injected,
// as everywhere in bot/): a page paste is recorded like a chat paste, its report loads by occurrence
// id with the cited lines kept, the page's buttons change the incident, the digest preview follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../config/load-config.ts';
import { createBotCore } from '../core.ts';
import { createIncidentService } from '../incidents/create-incident-service.ts';
import { silentLogger } from '../log.ts';
import { createSqliteStore } from '../store/sqlite-store.ts';
import { mmapSemCycle } from './fixtures/analyses.ts';
import { renderReportPage } from './report-page.ts';
import { createWebDeps } from './web-deps.ts';

async function setup(host = '127.0.0.1') {
  const clock = () => new Date('2026-11-24T04:00:00.000Z');
  const config = buildConfig({ log: { level: 'silent' }, server: { host, apiToken: host === '127.0.0.1' ? null : 'tok' } }, {}, 'test');
  const store = createSqliteStore({ path: ':memory:', clock });
  await store.migrate();
  const incidents = createIncidentService({ store, clock, permissions: config.permissions });
  const core = createBotCore({ config, store, incidents, analyze: () => mmapSemCycle(), clock, logger: silentLogger(), scheduler: { schedule: () => ({ stop() {} }) } });
  return { deps: createWebDeps({ core, reportSecret: 's' }), store, core };
}

const paste = Array.from({ length: 45 }, (_, i) => (i === 19 ? 'crash> list rwsem_waiter.list -h 0xffff8b92ab737e20' : `line ${i + 1}`)).join('\n');

test('a page paste is recorded on platform web and its report quotes the cited lines', async () => {
  const { deps, store, core } = await setup();
  const r = await deps.analyzePaste(paste);
  assert.equal(r.incidentId, 'LD-1');
  assert.equal(typeof r.occurrenceId, 'number');
  assert.ok(r.reply.blocks.some((b) => b.type === 'chain'));
  const report = await deps.loadReport(r.occurrenceId!);
  assert.equal(report?.occurrence.platform, 'web');
  assert.equal(report?.incident?.id, 'LD-1');
  const page = renderReportPage(report!, 'n');
  assert.ok(page.includes('data-line="20">20</span>crash&gt; list rwsem_waiter.list -h 0xffff8b92ab737e20'));
  assert.equal(await deps.loadReport(r.occurrenceId! + 100), null);
  await core.close();
  await store.close();
});

test('the page buttons go through the core; the digest preview follows the status', async () => {
  const { deps, store, core } = await setup();
  await deps.analyzePaste(paste);
  assert.match((await deps.digestPreview())?.text ?? '', /1 unresolved/);
  const out = await deps.changeStatus('LD-1', 'resolve', 'web');
  assert.match(out.notice ?? '', /LD-1 resolved/);
  assert.equal((await deps.listIncidents())[0].status, 'resolved');
  assert.equal(await deps.digestPreview(), null);
  await core.close();
  await store.close();
});

test('the latest occurrence of each incident, for the list\'s report links', async () => {
  const { deps, store, core } = await setup();
  const first = await deps.analyzePaste(paste);
  const second = await deps.analyzePaste(paste);
  assert.equal(first.incidentId, second.incidentId);
  assert.notEqual(first.occurrenceId, second.occurrenceId);
  assert.deepEqual(await deps.latestOccurrenceIds(['LD-1', 'LD-2']), new Map([['LD-1', second.occurrenceId!]]));
  await core.close();
  await store.close();
});

test('beyond loopback the page is read-only', async () => {
  const { deps, store, core } = await setup('0.0.0.0');
  assert.equal(deps.allowWrites, false);
  await core.close();
  await store.close();
});
