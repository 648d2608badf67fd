// ipi-waits-on-irqs-off-cpu: CPUs stuck in smp_call_function_many / smp_call_function_single /
// on_each_cpu / flush_tlb_others_ipi wait until every target CPU has run the IPI handler
// (kernel/smp.c csd_lock_wait; 2.6.32 arch/x86/mm/tlb.c spins until the flush mask is empty).
// A target that spins on a lock with interrupts disabled (RFLAGS.IF clear in its saved frame, e.g.
// spin_lock_irq) never takes the IPI, so the callers are victims: they join that CPU's chain and
// the soft lockup they report points away from the culprit. Seeds 001 (CPU0 in static-key
// patching) and 004 (CPUs in flush_tlb_others_ipi waiting for CPU18).

import type { ChainLink, Finding } from '../../contract.ts';
import type { Task, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { firstIrqsOffCpu, ipiLink, ipiWaiters, irqsOffCpuOf } from '../../graph/ipi.ts';
import { blameFrames, taskFrames } from '../generic-helpers/index.ts';
import { spinnersOf } from '../../graph/spin.ts';
import { taskLabel } from '../../graph/resolve.ts';
import { finding, keyFramesOf } from '../../graph/finding-kit.ts';
import { findHits } from '../irq-reentrant-spinlock/index.ts';

const CHECKLIST = [
  'The CPUs waiting for the IPI are victims: investigate the target CPU that runs with interrupts disabled and the lock it spins on.',
  'Find who holds (or corrupted) the lock the target spins on: bt -a for the other CPUs, the lock word itself, and the code that takes it with interrupts off.',
  'Keep interrupts-off sections short and never wait for another CPU (IPI, smp_call_function) with interrupts disabled or while holding a lock that an IPI target may need.',
];

/** The task on the CPU a CSD-lock debug line names, preferring a line from one of the waiting CPUs. */
function csdTarget(model: TraceModel, waiters: readonly { task: Task }[]): Task | undefined {
  const csd = model.csdWaits;
  if (!csd?.length) return undefined;
  const waitingCpus = new Set(waiters.map((w) => w.task.cpu));
  const ordered = [...csd.filter((c) => waitingCpus.has(c.cpu)), ...csd.filter((c) => !waitingCpus.has(c.cpu))];
  for (const c of ordered) {
    const t = model.tasks.find((x) => x.cpu === c.target && x.stack.length > 0);
    if (t) return t;
  }
  return undefined;
}

export function ipiFindings(model: TraceModel): Finding[] {
  const waiters = ipiWaiters(model);
  if (waiters.length === 0) return [];
  const waiting = new Set(waiters.map((w) => w.task)); // a set: thousands of waiters x thousands of CPUs
  // the first hit decides the root, and then it is self-held: one hit is all this needs
  const reentrant = findHits(model, 1);
  // the CPU that deadlocked on itself is the root when there is one; else the first irqs-off CPU
  // that is not waiting itself. Only the root's irqs-off answer is used: other CPUs are not asked
  // CONFIG_CSD_LOCK_WAIT_DEBUG names the CPU a waiter waits for: that CPU is the target, whatever
  // the other stacks look like (several CPUs may run with interrupts off)
  const rootTask: Task | undefined = reentrant[0]?.irq.task ?? csdTarget(model, waiters) ?? firstIrqsOffCpu(model, waiting)?.task;
  if (!rootTask) return [];
  const off = waiting.has(rootTask) ? null : irqsOffCpuOf(rootTask);
  const spin = spinnersOf(rootTask).find((s) => s.exception.registers.RFLAGS) ?? spinnersOf(rootTask)[0];
  const selfHeld = reentrant.some((h) => h.irq.task === rootTask);
  // busy-wait helpers (udelay, TSC delay loops) are how it waits, not what it waits for; sanitizer
  // and lockdep hooks (kcov, KASAN) are instrumentation around the real code
  const noise = /^(?:delay_tsc|delay_loop|__const_udelay|__udelay|__ndelay|udelay|ndelay|mdelay|cpu_relax|rep_nop|native_read_tsc|read_tsc|__sanitizer_\w+|__asan_\w+|__tsan_\w+|kasan_\w+|check_memory_region\w*|lock_is_held\w*|lockdep_\w+|trace_hardirqs_\w+)$/;
  const busy = blameFrames(taskFrames(rootTask).filter((f) => !noise.test(f)), 1)[0] ?? off?.at ?? 'unknown code';
  const at = off && !noise.test(off.at) ? off.at : busy;
  const why = spin ? `spins with interrupts disabled on ${spin.lock} (${spin.at})` : `runs with interrupts disabled in ${at}${busy !== at ? ` (${busy})` : ''}`;
  const chain: ChainLink[] = waiters.filter((w) => w.task !== rootTask).slice(0, 16).map((w) => ipiLink(w, rootTask, why));
  if (chain.length === 0) return [];
  if (spin) {
    chain.push({
      task: taskLabel(rootTask),
      waitsOn: `spinlock ${spin.lock} (${spin.via ?? spin.at}${spin.taker ? ` from ${spin.taker}` : ''})`,
      primitive: 'spinlock',
      lock: spin.lock,
      heldBy: selfHeld ? taskLabel(rootTask) : null,
      evidence: `RDI = ${spin.lock} in ${spin.at}; RFLAGS.IF is clear, so this CPU cannot take the IPI${selfHeld ? '; the lock is held by the code this interrupt interrupted' : ''}`,
      lines: spin.exception.lines.slice(0, 2),
    });
  } else if (off) {
    chain.push({
      task: taskLabel(rootTask),
      waitsOn: `nothing: busy in ${busy} with interrupts disabled`,
      primitive: 'irqs_off',
      lock: null,
      heldBy: null,
      evidence: `saved RFLAGS of ${off.at} has IF clear: the IPIs stay pending until this loop ends`,
      lines: off.lines,
    });
  }
  const first = waiters[0]!;
  const cpus = [...new Set(waiters.filter((w) => w.task !== rootTask).map((w) => w.task.cpu).filter((c) => c !== null))];
  return [finding({
    pattern: 'ipi-waits-on-irqs-off-cpu',
    confidence: spin || off ? 0.8 : 0.65,
    headline: `${cpus.length ? `CPU ${cpus.join(', ')}` : taskLabel(first.task)} wait${cpus.length === 1 ? 's' : ''} in ${first.at} for CPU ${rootTask.cpu ?? '?'} (${taskLabel(rootTask)}), which ${why}`,
    blockingChain: chain,
    cycle: selfHeld,
    suspectLock: spin ? { primitive: 'spinlock', address: spin.lock, name: null, holder: selfHeld ? taskLabel(rootTask) : null, evidence: `the IPI target CPU ${rootTask.cpu ?? '?'} spins on it with interrupts off`, lines: spin.exception.lines.slice(0, 2) } : null,
    keyFrames: [...keyFramesOf(rootTask, 1), first.at, ...keyFramesOf(first.task, 1)],
    checklist: CHECKLIST,
    nextSteps: [`crash> bt -c ${rootTask.cpu ?? '<cpu>'}`, ...(spin ? [`crash> struct raw_spinlock ${spin.lock}`] : []), 'crash> bt -a   (every CPU waiting in the IPI path)'],
  })];
}

export const ipiWaitsOnIrqsOffCpu: Plugin = {
  id: 'ipi-waits-on-irqs-off-cpu',
  title: 'IPI sender waits for a CPU that spins with interrupts disabled',
  families: '*',
  run: ipiFindings,
};

export default ipiWaitsOnIrqsOffCpu;
