// atomic-sleep: "BUG: sleeping function called from invalid context" (__might_resched, kernel/sched/core.c)
// and "BUG: scheduling while atomic" (__schedule_bug): code that may sleep ran with preemption or
// interrupts disabled (a spinlock held, an RCU read-side section, irq/softirq context). The blame is
// the caller that slept and, when printed, the place that disabled preemption.

import type { Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { baseName, isMechanics, reportTask, taskFrames, taskLabel } from '../generic-helpers/index.ts';

// The might_sleep()/schedule() machinery at the top of these stacks.
const SLEEP_CHECK = /^(?:dump_stack\w*|show_stack|__might_resched|___might_sleep|__might_sleep|might_sleep|__might_fault|__schedule_bug|schedule_debug|__schedule|schedule\w*|preempt_schedule\w*|__cond_resched\w*|_cond_resched|do_exit|rcu_note_context_switch)$/;

interface AtomicDetails { inAtomic?: number; irqsDisabled?: number; preemptCount?: string; preemptionDisabledAt?: string }

function finding(model: TraceModel, r: Report): Finding {
  const d = r.details as AtomicDetails;
  const t = reportTask(model, r);
  const label = t ? taskLabel(t) : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : 'unknown task';
  const callers = t ? taskFrames(t).map(baseName).filter((f) => !SLEEP_CHECK.test(f) && !isMechanics(f)) : [];
  const sleeper = callers[0] ?? null;
  const held = r.lockdep?.heldBy.find((h) => r.pid === null || h.pid === r.pid)?.locks ?? [];
  const lock = held.at(-1) ?? null;
  const ctx = [
    d.inAtomic !== undefined ? `in_atomic=${d.inAtomic}` : null,
    d.irqsDisabled !== undefined ? `irqs_disabled=${d.irqsDisabled}` : null,
    d.preemptCount ? `preempt_count=${d.preemptCount}` : r.message,
  ].filter(Boolean).join(', ');
  const kind = r.kind === 'scheduling_while_atomic' ? 'scheduled while atomic' : 'called a sleeping function in atomic context';
  const keyFrames = [...new Set([sleeper, callers[1], d.preemptionDisabledAt].filter((x): x is string => !!x))].slice(0, 3);
  return {
    pattern: 'atomic-sleep',
    caseId: null,
    confidence: sleeper ? 0.55 : 0.4,
    headline: `${label} ${kind}${sleeper ? ` in ${sleeper}` : ''}${lock ? ` while holding ${lock.name}` : ''}${d.preemptionDisabledAt ? ` (preemption disabled at ${d.preemptionDisabledAt})` : ''}`,
    blockingChain: [{
      task: label,
      waitsOn: `sleep in atomic context${ctx ? ` (${ctx})` : ''}`,
      primitive: 'atomic_sleep',
      lock: lock?.address ?? lock?.name ?? null,
      heldBy: lock ? label : null,
      evidence: r.header.slice(0, 120),
      lines: [r.line, ...(lock ? [lock.line] : [])],
    }],
    cycle: false,
    suspectLock: lock
      ? { primitive: 'spinlock', address: lock.address, name: lock.name, holder: label, evidence: `held${lock.at ? ` (taken in ${lock.at})` : ''} when the task slept`, lines: [lock.line] }
      : null,
    keyFrames,
    checklist: [],
    nextSteps: [
      ...(sleeper ? [`crash> dis -l ${sleeper}   (the call that may sleep)`] : []),
      ...(d.preemptionDisabledAt ? [`crash> dis -l ${d.preemptionDisabledAt}   (where preemption was disabled)`] : []),
      'Enable CONFIG_DEBUG_ATOMIC_SLEEP and CONFIG_PROVE_LOCKING to get the preemption-disable site and held locks',
    ],
    references: [],
  };
}

export const atomicSleep: Plugin = {
  id: 'atomic-sleep',
  title: 'Sleeping in atomic context',
  families: ['atomic_sleep', 'oops', 'hung_task', 'soft_lockup'],
  run(model) {
    return model.reports
      .filter((r) => r.kind === 'sleeping_in_atomic' || r.kind === 'scheduling_while_atomic')
      .slice(0, 3)
      .map((r) => finding(model, r));
  },
};

export default atomicSleep;
