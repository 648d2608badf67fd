// Lockdep's held-lock lists printed outside a detector report: sysrq-d ("Showing all locks held in
// the system:", debug_show_all_locks in kernel/locking/lockdep.c) pasted with sysrq-w stacks, or the
// same lists left over after a report was cut. Each "N locks held by comm/PID:" is followed by its
// "#i: ADDR (name){usage}-{w:r}, at: fn+0x/0x" lines. (Inside a report the console block reads them
// into the report's lockdep info.) Lockdep adds a lock to a task's list when the task starts to take
// it, before it sleeps, so a waiter lists the lock it waits for too: graph/wait-graph.ts tells them apart.

import type { HeldLocks } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';
import { parseLockLine } from './lock-line.ts';

const SHOWING = /^Showing all locks held in the system:?$/;
const HELD_BY = /^(\d{1,6}|no) locks? held by (.{1,64})\/(\d{1,10})[:.]$/;
const LOCK = /^#\d{1,4}:/;
const MAX_LISTS = 4096;

/** Does a held-lock listing start at this line ("Showing all locks held...", "N locks held by X/1:")? */
export function startsHeldLocks(t: string): boolean {
  return SHOWING.test(t) || HELD_BY.test(t);
}

export const heldLocksRecognizer: Recognizer = {
  name: 'lockdep-held-locks',
  starts(lines, i) {
    return startsHeldLocks(lines[i].text);
  },
  consume(lines, i, model) {
    const lists: HeldLocks[] = (model.heldLocks ??= []);
    let cur: HeldLocks | null = null;
    let j = i;
    for (; j < lines.length; j++) {
      const t = lines[j].text;
      const h = HELD_BY.exec(t);
      if (h) {
        cur = { comm: h[2]!, pid: Number(h[3]), locks: [], line: lines[j].no };
        if (lists.length < MAX_LISTS) lists.push(cur);
        continue;
      }
      if (LOCK.test(t)) {
        const l = parseLockLine(t, lines[j].no);
        if (l && cur && cur.locks.length < 64) cur.locks.push({ ...l, task: `${cur.comm}/${cur.pid}` });
        continue;
      }
      // the banner, blank lines and lockdep's "=====" rules between the lists
      if (SHOWING.test(t) || t === '' || /^=+$/.test(t)) continue;
      break;
    }
    addFormat(model, 'lockdep');
    return Math.max(j, i + 1);
  },
};
