// The switch to WAL on open is retried when SQLite answers SQLITE_BUSY without waiting (another
// process creating or recovering the same file), within the busy timeout, and only for that error.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toWal } from '../../bot/store/sqlite-store.ts';

function fakeDb(failures: number, code = 'SQLITE_BUSY'): { calls: number; pragma: (sql: string) => unknown } {
  const db = {
    calls: 0,
    pragma(sql: string): unknown {
      assert.equal(sql, 'journal_mode = WAL');
      db.calls++;
      if (db.calls <= failures) throw Object.assign(new Error('database is locked'), { code });
      return [{ journal_mode: 'wal' }];
    },
  };
  return db;
}

it('retries a busy journal-mode switch until it succeeds', () => {
  const db = fakeDb(3);
  toWal(db as never, 5000);
  assert.equal(db.calls, 4);
});

it('gives up after the busy timeout with the original error, and does not retry other errors', () => {
  const busy = fakeDb(Infinity);
  assert.throws(() => toWal(busy as never, 30), /database is locked/);
  assert.ok(busy.calls >= 2, `retried ${busy.calls} times`);
  const corrupt = fakeDb(Infinity, 'SQLITE_CORRUPT');
  assert.throws(() => toWal(corrupt as never, 5000), /database is locked/);
  assert.equal(corrupt.calls, 1);
});
