// What the one store suite needs from a backend: a fresh, empty database per test, opened as many
// times as there are "replicas", and a look at schema_migrations.

import type { Analysis } from '../../analyzers/contract.ts';
import type { Store } from '../../bot/store/store.ts';

export interface StoreDatabase {
  /** A new store (another replica) on this database, NOT migrated. Closed by the harness. */
  open(): Store;
  /** The versions recorded in schema_migrations, one row each. */
  migrationRows(): Promise<number[]>;
}

export interface StoreHarness {
  name: string;
  fresh(): Promise<StoreDatabase>;
  /** Closes every store opened and drops what fresh() created. */
  cleanup(): Promise<void>;
}

/** A mutable clock the tests move by hand. */
export function fakeClock(start = '2026-11-02T09:00:00.000Z') {
  let t = new Date(start).getTime();
  const clock = () => new Date(t);
  return Object.assign(clock, {
    iso: () => new Date(t).toISOString(),
    advance(ms: number) {
      t += ms;
    },
    set(at: string) {
      t = new Date(at).getTime();
    },
  });
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A small but complete Analysis: a hung task blocked on a mutex owned by a D-state writer. */
export function analysisOf(signature: string, title = `hung task blocked on mutex (${signature})`): Analysis {
  return {
    schemaVersion: 1,
    family: 'hung_task',
    title,
    signature,
    formats: ['console'],
    keyFrames: ['mutex_lock', 'ext4_sync_file'],
    tasks: [{ pid: 4242, comm: 'kworker/u8:2', state: 'D', cpu: 3, task: 'ffff8881023a0000', frames: ['__schedule', 'schedule', 'mutex_lock', 'ext4_sync_file'] }],
    findings: [
      {
        pattern: 'hung-task-mutex',
        caseId: null,
        confidence: 0.8,
        headline: 'kworker/u8:2 waits on a mutex held by jbd2/sda1-8',
        blockingChain: [{ task: 'kworker/u8:2:4242', waitsOn: 'mutex ffff888100abc000', primitive: 'mutex', lock: 'ffff888100abc000', heldBy: 'jbd2/sda1-8:311', lines: [3, 4] }],
        cycle: false,
        suspectLock: { primitive: 'mutex', address: 'ffff888100abc000', name: null, holder: 'jbd2/sda1-8:311', evidence: 'owner field of struct mutex' },
        keyFrames: ['mutex_lock'],
        checklist: ['Find what jbd2 itself waits on'],
        nextSteps: ['bt 311'],
        references: [],
      },
    ],
    notes: ['unicode survives: “quotes” — ü'],
  };
}
