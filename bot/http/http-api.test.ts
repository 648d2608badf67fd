// The HTTP server on an ephemeral loopback port: health, metrics, the API's status codes, the size
// limit (413, nothing stored), malformed bodies (400), the bearer token beyond loopback, mounts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { buildService } from './build-service.ts';
import { silentLogger } from '../log.ts';
import { fixtureAnalyze, sqliteStore, testConfig } from '../../test/lifecycle/harness.ts';

const hung = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n [<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';

async function serve(raw: Record<string, unknown> = {}) {
  const { store } = sqliteStore();
  const config = testConfig(raw);
  const svc = await buildService({ config, logger: silentLogger(), store, analyze: fixtureAnalyze, web: false });
  const where = await svc.http.listen({ port: 0, host: '127.0.0.1' });
  return { svc, base: where.url.replace(/\/$/, ''), store };
}

test('health, metrics and the analyses endpoint on loopback (no token needed)', async () => {
  const { svc, base, store } = await serve();
  try {
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { status: string }).status, 'ok');

    const r = await fetch(`${base}/api/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hung });
    assert.equal(r.status, 201);
    const body = (await r.json()) as { incident: { id: string; occurrenceCount: number }; reply: { blocks: unknown[] } };
    assert.equal(body.incident.occurrenceCount, 1);
    assert.ok(body.reply.blocks.length > 0);

    const prose = await fetch(`${base}/api/analyses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'just chatting' }) });
    assert.equal(prose.status, 200);
    assert.equal(((await prose.json()) as { incident: unknown }).incident, null, 'not a trace: nothing stored');

    const m = await (await fetch(`${base}/metrics`)).text();
    assert.match(m, /# TYPE lockdown_analyses_total counter/);
    assert.match(m, /lockdown_analysis_duration_seconds_count 2/);
    assert.match(m, /lockdown_http_requests_total\{route="\/api\/analyses",status="201"\} 1/);
    assert.equal((await store.listIncidents()).length, 1);
  } finally {
    await svc.close();
  }
});

test('oversized and malformed bodies get a JSON error and store nothing', async () => {
  const { svc, base, store } = await serve({ limits: { pasteBytes: 2048 } });
  try {
    const big = await fetch(`${base}/api/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hung.repeat(40) });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'LD_INPUT_TOO_LARGE');
    for (const [type, body] of [['application/json', '{"text": '], ['application/json', '[1,2]'], ['application/json', '{"txt":"x"}'], ['image/png', 'xx'], ['text/plain', '   ']] as const) {
      const r = await fetch(`${base}/api/analyses`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(r.status, 400, `${type} ${body}`);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'LD_USAGE');
    }
    const st = await fetch(`${base}/api/incidents/LD-1/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"closed"}' });
    assert.equal(st.status, 400);
    assert.equal((await fetch(`${base}/api/incidents/LD-99`)).status, 404);
    assert.equal((await fetch(`${base}/api/incidents?status=bogus`)).status, 400);
    assert.equal((await fetch(`${base}/api/analyses`)).status, 405);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await store.listIncidents()).length, 0);
  } finally {
    await svc.close();
  }
});

