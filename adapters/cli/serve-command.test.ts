// `lockdown serve` in-process: config from io.env, store under a temp dir, HTTP up on an ephemeral
// port, the local URL printed, a paste through the API, a clean stop. `lockdown digest --dry-run`
// prints the digest from the same store without sending anything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '../../test/helpers/capture-io.ts';
import { run as serve } from './serve-command.ts';
import { run as digest } from './digest-command.ts';
import { fixtureAnalyze } from '../../test/lifecycle/harness.ts';
import type { CliIo } from './io.ts';

function io(env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
  const c = captureIo(env);
  return { ...c.io, out: c.out, err: c.err };
}

const hung = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n [<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';

test('serve starts without chat tokens, prints the local page URL, answers the API, and stops cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-serve-'));
  const file = join(dir, 'lockdown.config.json');
  writeFileSync(file, JSON.stringify({ server: { port: 0 }, store: { sqlitePath: join(dir, 'data', 'l.db') }, log: { level: 'silent' } }));
  const cli = io({});
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let url = '';
  const ready = new Promise<void>((r) => {
    void serve(['--config', file], cli, { stopSignal, onReady: (i) => ((url = i.url), r()), service: { analyze: fixtureAnalyze } }).then((code) => (exit = code));
  });
  let exit: number | null = null;
  await ready;
  assert.match(cli.out(), /local page at http:\/\/127\.0\.0\.1:\d+\/ \(store: sqlite, no chat tokens/);
  const r = await fetch(`${url}api/analyses`, { method: 'POST', body: hung });
  assert.equal(r.status, 201);
  const page = await fetch(url);
  assert.equal(page.status, 200, 'the local page is mounted at /');
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  stop();
  while (exit === null) await new Promise((res) => setTimeout(res, 5));
  assert.equal(exit, 0);

  const d = io({});
  assert.equal(await digest(['--dry-run', '--config', file], d), 0);
  assert.match(d.out(), /Digest preview: 1 unresolved[\s\S]*LD-1/);
});

test('serve and digest refuse bad arguments and bad config with one line', async () => {
  const a = io({});
  assert.equal(await serve(['--bogus'], a), 2);
  assert.match(a.err(), /unknown argument '--bogus'/);
  const b = io({ LOCKDOWN_CONFIG: '/nonexistent/lockdown.json' });
  assert.equal(await serve([], b), 1);
  assert.match(b.err(), /nonexistent/);
  const c = io({});
  assert.equal(await digest([], c), 2);
  assert.match(c.err(), /--dry-run/);
});
