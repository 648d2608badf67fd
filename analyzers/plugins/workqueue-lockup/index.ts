// workqueue-lockup: "BUG: workqueue lockup - pool cpus=N ... stuck for Ns!" (kernel/workqueue.c
// wq_watchdog_timer_fn): a worker pool made no forward progress. The dump that follows lists each
// busy workqueue with its in-flight work (worker pid:function) and pending work; the in-flight
// worker's own stack says what it waits for.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { blameFrames, classifyWait, nextStepsFor, spinInfo, taskByPid, taskFrames, taskLabel, waitWords } from '../generic-helpers/index.ts';

interface WqDetails {
  workqueues?: Array<{ name: string; inFlight: Array<{ pid: number; fn: string; pool?: number }>; pending: string[]; line: number }>;
  pools?: Array<{ id: number; cpus: string; hungSeconds: number | null; idle: number[]; manager?: number; line: number }>;
}

// Kernel facts (kernel/workqueue.c): a per-CPU pool runs one worker at a time, and when that worker
// sleeps, concurrency management wakes or creates another for the pending work. So an in-flight
// worker asleep (in reclaim, on a lock, on I/O) does not stall the pool by itself; a pool stalls when
// a worker keeps the CPU (running, spinning), when something else keeps the CPU, or when no new worker
// can be made (the pool's manager stuck in create_worker). Only a running worker is named as holder.