test('bound beyond loopback: every route but /healthz needs the bearer token; public mounts authenticate themselves', async () => {
  const { svc, base } = await serve({ server: { host: '0.0.0.0', apiToken: 'correct-horse-battery-staple' } });
  svc.http.mount('/slack/events', (_req, res) => void res.end('slack'), { public: true });
  svc.http.mount('/private', (_req, res) => void res.end('private'));
  try {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/api/incidents`)).status, 401);
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/api/incidents`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${base}/private`)).status, 401);
    assert.equal(await (await fetch(`${base}/slack/events`, { method: 'POST' })).text(), 'slack');
    const ok = await fetch(`${base}/api/incidents`, { headers: { authorization: 'Bearer correct-horse-battery-staple' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { incidents: [] });
  } finally {
    await svc.close();
  }
});

test('status changes through the API: duplicate needs "of", mute takes days, assign sets the owner', async () => {
  const { svc, base } = await serve();
  try {
    const a = (await (await fetch(`${base}/api/analyses`, { method: 'POST', body: hung })).json()) as { incident: { id: string } };
    const b = (await (await fetch(`${base}/api/analyses`, { method: 'POST', body: hung.replace('rmmod:31969', 'modprobe:4242') })).json()) as { incident: { id: string } };
    assert.notEqual(a.incident.id, b.incident.id);
    const post = (id: string, body: unknown) => fetch(`${base}/api/incidents/${id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post(b.incident.id, { status: 'duplicate' })).status, 400);
    const dup = (await (await post(b.incident.id, { status: 'duplicate', of: a.incident.id })).json()) as { incident: { status: string; duplicateOf: string } };
    assert.deepEqual([dup.incident.status, dup.incident.duplicateOf], ['duplicate', a.incident.id]);
    const own = (await (await post(a.incident.id, { owner: 'U42', actor: 'lead' })).json()) as { incident: { owner: string } };
    assert.equal(own.incident.owner, 'U42');
    const mute = (await (await post(a.incident.id, { status: 'muted', days: 2 })).json()) as { incident: { status: string; mutedUntil: string } };
    assert.equal(mute.incident.status, 'muted');
    assert.ok(Date.parse(mute.incident.mutedUntil) - Date.now() > 86_400_000);
  } finally {
    await svc.close();
  }
});

test('cross-site writes from a browser are refused (403, nothing stored); scripts without Origin still work', async () => {
  const { svc, base, store } = await serve({ server: { publicUrl: 'https://lockdown.example.org/' } });
  try {
    const port = new URL(base).port;
    // A hostile page POSTing text/plain (no preflight), a DNS-rebound name resolving to 127.0.0.1
    // (Origin and Host both evil.example), an opaque origin, a page on another local port.
    for (const [origin, host] of [['https://evil.example', `127.0.0.1:${port}`], [`http://evil.example:${port}`, `evil.example:${port}`], ['null', `127.0.0.1:${port}`], [`http://localhost:8000`, `127.0.0.1:${port}`]] as const) {
      const r = await rawPost(base, '/api/analyses', { 'content-type': 'text/plain', origin, host }, hung);
      assert.equal(r.status, 403, `${origin} → ${host}`);
      assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'LD_FORBIDDEN');
    }
    assert.equal((await store.listIncidents()).length, 0, 'nothing stored on refusal');

    // curl / scripts (no Origin) and this server's own origins keep working.
    const plain = await fetch(`${base}/api/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hung });
    assert.equal(plain.status, 201);
    const id = ((await plain.json()) as { incident: { id: string } }).incident.id;
    // The server's own origins: as browsed on loopback, through an ssh tunnel on another port (Host and
    // Origin agree), and publicUrl behind a proxy.
    for (const [origin, host] of [[`http://127.0.0.1:${port}`, `127.0.0.1:${port}`], [`http://localhost:${port}`, `localhost:${port}`], ['http://127.0.0.1:8080', '127.0.0.1:8080'], ['https://lockdown.example.org', 'lockdown.example.org']] as const) {
      assert.equal((await rawPost(base, '/api/analyses', { 'content-type': 'text/plain', origin, host }, hung)).status, 201, origin);
    }

    const status = (headers: Record<string, string>, body = '{"status":"resolved"}') => fetch(`${base}/api/incidents/${id}/status`, { method: 'POST', headers, body });
    assert.equal((await status({ 'content-type': 'application/json', origin: 'https://evil.example' })).status, 403);
    assert.equal((await status({ 'content-type': 'text/plain' })).status, 415, 'status changes need a JSON content type');
    assert.equal((await status({})).status, 415);
    assert.equal((await store.getIncident(id))?.status, 'open', 'refused changes are not applied');
    const ok = await status({ 'content-type': 'application/json; charset=utf-8', origin: `http://127.0.0.1:${port}` });
    assert.equal(ok.status, 200);
    assert.equal((await store.getIncident(id))?.status, 'resolved');
  } finally {
    await svc.close();
  }
});

/** A POST with exactly these headers (fetch does not let a test choose Host). */
function rawPost(base: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
