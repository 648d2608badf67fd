// rcu-stall: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks" (kernel/rcu/tree_stall.h). A grace
// period cannot end while a CPU stays in a read-side section or never passes a quiescent state
// (looping with preemption or interrupts off), or while a preempted reader task is blocked; or the
// grace-period kthread itself is starved of CPU time ("kthread starved for N jiffies").

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { blameFrames, spinInfo, taskByPid, taskFrames, taskLabel } from '../generic-helpers/index.ts';

interface RcuDetails {
  stalledCpus?: number[];
  stalledTasks?: number[];
  detectedBy?: number;
  jiffies?: number;
  starved?: { kthread: string; jiffies: number; state: string | null; cpu: number | null; line: number };
  lines?: number[];
  syzFrame?: string;
}

function finding(model: TraceModel, r: Report): Finding {
  const d = r.details as RcuDetails;
  const cpus = d.stalledCpus ?? (r.cpu !== null ? [r.cpu] : []);
  const tasks = d.stalledTasks ?? [];
  const lines = [r.line, ...(d.lines ?? []).slice(0, 6)];
  const chain: ChainLink[] = [];
  const keyFrames: string[] = [];
  if (d.syzFrame) keyFrames.push(d.syzFrame);
  let spinLock: string | null = null;
  for (const cpu of cpus.slice(0, 8)) {
    const t = model.tasks.find((x) => x.cpu === cpu && x.stack.length > 0);
    const spin = t ? spinInfo(t) : null;
    if (spin?.address) spinLock ??= spin.address;
    // the NMI segment is the backtrace machinery itself; the interrupted code is what stalls
    const view = t ? { ...t, stack: t.stack.filter((s) => s.context !== 'nmi') } : undefined;
    const blame = view ? blameFrames(taskFrames(view).filter((f) => !/rcu|apic_timer|sysvec|hrtimer|tick_|update_process_times/.test(f))) : [];
    for (const b of blame.slice(0, 2)) if (!keyFrames.includes(b)) keyFrames.push(b);
    chain.push({
      task: 'RCU grace period',
      waitsOn: `quiescent state from CPU ${cpu}`,
      primitive: 'rcu_gp',
      lock: null,
      heldBy: t ? taskLabel(t) : `CPU ${cpu}`,
      evidence: t ? `CPU ${cpu} was running ${blame[0] ?? taskFrames(t)[0] ?? 'unknown code'}` : `stall line names CPU ${cpu}; no backtrace of it in the paste`,
      lines,
    });
    if (spin && t) {
      chain.push({ task: taskLabel(t), waitsOn: `spinlock${spin.address ? ` ${spin.address}` : ''} (${spin.at})`, primitive: 'spinlock',
        lock: spin.address, heldBy: null, evidence: 'the stalled CPU spins in a lock slow path', lines: spin.exception?.lines.slice(0, 2) ?? [] });
    }
  }
  for (const pid of tasks.slice(0, 8)) {
    const t = taskByPid(model, pid);
    chain.push({ task: 'RCU grace period', waitsOn: 'preempted reader to leave its read-side section', primitive: 'rcu_gp',
      lock: null, heldBy: t ? taskLabel(t) : String(pid), evidence: 'listed as blocking the grace period', lines });
  }
  const starved = d.starved;
  if (starved) {
    chain.push({ task: `${starved.kthread} kthread`, waitsOn: `CPU time (starved ${starved.jiffies} jiffies${starved.state ? `, ${starved.state}` : ''})`,
      primitive: 'cpu', lock: null, heldBy: starved.cpu !== null ? `CPU ${starved.cpu}` : null, evidence: 'rcu kthread starved line', lines: [starved.line] });
  }
  if (chain.length === 0) {
    chain.push({ task: 'RCU grace period', waitsOn: 'quiescent states (the stall lines naming CPUs or tasks are not in the paste)',
      primitive: 'rcu_gp', lock: null, heldBy: null, evidence: r.header.slice(0, 120), lines: [r.line] });
  }
  const what = cpus.length ? `CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(', ')}` : tasks.length ? `task${tasks.length > 1 ? 's' : ''} ${tasks.join(', ')}` : 'unknown CPUs';
  const headline = `RCU grace period stalled${d.jiffies ? ` for ${d.jiffies} jiffies` : ''} by ${what}${keyFrames[0] ? ` (in ${keyFrames[0]})` : ''}${starved ? `; ${starved.kthread} kthread starved` : ''}`;
  return {
    pattern: 'rcu-stall',
    caseId: null,
    confidence: chain.length > 0 && keyFrames.length > 0 ? 0.5 : 0.4,
    headline,
    blockingChain: chain,
    cycle: false,
    suspectLock: spinLock ? { primitive: 'spinlock', address: spinLock, name: null, holder: null, evidence: 'stalled CPU spins on it (RDI of the interrupted frame)', lines } : null,
    keyFrames: keyFrames.slice(0, 3),
    checklist: [],
    nextSteps: [
      ...cpus.slice(0, 4).map((c) => `crash> bt -c ${c}`),
      'crash> bt -a',
      ...(starved ? ['ps -eLo pid,cls,rtprio,psr,comm | grep -i rcu   (is the GP kthread starved by RT tasks?)'] : []),
    ],
    references: [],
  };
}

export const rcuStall: Plugin = {
  id: 'rcu-stall',
  title: 'RCU CPU stall: who holds the grace period',
  families: ['rcu_stall', 'soft_lockup', 'hung_task'],
  run(model) {
    return model.reports.filter((r) => r.kind === 'rcu_stall').slice(0, 3).map((r) => finding(model, r));
  },
};

export default rcuStall;
