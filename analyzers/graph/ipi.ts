// CPUs that wait for other CPUs to answer an IPI (smp_call_function_many / _single, on_each_cpu,
// the 2.6.32 flush_tlb_others_ipi that spins until every target cleared its bit in the flush mask).
// A target that spins with interrupts disabled never runs the IPI handler, so the caller spins too.

import type { ChainLink } from '../contract.ts';
import type { Task, TraceModel } from '../model/trace-model.ts';
import { factsOf, factsOfTasks, nameInfo, type TaskFacts } from '../plugins/generic-helpers/index.ts';
import { ifFlag, spinnersFrom, spinnersOf } from './spin.ts';
import { taskLabel } from './resolve.ts';

export interface IpiWaiter {
  task: Task;
  at: string; // smp_call_function_many
  line: number;
}

const WAITERS = new WeakMap<TraceModel, IpiWaiter[]>();

/** Tasks whose innermost code (exception RIP or the first few real frames) waits for IPIs. */
export function ipiWaiters(model: TraceModel): IpiWaiter[] {
  const memo = WAITERS.get(model);
  if (memo) return memo;
  const out: IpiWaiter[] = [];
  WAITERS.set(model, out);
  // the scan (process segments: the exception RIP, then the reliable frames, stopping after three
  // frames of real work) is part of the one pass over each task's frames (generic-helpers factsOf)
  const facts = factsOfTasks(model.tasks);
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (f.ipiAt !== null) out.push({ task: model.tasks[i]!, at: f.ipiAt, line: f.ipiLine });
  }
  return out;
}

/** CPUs spinning with interrupts disabled (RFLAGS.IF clear in the spinning frame). */
export function irqsOffSpinners(model: TraceModel): Task[] {
  return model.tasks.filter((t) => t.cpu !== null && spinnersOf(t).some((s) => ifFlag(s.exception) === false));
}

// Code an NMI or a panic leaves in the saved frame that says nothing about the CPU's own work.
const NOT_WORK_RE = /^(?:native_safe_halt|default_idle|mwait_idle\w*|intel_idle|cpuidle_enter_state|crash_nmi_callback|machine_kexec|panic|__crash_kexec)$/;

const NOT_WORK = new Map<string, boolean>();

function notWork(base: string): boolean {
  let v = NOT_WORK.get(base);
  if (v === undefined) {
    if (NOT_WORK.size >= 50_000) NOT_WORK.clear();
    v = NOT_WORK_RE.test(base);
    NOT_WORK.set(base, v);
  }
  return v;
}

export interface IrqsOffCpu {
  task: Task;
  /** Where it runs with interrupts off (the saved RIP function). */
  at: string;
  spinning: boolean;
  lines: number[];
}

/**
 * CPUs whose saved register frame (the code the NMI interrupted, or the watchdog's RIP line) has
 * RFLAGS.IF clear: they cannot take an IPI. The CPU a hard-lockup report names comes first, then
 * spinners, then the rest.
 */
export function irqsOffCpus(model: TraceModel): IrqsOffCpu[] {
  const hardCpus = hardLockupCpus(model);
  // best first, input order otherwise (what a stable sort by rank gave): one list per rank
  const hard: IrqsOffCpu[] = [];
  const spinning: IrqsOffCpu[] = [];
  const rest: IrqsOffCpu[] = [];
  const facts = factsOfTasks(model.tasks);
  for (let i = 0; i < facts.length; i++) {
    const t = model.tasks[i]!;
    if (t.cpu === null) continue;
    const c = irqsOffEntry(t, facts[i]!);
    if (c) (hardCpus.has(t.cpu) ? hard : c.spinning ? spinning : rest).push(c);
  }
  return hard.concat(spinning, rest);
}

/** irqsOffCpus(model).find((c) => c.task === t) ?? null, without the other tasks. */
export function irqsOffCpuOf(t: Task): IrqsOffCpu | null {
  return t.cpu === null ? null : irqsOffEntry(t, factsOf(t));
}

/**
 * irqsOffCpus(model).filter((c) => !skip.has(c.task))[0] ?? null, stopping at the first CPU that
 * answers (the IPI analyzer uses only the first; a 10k-task foreach bt has thousands of such CPUs).
 */
export function firstIrqsOffCpu(model: TraceModel, skip: ReadonlySet<Task>): IrqsOffCpu | null {
  const hardCpus = hardLockupCpus(model);
  let spinning: IrqsOffCpu | null = null;
  let rest: IrqsOffCpu | null = null;
  const facts = factsOfTasks(model.tasks);
  for (let i = 0; i < facts.length; i++) {
    const t = model.tasks[i]!;
    if (t.cpu === null || skip.has(t)) continue;
    const hard = hardCpus.has(t.cpu);
    // past the first spinning CPU only a hard-lockup CPU can come before it
    if (!hard && spinning !== null) continue;
    const c = irqsOffEntry(t, facts[i]!);
    if (!c) continue;
    if (hard) return c;
    if (c.spinning) {
      spinning = c;
      if (hardCpus.size === 0) return c;
    } else rest ??= c;
  }
  return spinning ?? rest;
}

function hardLockupCpus(model: TraceModel): Set<number | null> {
  const hardCpus = new Set<number | null>();
  for (const r of model.reports) if (r.kind === 'hard_lockup' && r.cpu !== null) hardCpus.add(r.cpu);
  if (model.sys?.cpu !== null && model.sys?.cpu !== undefined && /hard lockup/i.test(model.sys.panic ?? '')) hardCpus.add(model.sys.cpu);
  return hardCpus;
}

/** The irqs-off answer for one task with a CPU, null when it runs with interrupts on (or unknown). */
function irqsOffEntry(t: Task, f: TaskFacts): IrqsOffCpu | null {
  for (const s of spinnersFrom(t, f)) {
    if (ifFlag(s.exception) === false) return { task: t, at: s.at, spinning: true, lines: s.exception.lines.slice(0, 2) };
  }
  // the first segment outside NMI context with a named exception RIP, from the one pass over the frames
  const k = f.excSeg;
  const exc = k < 0 ? null : t.stack[k]!.exception;
  if (!exc) return null;
  const at = nameInfo(exc.fn).base;
  if (notWork(at) || ifFlag(exc) !== false) return null;
  return { task: t, at, spinning: false, lines: exc.lines.slice(0, 2) };
}

export function ipiLink(w: IpiWaiter, target: Task, why: string): ChainLink {
  return {
    task: taskLabel(w.task),
    waitsOn: `IPI to CPU ${target.cpu ?? '?'} (${w.at})`,
    primitive: 'ipi',
    lock: null,
    heldBy: taskLabel(target),
    evidence: `${taskLabel(w.task)}${w.task.cpu !== null ? ` on CPU ${w.task.cpu}` : ''} waits in ${w.at} for other CPUs to run the IPI handler; CPU ${target.cpu ?? '?'} ${why}`,
    lines: [w.line],
  };
}
