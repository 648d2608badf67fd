// CPUs that wait for other CPUs to answer an IPI (smp_call_function_many / _single, on_each_cpu,
// the 2.6.32 flush_tlb_others_ipi that spins until every target cleared its bit in the flush mask).
// A target that spins with interrupts disabled never runs the IPI handler, so the caller spins too.

import type { ChainLink } from '../contract.ts';
import type { Task, TraceModel } from '../model/trace-model.ts';
import { baseName, factsOfTasks } from '../plugins/generic-helpers/index.ts';
import { ifFlag, spinnersFrom, spinnersOf, type Spinner } from './spin.ts';
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
  const hardCpus = new Set(model.reports.filter((r) => r.kind === 'hard_lockup' && r.cpu !== null).map((r) => r.cpu));
  if (model.sys?.cpu !== null && model.sys?.cpu !== undefined && /hard lockup/i.test(model.sys.panic ?? '')) hardCpus.add(model.sys.cpu);
  // best first, input order otherwise (what a stable sort by rank gave): one list per rank
  const hard: IrqsOffCpu[] = [];
  const spinning: IrqsOffCpu[] = [];
  const rest: IrqsOffCpu[] = [];
  const facts = factsOfTasks(model.tasks);
  for (let i = 0; i < facts.length; i++) {
    const t = model.tasks[i]!;
    if (t.cpu === null) continue;
    const f = facts[i]!;
    const rankOf = hardCpus.has(t.cpu) ? hard : null;
    let spins: Spinner | null = null;
    for (const s of spinnersFrom(t, f)) {
      if (ifFlag(s.exception) === false) {
        spins = s;
        break;
      }
    }
    if (spins) {
      (rankOf ?? spinning).push({ task: t, at: spins.at, spinning: true, lines: spins.exception.lines.slice(0, 2) });
      continue;
    }
    // the first segment outside NMI context with a named exception RIP, from the one pass over the frames
    const at = f.excSeg;
    const exc = at < 0 ? null : t.stack[at]!.exception;
    if (!exc || NOT_WORK_RE.test(baseName(exc.fn)) || ifFlag(exc) !== false) continue;
    (rankOf ?? rest).push({ task: t, at: baseName(exc.fn), spinning: false, lines: exc.lines.slice(0, 2) });
  }
  return hard.concat(spinning, rest);
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