function finding(model: TraceModel, r: Report): Finding {
  const d = r.details as WqDetails;
  const pool = r.message ?? 'pool';
  const chain: ChainLink[] = [];
  const keyFrames: string[] = [];
  const nextSteps: string[] = [];
  let suspectAddr: string | null = null;
  const wqs = d.workqueues ?? [];
  let runningSeen = false; // an in-flight worker shown running (R): the pool's CPU is kept by it
  // the pools the dump says are stuck (hung=Ns, N > 0); an entry of another pool is not this lockup
  const stuck = new Set((d.pools ?? []).filter((p) => (p.hungSeconds ?? 0) > 0).map((p) => p.id));
  for (const wq of wqs.slice(0, 6)) {
    for (const w of wq.inFlight.slice(0, 4)) {
      if (stuck.size > 0 && w.pool !== undefined && !stuck.has(w.pool)) continue;
      const t = taskByPid(model, w.pid);
      if (!keyFrames.includes(w.fn)) keyFrames.push(w.fn);
      const spin = t && t.stack.length > 0 ? spinInfo(t) : null;
      const wait = t && t.stack.length > 0 && !spin ? classifyWait(taskFrames(t, { exceptions: false })) : null;
      // a ps row of the worker (no stack): its state and its comm
      const row = t ? undefined : model.psRows.find((x) => x.pid === w.pid);
      const state = t?.state ?? row?.state ?? null;
      const asleep = wait !== null || state === 'D' || state === 'S';
      if (state === 'R' && !asleep) runningSeen = true;
      chain.push({
        task: `workqueue ${wq.name}`,
        waitsOn: `in-flight work ${w.fn}${wq.pending.length ? ` (pending behind it: ${wq.pending.slice(0, 3).join(', ')})` : ''}`,
        primitive: 'workqueue',
        lock: null,
        heldBy: asleep ? null : t ? taskLabel(t) : row ? `${row.comm}:${w.pid}` : `kworker:${w.pid}`,
        evidence: asleep
          ? `in-flight entry of the busy workqueue dump; its worker ${t ? taskLabel(t) : w.pid} is asleep${wait ? ` (${wait.at})` : ''}, and a sleeping worker lets the pool run another: it does not stall the pool by itself`
          : state === 'R' ? `in-flight entry of the busy workqueue dump; the worker is running (state R${row ? `, ps line ${row.line}` : ''}): it keeps the pool's CPU`
          : 'in-flight entry of the busy workqueue dump',
        lines: [wq.line],
      });
      if (t && t.stack.length > 0) {
        if (spin?.address) suspectAddr ??= spin.address;
        chain.push({
          task: taskLabel(t),
          waitsOn: spin ? `spinlock${spin.address ? ` ${spin.address}` : ''}` : wait ? `${waitWords(wait.primitive)} (${wait.at})`
            : asleep ? `a sleep in ${blameFrames(taskFrames(t, { exceptions: false }), 1)[0] ?? 'unknown code'} (state ${t.state})` : 'unknown (running or not shown)',
          primitive: spin ? 'spinlock' : wait?.primitive ?? 'unknown',
          lock: spin?.address ?? null,
          heldBy: null,
          evidence: 'stack of the in-flight worker',
          lines: t.lines.slice(0, 2),
        });
        if (wait) nextSteps.push(...nextStepsFor(wait.primitive, t.pid));
      } else {
        nextSteps.push(`crash> bt ${w.pid}   (the in-flight worker of ${wq.name})`);
      }
    }
  }
  // every in-flight worker asleep: the pool needed a new worker; its manager shows whether it could
  const running = chain.some((l) => l.primitive === 'workqueue' && l.heldBy !== null);
  for (const p of (d.pools ?? []).filter((x) => (x.hungSeconds ?? 0) > 0 && x.manager !== undefined).slice(0, 2)) {
    if (running) break;
    const m = taskByPid(model, p.manager!);
    const mw = m && m.stack.length > 0 ? classifyWait(taskFrames(m, { exceptions: false })) : null;
    const mf = m ? taskFrames(m) : [];
    const creating = mf.find((f) => f === 'create_worker' || f === 'maybe_create_worker') ?? mf.find((f) => /^_{0,2}kthread_create_on_node$/.test(f));
    chain.push({
      task: `pool ${p.id} (cpus=${p.cpus})`,
      waitsOn: 'a new worker: its in-flight workers sleep and the pending work needs one',
      primitive: 'workqueue',
      lock: null,
      heldBy: null,
      evidence: `the pool's manager is ${m ? taskLabel(m) : `pid ${p.manager}`}${creating ? `, in ${creating}${mw ? ` waiting in ${mw.at}` : ''}: worker creation itself is stuck (kthreadd, memory pressure)` : ''}`,
      lines: [p.line, ...(m ? m.lines.slice(0, 1) : [])],
    });
  }
  if (chain.length === 0) {
    chain.push({ task: pool, waitsOn: 'forward progress of its workers', primitive: 'workqueue', lock: null, heldBy: null,
      evidence: r.header.slice(0, 120), lines: [r.line] });
  }
  nextSteps.push('echo t > /proc/sysrq-trigger   (stacks of every kworker)', 'crash> foreach kworker bt');
  const first = wqs.find((w) => w.inFlight.length > 0);
  const headline = first
    ? `Workqueue ${pool} stuck${r.seconds ? ` for ${r.seconds}s` : ''}: ${first.name} runs ${first.inFlight[0]!.fn} in kworker ${first.inFlight[0]!.pid}${first.pending.length ? ` with ${first.pending.length} work items pending` : ''}`
    : `Workqueue ${pool} stuck${r.seconds ? ` for ${r.seconds}s` : ''}; no in-flight work in the dump`;
  return {
    pattern: 'workqueue-lockup',
    caseId: null,
    // a worker shown running is the stall's direct evidence: ranked above the hung victims it causes
    confidence: runningSeen ? 0.6 : first ? 0.5 : 0.4,
    headline,
    blockingChain: chain,
    cycle: false,
    suspectLock: suspectAddr ? { primitive: 'spinlock', address: suspectAddr, name: null, holder: null, evidence: 'the in-flight worker spins on it', lines: [] } : null,
    keyFrames: keyFrames.slice(0, 3),
    checklist: [],
    nextSteps: [...new Set(nextSteps)],
    references: [],
  };
}

export const workqueueLockup: Plugin = {
  id: 'workqueue-lockup',
  title: 'Workqueue pool without forward progress',
  families: ['workqueue_lockup', 'hung_task', 'soft_lockup'],
  run(model) {
    return model.reports.filter((r) => r.kind === 'workqueue_lockup').slice(0, 3).map((r) => finding(model, r));
  },
};

export default workqueueLockup;
