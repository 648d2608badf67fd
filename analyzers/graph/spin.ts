// Spinning contexts of a paste: which stack segment spins on which lock (RDI of the exception frame
// interrupted inside the slow path: x86-64 passes the lock pointer in RDI, and the NMI/watchdog saved
// the registers of the spinning code), which function took the lock, and the interrupted context.

import type { Context, ExceptionFrame, StackSegment, Task } from '../model/trace-model.ts';
import { baseName, factsOf, factsOfTasks, nameInfo, type TaskFacts } from '../plugins/generic-helpers/index.ts';

export interface Spinner {
  task: Task;
  segment: number; // index in task.stack
  context: Context;
  lock: string;
  at: string; // the spin frame (exception RIP function)
  /** The function that called the lock primitive (bfq_finish_requeue_request). */
  taker: string | null;
  /** The primitive called by the taker (_raw_spin_lock_irqsave). */
  via: string | null;
  exception: ExceptionFrame;
}

/** Spinning segments of one task, computed once per task (the graph and several analyzers ask). */
export function spinnersOf(t: Task): readonly Spinner[] {
  return spinnersFrom(t, factsOf(t));
}

/** spinnersOf(t) given factsOf(t) (loops over factsOfTasks): found by the one pass over the task's frames. */
export function spinnersFrom(_t: Task, f: TaskFacts): readonly Spinner[] {
  return f.spinners;
}

export function takerOf(seg: StackSegment): { taker: string | null; via: string | null } {
  // per-name answers (base name, spin path, mechanics) from one cache lookup per frame
  let via: string | null = null;
  if (seg.exception) {
    const e = nameInfo(seg.exception.fn);
    if (e.spin) via = e.base;
  }
  for (const f of seg.frames) {
    if (f.unreliable || !f.fn) continue;
    const info = nameInfo(f.fn);
    if (info.spin) {
      via = info.base;
      continue;
    }
    if (info.mech) continue;
    return { taker: info.base, via };
  }
  return { taker: null, via };
}

const MEMO = new WeakMap<readonly Task[], Spinner[]>();

/** Every spinning segment of the tasks (memoised per task list: several analyzers ask). */
export function allSpinners(tasks: readonly Task[]): Spinner[] {
  let out = MEMO.get(tasks);
  if (!out) {
    out = [];
    const facts = factsOfTasks(tasks);
    for (let i = 0; i < tasks.length; i++) for (const x of spinnersFrom(tasks[i]!, facts[i]!)) out.push(x);
    MEMO.set(tasks, out);
  }
  return out;
}

const BY_LOCK = new WeakMap<readonly Task[], Map<string, Spinner[]>>();

/** allSpinners(tasks) grouped by lock address, in spinner order (memoised per task list: several analyzers ask). */
export function spinnersByLock(tasks: readonly Task[]): Map<string, Spinner[]> {
  let out = BY_LOCK.get(tasks);
  if (!out) {
    out = new Map();
    for (const x of allSpinners(tasks)) {
      const l = out.get(x.lock);
      if (l) l.push(x);
      else out.set(x.lock, [x]);
    }
    BY_LOCK.set(tasks, out);
  }
  return out;
}

/** The segment a spinning irq/softirq segment interrupted: the next process-context segment below it. */
export function interruptedSegment(t: Task, from: number): StackSegment | null {
  // console traces print the interrupt entry (common_interrupt, asm_common_interrupt) as its own
  // process segment before the interrupted RIP: the one with the saved registers is the real one
  let first: StackSegment | null = null;
  for (let i = from + 1; i < t.stack.length; i++) {
    const seg = t.stack[i]!;
    if (seg.context !== 'process') {
      if (first) break;
      continue;
    }
    if (seg.exception) return seg;
    first ??= seg;
  }
  return first;
}

/** Function names of a segment, the exception RIP first. */
export function segmentFrames(seg: StackSegment): string[] {
  const names: string[] = [];
  if (seg.exception?.fn) names.push(baseName(seg.exception.fn));
  for (const f of seg.frames) if (f.fn && !f.unreliable) names.push(baseName(f.fn));
  return names;
}

/** RFLAGS.IF (bit 9) of an exception frame; null when the paste has no RFLAGS. */
export function ifFlag(exc: ExceptionFrame | null | undefined): boolean | null {
  const f = exc?.registers.RFLAGS;
  // 32-bit arm: CPSR's I bit (0x80) set means IRQs masked (arch/arm/include/uapi/asm/ptrace.h PSR_I_BIT)
  const cpsr = exc?.registers.CPSR;
  if (!f && cpsr && /^[0-9a-f]{1,8}$/i.test(cpsr)) return (parseInt(cpsr, 16) & 0x80) === 0;
  if (!f || !/^[0-9a-f]+$/i.test(f)) return null;
  return (parseInt(f, 16) & 0x200) !== 0;
}
