// The store suite on SQLite: a fresh database file per test in a temporary directory (two stores on
// one file play two replicas, as two processes would).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../bot/store/sqlite-store.ts';
import type { Store } from '../../bot/store/store.ts';
import type { StoreHarness } from './harness.ts';
import { storeSuite } from './store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockdown-store-'));
const opened: Store[] = [];
let n = 0;

const harness: StoreHarness = {
  name: 'sqlite',
  async fresh() {
    const path = join(dir, `db-${++n}`, 'lockdown.db');
    return {
      open() {
        const s = createSqliteStore({ path, clock: () => new Date('2026-11-02T09:00:00Z') });
        opened.push(s);
        return s;
      },
      async migrationRows() {
        const db = new Database(path, { readonly: true });
        try {
          return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
        } finally {
          db.close();
        }
      },
    };
  },
  async cleanup() {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  },
};

storeSuite(harness);
