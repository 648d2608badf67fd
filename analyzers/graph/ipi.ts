// CPUs that wait for other CPUs to answer an IPI (smp_call_function_many / _single, on_each_cpu,
// the 2.6.32 flush_tlb_others_ipi that spins until every target cleared its bit in the flush mask).
// A target that spins with interrupts disabled never runs the IPI handler, so the caller spins too.

import type { ChainLink } from '../contract.ts';
import type { Task, TraceModel } from '../model/trace-model.ts';
import { baseName, isMechanics } from '../plugins/generic-helpers/index.ts';
import { IPI_WAIT_RE } from './wait-graph.ts';
import { ifFlag, spinnersOf } from './spin.ts';
import { taskLabel } from './resolve.ts';

export interface IpiWaiter {
  task: Task;
  at: string; // smp_call_function_many
  line: number;
}

const WAITERS = new WeakMap<TraceModel, IpiWaiter[]>();

// per-name answers, one lookup per frame: the same few hundred kernel function names recur on every
// task of a foreach bt. 1 = waits for IPIs, 2 = real work (counts towards the three-frame limit), 0 = neither
const IPI_NAMES = new Map<string, number>();
const NOT_WORK_NEAR_IPI = /^(?:__bitmap_empty|bitmap_empty|cpumask_\w+|_spin_lock|_raw_spin_lock|csd_lock_wait|cpu_relax|rep_nop)$/;

function ipiClass(fn: string): number {
  let v = IPI_NAMES.get(fn);
  if (v === undefined) {
    if (IPI_NAMES.size >= 50_000) IPI_NAMES.clear();
    v = IPI_WAIT_RE.test(fn) ? 1 : !isMechanics(fn) && !NOT_WORK_NEAR_IPI.test(fn) ? 2 : 0;
    IPI_NAMES.set(fn, v);
  }
  return v;
}

/** Tasks whose innermost code (exception RIP or the first few real frames) waits for IPIs. */
export function ipiWaiters(model: TraceModel): IpiWaiter[] {
  const memo = WAITERS.get(model);
  if (memo) return memo;
  const out: IpiWaiter[] = [];
  WAITERS.set(model, out);
  for (const t of model.tasks) {
    let hit: IpiWaiter | null = null;
    for (const seg of t.stack) {
      if (seg.context !== 'process') continue;
      // the exception RIP, then the reliable frames; stop after three frames of real work
      let real = 0;
      const exc = seg.exception;
      if (exc?.fn) {
        const fn = baseName(exc.fn);
        const c = ipiClass(fn);
        if (c === 1) hit = { task: t, at: fn, line: exc.line };
        else if (c === 2) real++;
      }
      for (let k = 0; !hit && real <= 2 && k < seg.frames.length; k++) {
        const f = seg.frames[k]!;
        if (!f.fn || f.unreliable) continue;
        const fn = baseName(f.fn);
        const c = ipiClass(fn);
        if (c === 1) hit = { task: t, at: fn, line: f.line };
        else if (c === 2) real++;
      }
      if (hit) break;
    }
    if (hit) out.push(hit);
  }
  return out;
}

/** CPUs spinning with interrupts disabled (RFLAGS.IF clear in the spinning frame). */
export function irqsOffSpinners(model: TraceModel): Task[] {
  return model.tasks.filter((t) => t.cpu !== null && spinnersOf(t).some((s) => ifFlag(s.exception) === false));
}

// Code an NMI or a panic leaves in the saved frame that says nothing about the CPU's own work.
const NOT_WORK_RE = /^(?:native_safe_halt|default_idle|mwait_idle\w*|intel_idle|cpuidle_enter_state|crash_nmi_callback|machine_kexec|panic|__crash_kexec)$/;

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
  const out: IrqsOffCpu[] = [];
  for (const t of model.tasks) {
    if (t.cpu === null) continue;
    const spins = spinnersOf(t).find((s) => ifFlag(s.exception) === false);
    if (spins) {
      out.push({ task: t, at: spins.at, spinning: true, lines: spins.exception.lines.slice(0, 2) });
      continue;
    }
    const seg = t.stack.find((x) => x.exception && x.context !== 'nmi' && x.exception.fn);
    const exc = seg?.exception;
    if (!exc || NOT_WORK_RE.test(baseName(exc.fn)) || ifFlag(exc) !== false) continue;
    out.push({ task: t, at: baseName(exc.fn), spinning: false, lines: exc.lines.slice(0, 2) });
  }
  const hardCpus = new Set(model.reports.filter((r) => r.kind === 'hard_lockup' && r.cpu !== null).map((r) => r.cpu));
  if (model.sys?.cpu !== null && model.sys?.cpu !== undefined && /hard lockup/i.test(model.sys.panic ?? '')) hardCpus.add(model.sys.cpu);
  const rank = (c: IrqsOffCpu): number => (hardCpus.has(c.task.cpu) ? 0 : c.spinning ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b));
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
