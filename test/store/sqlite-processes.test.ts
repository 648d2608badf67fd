// Two OS processes on one SQLite file, as two bot instances on one host would be: migrations at
// once, then racing claims, incident creation inside transactions, and leases. BEGIN IMMEDIATE and
// busy_timeout must make each claim exactly-once across processes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../bot/store/migrations/migration.ts';

const script = new URL('./replica/sqlite-replica.ts', import.meta.url).pathname;

function replica(path: string, name: string): Promise<{ events: number; incidents: number; leases: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, path, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${name} exited ${code}: ${err}`))));
  });
}

it('two processes on one SQLite file: one migration, each event/incident/lease won exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-sqlite-proc-'));
  const path = join(dir, 'data', 'lockdown.db');
  try {
    const [a, b] = await Promise.all([replica(path, 'a'), replica(path, 'b')]);
    assert.equal(a.events + b.events, 40);
    assert.equal(a.incidents + b.incidents, 10);
    assert.equal(a.leases + b.leases, 40);
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all(), MIGRATIONS.map((m) => ({ version: m.version })));
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM incidents').get() as { n: number }).n, 10);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM history').get() as { n: number }).n, 10);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
