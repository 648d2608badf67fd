// workqueue-lockup: "BUG: workqueue lockup - pool cpus=N ... stuck for Ns!" (kernel/workqueue.c
// wq_watchdog_timer_fn): a worker pool made no forward progress. The dump that follows lists each
// busy workqueue with its in-flight work (worker pid:function) and pending work; the in-flight
// worker's own stack says what it waits for.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { classifyWait, nextStepsFor, spinInfo, taskByPid, taskFrames, taskLabel, waitWords } from '../generic-helpers/index.ts';

interface WqDetails {
  workqueues?: Array<{ name: string; inFlight: Array<{ pid: number; fn: string }>; pending: string[]; line: number }>;
  pools?: Array<{ id: number; cpus: string; hungSeconds: number | null; idle: number[]; line: number }>;
}

function finding(model: TraceModel, r: Report): Finding {
  const d = r.details as WqDetails;
  const pool = r.message ?? 'pool';
  const chain: ChainLink[] = [];
  const keyFrames: string[] = [];
  const nextSteps: string[] = [];
  let suspectAddr: string | null = null;
  const wqs = d.workqueues ?? [];
  for (const wq of wqs.slice(0, 6)) {
    for (const w of wq.inFlight.slice(0, 4)) {
      const t = taskByPid(model, w.pid);
      if (!keyFrames.includes(w.fn)) keyFrames.push(w.fn);
      chain.push({
        task: `workqueue ${wq.name}`,
        waitsOn: `in-flight work ${w.fn}${wq.pending.length ? ` (pending behind it: ${wq.pending.slice(0, 3).join(', ')})` : ''}`,
        primitive: 'workqueue',
        lock: null,
        heldBy: t ? taskLabel(t) : `kworker:${w.pid}`,
        evidence: 'in-flight entry of the busy workqueue dump',
        lines: [wq.line],
      });
      if (t && t.stack.length > 0) {
        const spin = spinInfo(t);
        const wait = spin ? null : classifyWait(taskFrames(t, { exceptions: false }));
        if (spin?.address) suspectAddr ??= spin.address;
        chain.push({
          task: taskLabel(t),
          waitsOn: spin ? `spinlock${spin.address ? ` ${spin.address}` : ''}` : wait ? `${waitWords(wait.primitive)} (${wait.at})` : 'unknown (running or not shown)',
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
    confidence: first ? 0.5 : 0.4,
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
