// Beyond loopback the server wants its API token everywhere, but a chat link to a report must open
// in a browser that has none: /report is mounted public (its HMAC token authenticates it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../config/load-config.ts';
import { createBotCore } from '../core.ts';
import { createHttpServer } from '../http/create-http-server.ts';
import { createIncidentService } from '../incidents/create-incident-service.ts';
import { silentLogger } from '../log.ts';
import { createSqliteStore } from '../store/sqlite-store.ts';
import { mmapSemCycle } from './fixtures/analyses.ts';
import { mountWebPage, reportLinker } from './mount-web.ts';
import { reportPath } from './report-token.ts';

test('beyond loopback: the page needs the API token, a signed report link does not, an unsigned one is 403', async () => {
  const clock = () => new Date('2026-11-24T04:00:00.000Z');
  const config = buildConfig({ log: { level: 'silent' }, server: { host: '0.0.0.0', apiToken: 'api-token-123', publicUrl: 'https://ld.example' } }, {}, 'test');
  const store = createSqliteStore({ path: ':memory:', clock });
  await store.migrate();
  const incidents = createIncidentService({ store, clock, permissions: config.permissions });
  const secret = 'mount-secret';
  const core = createBotCore({ config, store, incidents, analyze: () => mmapSemCycle(), clock, logger: silentLogger(), scheduler: { schedule: () => ({ stop() {} }) }, reportUrl: reportLinker(config.server.publicUrl, secret) });
  const http = createHttpServer({ config, core, logger: silentLogger() });
  mountWebPage(http, core, secret);
  const { port } = await http.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${port}`;
  try {
    const r = await core.analyzeText('PID: 1 TASK: ffff COMMAND: "x"', { platform: 'api' });
    const id = r.occurrenceId!;
    // The chat reply carries the public, signed link to this occurrence.
    assert.equal(r.reply.reportUrl, `https://ld.example${reportPath(id, secret)}`);
    assert.equal((await fetch(`${base}/`)).status, 401);
    assert.equal((await fetch(`${base}/`, { headers: { authorization: 'Bearer api-token-123' } })).status, 200);
    const report = await fetch(base + reportPath(id, secret));
    assert.equal(report.status, 200);
    assert.match(await report.text(), /class="wait-graph has-cycle"/);
    assert.equal((await fetch(`${base}/report/${id}`)).status, 403);
    assert.equal((await fetch(`${base}/report/${id}?token=${'A'.repeat(43)}`)).status, 403);
  } finally {
    await core.close();
    await http.close();
    await store.close();
  }
});
