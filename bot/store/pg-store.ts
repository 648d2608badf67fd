// The store for several replicas: PostgreSQL through a pg Pool (DATABASE_URL). Migrations run under
// pg_advisory_lock so two replicas starting at once apply each version exactly once; a transaction
// runs on one pooled client between BEGIN and COMMIT.

import pg from 'pg';
import { LockdownError, isLockdownError } from '../../config/errors.ts';
import { MIGRATIONS, SCHEMA_MIGRATIONS_SQL } from './migrations/migration.ts';
import { PgOps, type Queryable } from './pg-ops.ts';
import type { Store, StoreOps } from './store.ts';

export interface PgStoreOptions {
  connectionString: string;
  /** Only used to stamp schema_migrations.applied_at. */
  clock: () => Date;
  /** Use (and create) this schema instead of the default search_path (tests: one schema per run). */
  schema?: string;
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A pg error as LD_STORE; the message never carries the connection string. */
function asStoreError(e: unknown): LockdownError {
  if (isLockdownError(e)) return e;
  const code = (e as { code?: string }).code;
  return new LockdownError('LD_STORE', `postgres: ${e instanceof Error ? e.message : String(e)}`, { details: code ? { pgCode: code } : {}, cause: e });
}

function guarded(client: { query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult> }): Queryable {
  return {
    async query(sql, params) {
      try {
        const r = await client.query(sql, params);
        return { rows: r.rows as Array<Record<string, unknown>>, rowCount: r.rowCount };
      } catch (e) {
        throw asStoreError(e);
      }
    },
  };
}

class PgStore extends PgOps implements Store {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: pg.Pool, private readonly opts: PgStoreOptions) {
    super(guarded(pool));
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect().catch((e: unknown) => Promise.reject(asStoreError(e)));
    const q = guarded(client);
    const lockKey = `lockdown.migrate:${this.opts.schema ?? 'public'}`;
    try {
      await q.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      try {
        if (this.opts.schema) await q.query(`CREATE SCHEMA IF NOT EXISTS ${this.opts.schema}`);
        await q.query('BEGIN');
        try {
          await q.query(SCHEMA_MIGRATIONS_SQL);
          const done = new Set((await q.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
          for (const m of MIGRATIONS) {
            if (done.has(m.version)) continue;
            await q.query(m.postgres);
            await q.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, this.opts.clock().toISOString()]);
          }
          await q.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } finally {
        await q.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
      }
    } finally {
      client.release();
    }
  }

  async transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((e: unknown) => Promise.reject(asStoreError(e)));
    const q = guarded(client);
    let broken = false;
    try {
      await q.query('BEGIN');
      const result = await fn(new PgOps(q));
      await q.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.q.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export function createPgStore(opts: PgStoreOptions): Store {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new LockdownError('LD_STORE', `postgres: bad schema name ${JSON.stringify(opts.schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.maxConnections ?? 10,
    // search_path set per connection, so every pooled client sees the same schema.
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return new PgStore(pool, opts);
}
