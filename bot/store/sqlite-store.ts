// The embedded store: SQLite through better-sqlite3 (a file under ./data by default, WAL mode so
// readers never block the writer, busy_timeout so two processes on one file wait instead of failing).
// better-sqlite3 is synchronous; a promise queue serialises operations so an async transaction never
// interleaves with another operation of this store, and BEGIN IMMEDIATE takes the file's write lock
// up front so two processes cannot both read-then-write.

import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { LockdownError, isLockdownError } from '../../config/errors.ts';
import { MIGRATIONS, SCHEMA_MIGRATIONS_SQL } from './migrations/migration.ts';
import { SqliteOps, type SyncOps } from './sqlite-ops.ts';
import type { Store, StoreOps } from './store.ts';

export interface SqliteStoreOptions {
  /** File path (directories are created) or ":memory:". */
  path: string;
  /** Only used to stamp schema_migrations.applied_at. */
  clock: () => Date;
  busyTimeoutMs?: number;
}

const OP_NAMES = Object.getOwnPropertyNames(SqliteOps.prototype).filter((n) => n !== 'constructor' && n !== 'st') as Array<keyof StoreOps>;

/** One queue per database file in this process: two stores on one file (two "replicas" in a test,
 *  or a CLI command beside the server) must not both hold an async transaction open, because
 *  better-sqlite3 waits for the file lock synchronously and the holder could never finish. */
interface FileLock {
  tail: Promise<unknown>;
  inTx: AsyncLocalStorage<boolean>;
}
const fileLocks = new Map<string, FileLock>();

function lockFor(path: string): FileLock {
  const key = path === ':memory:' ? `:memory:${Math.random()}` : resolve(path);
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = { tail: Promise.resolve(), inTx: new AsyncLocalStorage<boolean>() };
    if (path !== ':memory:') fileLocks.set(key, lock);
  }
  return lock;
}

function asStoreError(e: unknown): unknown {
  if (isLockdownError(e)) return e;
  return new LockdownError('LD_STORE', `sqlite: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/**
 * journal_mode = WAL, retried: while another process creates or recovers the same file, SQLite returns
 * SQLITE_BUSY for the mode change without calling the busy handler (it would deadlock waiting), so
 * busy_timeout alone does not cover two replicas starting at once. Retries for up to `busyMs`.
 */
export function toWal(db: Pick<Database, "pragma">, busyMs: number): void {
  const deadline = Date.now() + busyMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e;
      Atomics.wait(pause, 0, 0, Math.min(100, 5 * 2 ** Math.min(attempt, 4))); // 5..80 ms, synchronous: the store is not open yet
    }
  }
}

export function createSqliteStore(opts: SqliteStoreOptions): Store {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db: Database = new BetterSqlite3(opts.path);
  // busy_timeout first: switching to WAL takes a lock another process may hold at that moment.
  const busyMs = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
  db.pragma(`busy_timeout = ${busyMs}`);
  toWal(db, busyMs);
  db.pragma('foreign_keys = ON');
  const sync = new SqliteOps(db);
  const lock = lockFor(opts.path);
  const inTx = lock.inTx;
  let closed = false;

  /** Runs `fn` after every queued operation; inside a transaction it runs at once (no self-deadlock). */
  function run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (inTx.getStore()) return Promise.resolve().then(fn);
    const next = lock.tail.then(() => {
      if (closed) throw new LockdownError('LD_STORE', 'sqlite: the store is closed');
      return fn();
    });
    lock.tail = next.catch(() => undefined);
    return next;
  }

  const wrap = (direct: boolean): StoreOps => {
    const ops: Record<string, unknown> = {};
    for (const name of OP_NAMES) {
      const method = (sync[name] as (...a: unknown[]) => unknown).bind(sync);
      ops[name] = (...args: unknown[]) => {
        const call = () => {
          try {
            return method(...args);
          } catch (e) {
            throw asStoreError(e);
          }
        };
        return direct ? Promise.resolve().then(call) : run(call);
      };
    }
    return ops as unknown as StoreOps;
  };

  const txOps = wrap(true);

  const store: Store = {
    ...wrap(false),
    kind: 'sqlite',
    migrate: () =>
      run(() => {
        db.exec(SCHEMA_MIGRATIONS_SQL);
        db.exec('BEGIN IMMEDIATE');
        try {
          const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
          for (const m of MIGRATIONS) {
            if (done.has(m.version)) continue;
            db.exec(m.sqlite);
            db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, opts.clock().toISOString());
          }
          db.exec('COMMIT');
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw asStoreError(e);
        }
      }),
    transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => {
      if (inTx.getStore()) return Promise.reject(new LockdownError('LD_STORE', 'sqlite: transactions do not nest'));
      return run(() =>
        inTx.run(true, async () => {
          try {
            db.exec('BEGIN IMMEDIATE');
          } catch (e) {
            throw asStoreError(e);
          }
          try {
            const result = await fn(txOps);
            db.exec('COMMIT');
            return result;
          } catch (e) {
            if (db.inTransaction) db.exec('ROLLBACK');
            throw e;
          }
        }),
      );
    },
    ping: () =>
      run(() => {
        try {
          db.prepare('SELECT 1').get();
        } catch (e) {
          throw asStoreError(e);
        }
      }),
    close: () =>
      run(() => {
        closed = true;
        db.close();
      }),
  };
  return store;
}

export type { SyncOps };
