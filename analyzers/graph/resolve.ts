// Resolving what a paste names indirectly: a task_struct address to the task (bt headers, `ps`
// rows, `p $1.pid` bindings), a lock owner word to an address (flag bits masked), a task to its label.

import type { Task, TraceModel } from '../model/trace-model.ts';
import { taskLabel } from '../plugins/generic-helpers/index.ts';

export { taskLabel };

/** "0xFFFF8800..." / "ffff8800..." → "ffff8800..." (lower case, no 0x); null for non-hex. */
export function normHex(v: string | null | undefined): string | null {
  if (!v) return null;
  const s = v.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,16}$/.test(s) ? s : null;
}

/** A kernel direct-map / vmalloc pointer (x86-64 upper half), as lock and task addresses are. */
export function isKernelPointer(hex: string | null | undefined): hex is string {
  return !!hex && /^ffff[0-9a-f]{12}$/.test(hex);
}

/** An owner word as hex, flag bits kept: crash prints atomic_long_t owner.counter in signed decimal unless -x was given. */
export function ownerWord(owner: string | null | undefined): string | null {
  const dec = owner ? /^\s*(-?\d{6,20})\s*$/.exec(owner) : null;
  return dec ? BigInt.asUintN(64, BigInt(dec[1]!)).toString(16) : normHex(owner);
}

/**
 * The task pointer stored in a mutex/rwsem owner word. Since v4.10 (kernel/locking/mutex.c,
 * MUTEX_FLAGS = 0x07) and for rwsem (RWSEM_READER_OWNED, RWSEM_NONSPINNABLE) the low 3 bits carry
 * flags, task_struct being at least L1-aligned: mask them before comparing with a task address.
 */
export function ownerTask(owner: string | null | undefined): string | null {
  const h = ownerWord(owner);
  if (!h || h.length !== 16 || !h.startsWith('ffff')) return null;
  const low = parseInt(h.slice(-1), 16) & ~0x7;
  return h.slice(0, -1) + low.toString(16);
}

/** The task that a task_struct address names, through every source that ties addresses to pids. */
export function taskAt(model: TraceModel, address: string | null | undefined): Task | null {
  const a = normHex(address);
  if (!a) return null;
  const direct = model.tasks.find((t) => t.task === a && t.stack.length > 0) ?? model.tasks.find((t) => t.task === a);
  if (direct) return direct;
  const pid = model.bindings.find((b) => b.task === a)?.pid ?? model.psRows.find((r) => r.task === a)?.pid;
  if (pid === undefined) return null;
  return model.tasks.find((t) => t.pid === pid && t.stack.length > 0) ?? model.tasks.find((t) => t.pid === pid) ?? null;
}

/** Lines that tie an address to a task (binding or ps row), for evidence. */
export function addressLines(model: TraceModel, address: string): number[] {
  const out: number[] = [];
  for (const b of model.bindings) if (b.task === address) out.push(b.line);
  for (const r of model.psRows) if (r.task === address) out.push(r.line);
  return out;
}

/** "fio:2857 (CPU 1)" style label with the CPU when the paste is per-CPU (bt -a). */
export function cpuLabel(t: Task): string {
  const l = taskLabel(t);
  return t.cpu !== null && !l.startsWith('CPU ') ? `${l} (CPU ${t.cpu})` : l;
}
