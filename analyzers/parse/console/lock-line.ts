// Lockdep lock lines (kernel/locking/lockdep.c print_lock / print_lock_name):
//   "ffff888012345678 (&mm->mmap_lock){++++}-{3:3}, at: __might_fault+0xab/0x120"
//   " #0:  (&mm->mmap_sem){++++}, at: [<ffffffff81a2b8a5>] __might_fault+0xd5/0x1d0"   (pre-5.x)
//   "-> #1 (&mm->mmap_lock){++++}-{3:3}:"                                              (chain entry)
// Class names nest parentheses ("(&(&ctx->lock)->rlock)", "((work_completion)(&w->work))"), so the
// name is cut by counting depth, not by a regex.

import type { LockdepLock } from '../../model/trace-model.ts';
import { parseFrameLine } from './frame-line.ts';

export function parseLockLine(text: string, line: number): LockdepLock | null {
  let t = text.trimStart();
  const idx = /^#\d{1,4}:\s{1,4}/.exec(t);
  if (idx) t = t.slice(idx[0].length);
  let address: string | null = null;
  const a = /^(?:0x)?([0-9a-f]{8,16}) /.exec(t);
  if (a) {
    address = a[1]!;
    t = t.slice(a[0].length);
  }
  if (!t.startsWith('(')) return null;
  let depth = 0;
  let end = -1;
  const lim = Math.min(t.length, 400);
  for (let k = 0; k < lim; k++) {
    const c = t[k];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        end = k;
        break;
      }
    }
  }
  if (end < 2) return null;
  const name = t.slice(1, end);
  let rest = t.slice(end + 1);
  let usage: string | null = null;
  const u = /^(\{[^}]{0,12}\})(?:-\{\d:\d\})?/.exec(rest);
  if (u) {
    usage = u[1]!;
    rest = rest.slice(u[0].length);
  }
  let at: string | null = null;
  let atOffset: number | null = null;
  const k = rest.indexOf(', at: ');
  if (k >= 0) {
    const f = parseFrameLine(rest.slice(k + 6));
    at = f?.fn ?? null;
    atOffset = f?.offset ?? null;
  } else if (!usage && !rest.startsWith(':') && rest.trim() !== '') return null;
  return atOffset !== null ? { name, address, usage, at, atOffset, task: null, line } : { name, address, usage, at, task: null, line };
}
