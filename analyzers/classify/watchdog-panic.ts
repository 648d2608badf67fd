// How a crash dump's panicking task died, read from its stack: the lockup watchdogs panic from
// their own handlers, so their frames name the detector even when crash's PANIC string does not.
// crash takes the PANIC string from the log buffer; when the watchdog's own message is missing it
// may show an earlier message instead (seed 002: "BUG: unable to handle kernel " although the dump
// was taken by nmi_panic from the perf NMI hard-lockup watchdog).
//
// kernel/watchdog_hld.c (perf NMI): watchdog_overflow_callback → watchdog_hardlockup_check (6.5+;
// before that the check was inline) → nmi_panic/panic ("Watchdog detected hard LOCKUP on cpu N");
// the buddy detector (6.6+) reaches watchdog_hardlockup_check from watchdog_buddy_check_hardlockup;
// some distribution kernels name the check watchdog_check_hardlockup. kernel/watchdog.c:
// watchdog_timer_fn → panic ("softlockup: hung tasks") for the soft-lockup watchdog.

import type { Task, TraceModel } from '../model/trace-model.ts';
import { baseName, taskFrames } from './frames.ts';
import { primaryReport } from './family.ts';
import { matchDetector } from '../parse/console/detector-header.ts';

const PANIC = new Set(['panic', 'nmi_panic', 'vpanic']);
// powerpc: soft_nmi_interrupt → nmi_panic(regs, "Hard LOCKUP") on the stuck CPU itself
// (arch/powerpc/kernel/watchdog.c; watchdog_smp_panic panics on the CPU that noticed another one, so
// its stack is not the stuck code and it is not listed)
const HARD = new Set(['watchdog_overflow_callback', 'watchdog_hardlockup_check', 'watchdog_check_hardlockup', 'watchdog_buddy_check_hardlockup', 'soft_nmi_interrupt']);
const SOFT = new Set(['watchdog_timer_fn']);
/** How many frames out from panic() the watchdog handler may be (panic ← nmi_panic ← check ← callback). */
const REACH = 4;

export type WatchdogKind = 'hard_lockup' | 'soft_lockup';

export interface WatchdogPanic {
  kind: WatchdogKind;
  /**
   * The task as the watchdog found it: the stack segments the watchdog's NMI or timer interrupt
   * interrupted (what the CPU was stuck in), for the title; the whole task when nothing was below.
   */
  stuck: Task;
}

/** The lockup watchdog that called panic on this task's stack, or null. */
export function watchdogPanic(t: Task): WatchdogPanic | null {
  const frames = taskFrames(t);
  for (let i = 0; i < frames.length; i++) {
    if (!PANIC.has(baseName(frames[i]!))) continue;
    for (let j = i + 1; j < frames.length && j <= i + REACH; j++) {
      const fn = baseName(frames[j]!);
      const kind: WatchdogKind | null = HARD.has(fn) ? 'hard_lockup' : SOFT.has(fn) ? 'soft_lockup' : null;
      if (kind) return { kind, stuck: below(t, frames[j]!) };
    }
  }
  return null;
}

/**
 * The segments after the one holding the watchdog's frame: crash starts a segment at each
 * "--- <NMI exception stack> ---" / "--- <IRQ stack> ---" change, so they are the interrupted code
 * with its exception RIP. The interrupt's own frames (handle_pmi_common, local_apic_timer_interrupt,
 * __run_hrtimer...) say nothing about the hang.
 */
function below(t: Task, watchdogFn: string): Task {
  for (let k = 0; k < t.stack.length; k++) {
    if (!t.stack[k]!.frames.some((f) => f.fn === watchdogFn && !f.unreliable)) continue;
    const rest = t.stack.slice(k + 1);
    return rest.some((s) => s.frames.length > 0 || s.exception !== null) ? { ...t, stack: rest } : t;
  }
  return t;
}

/**
 * The panicking task of a crash session: the `sys` banner's PID with a stack. PID 0 is every CPU's
 * idle task, so there the banner's CPU picks the right swapper. When the paste kept only some banner
 * lines (`sys | grep PANIC`: no PID, no CPU), the one task whose stack shows a lockup watchdog calling
 * panic is the panicking one (only the CPU that panicked runs panic()); two such stacks: not known.
 */
export function panicTask(model: TraceModel, cpu: number | null): Task | undefined {
  const sys = model.sys;
  const pid = sys?.pid ?? null;
  const cpuOf = sys?.cpu ?? cpu;
  if (pid === null && cpuOf === null) return onlyWatchdogPanic(model);
  let byPid: Task | undefined;
  for (const t of model.tasks) {
    if (!hasStack(t)) continue;
    if (pid !== null && t.pid === pid) {
      if (pid !== 0 || cpuOf === null || t.cpu === cpuOf) return t;
      byPid ??= t;
    }
  }
  if (byPid) return byPid;
  return cpuOf !== null ? model.tasks.find((t) => t.cpu === cpuOf && hasStack(t)) : undefined;
}

function onlyWatchdogPanic(model: TraceModel): Task | undefined {
  let found: Task | undefined;
  for (const t of model.tasks) {
    if (!hasStack(t) || watchdogPanic(t) === null) continue;
    if (found !== undefined) return undefined;
    found = t;
  }
  return found;
}

function hasStack(t: Task): boolean {
  return t.stack.some((s) => s.frames.length > 0 || s.exception !== null);
}

export interface CrashLockup extends WatchdogPanic {
  /** The panicking task, whole (its watchdog frames included). */
  task: Task;
  /** The stuck CPU: the panic task's, else the `sys` banner's. */
  cpu: number | null;
}

/**
 * The crash-session route to a lockup (no console detector report): the `sys` banner's panicking
 * task has the lockup watchdog calling panic on its stack. classify() and the generic lockup plugins
 * both ask this, so the family and the finding agree. Null when a detector report decides instead.
 */
export function crashLockup(model: TraceModel): CrashLockup | null {
  const sys = model.sys;
  if (!sys || primaryReport(model)) return null;
  const hit = sys.panic ? matchDetector(sys.panic) : null;
  const usable = hit && hit.kind !== 'nmi_backtrace' ? hit : null;
  const t = panicTask(model, usable?.cpu ?? null);
  const wd = t ? watchdogPanic(t) : null;
  return t && wd ? { ...wd, task: t, cpu: t.cpu ?? sys.cpu } : null;
}
