// The store suite on PostgreSQL (DATABASE_URL_TEST, default postgres://postgres@127.0.0.1:5432/test):
// a fresh schema per test (lockdown_test_<run>_<n>, via search_path) so parallel runs never collide,
// all dropped at the end. Unreachable: skipped with a clear line, or FAILED when LOCKDOWN_REQUIRE_PG=1
// (set by .ci/run, where this suite is mandatory).

import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPgStore } from '../../bot/store/pg-store.ts';
import type { Store } from '../../bot/store/store.ts';
import type { StoreHarness } from './harness.ts';
import { storeSuite } from './store-suite.ts';

const url = process.env.DATABASE_URL_TEST || 'postgres://postgres@127.0.0.1:5432/test';
const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
const run = randomBytes(4).toString('hex');

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await reachable();

if (problem !== null) {
  const line = `PostgreSQL not reachable at ${shown} (${problem}): skipping the PostgreSQL store suite`;
  if (process.env.LOCKDOWN_REQUIRE_PG === '1') {
    it('PostgreSQL store suite (required: LOCKDOWN_REQUIRE_PG=1)', () => {
      assert.fail(`PostgreSQL not reachable at ${shown} (${problem}) and LOCKDOWN_REQUIRE_PG=1`);
    });
  } else {
    console.log(line);
    it('PostgreSQL store suite', { skip: line }, () => undefined);
  }
} else {
  const schemas: string[] = [];
  const opened: Store[] = [];
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  admin.on('error', () => undefined);

  const harness: StoreHarness = {
    name: 'postgres',
    async fresh() {
      const schema = `lockdown_test_${run}_${schemas.length + 1}`;
      schemas.push(schema);
      return {
        open() {
          const s = createPgStore({ connectionString: url, schema, clock: () => new Date('2026-11-02T09:00:00Z'), maxConnections: 4 });
          opened.push(s);
          return s;
        },
        async migrationRows() {
          const r = await admin.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
          return r.rows.map((row: { version: number }) => Number(row.version));
        },
      };
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };

  storeSuite(harness);
}
