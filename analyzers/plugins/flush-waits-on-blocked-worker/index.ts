// flush-waits-on-blocked-worker: a task waits in flush_workqueue / flush_scheduled_work / flush_work /
// cancel_work_sync (kernel/workqueue.c waits for every pending work item to finish) while a worker
// runs a work item that is itself blocked (kworker in D state with process_one_work on its stack).
// The flusher is a victim: the blocked work item is what to investigate (seed 000: rmmod's
// flush_scheduled_work waits on kworker/1:2, stuck in ttm_eu_reserve_buffers). A worker that is
// RUNNING is not blocked (near miss: the flush is only slow), so it is not reported here.

import type { ChainLink } from '../../contract.ts';
import type { Plugin } from '../plugin.ts';
import { waitGraphOf, type WaitGraph } from '../../graph/wait-graph.ts';
import { waitersOf, walkChain } from '../../graph/chain.ts';
import { taskLabel } from '../../graph/resolve.ts';
import { finding, keyFramesOf } from '../../graph/finding-kit.ts';
import { blameFrames, taskFrames } from '../generic-helpers/index.ts';

const CHECKLIST = [
  'Identify the work item the flush waits for: the worker in D state with process_one_work on its stack, and its work function (the frame just above process_one_work).',
  'Investigate that work function, not the flusher: find what it waits on (mutex owner, completion, I/O) and who should release it.',
  'Check that the flusher does not hold a lock the work item needs: flushing under such a lock deadlocks.',
  'In module exit, cancel or flush only your own work items (cancel_work_sync / cancel_delayed_work_sync on each item, or a private workqueue with destroy_workqueue) instead of flush_scheduled_work on the shared system workqueue, which also waits for other drivers\' work.',
];

// a worker that flushes work of its own ordered workqueue (kernel/workqueue.c: alloc_ordered_workqueue
// runs one item at a time, in queueing order)
const ORDERED_ITEM = 'The flushing work item runs on an ordered workqueue (max_active 1): the items queued behind it cannot start until it returns, so it must not flush_work()/cancel_work_sync() them or flush its own workqueue. Queue the flushed work elsewhere, or finish without waiting for it (e.g. cancel_work() without _sync and a flag).';

export function flushFindings(g: WaitGraph) {
  const out = [];
  for (const e of g.edges) {
    if ((e.primitive !== 'flush_workqueue' && e.primitive !== 'flush_work') || !e.to) continue;
    const flusher = g.tasks.get(e.from);
    const worker = g.tasks.get(e.to);
    if (!flusher || !worker) continue;
    const walked = walkChain(g, e.from);
    // the tasks blocked on a lock the flusher holds come first: they hang because the flush does
    // (a PCI rescan behind a remove that flushes the reset work, under pci_rescan_remove_lock)
    const behind = waitersOf(g, e.from, 6).filter((l) => !walked.links.some((x) => x.task === l.task));
    const links: ChainLink[] = [...behind, ...walked.links];
    const workerFrames = taskFrames(worker);
    const wkEdge = walked.edges.find((x) => x.from === worker.key) ?? null;
    if (!wkEdge) {
      // no lock evidence for the worker: say where it is stuck, holder unknown
      const where = blameFrames(workerFrames, 1)[0] ?? workerFrames[0] ?? 'unknown code';
      links.push({
        task: taskLabel(worker), waitsOn: `unknown wait in ${where}`, primitive: 'unknown', lock: null, heldBy: null,
        evidence: `${taskLabel(worker)} is in D state inside ${where}; the paste shows no lock it waits on`, lines: worker.lines.slice(0, 3),
      });
    }
    const workFn = workerFrames[workerFrames.indexOf('process_one_work') - 1] ?? null;
    const nextSteps = [
      `crash> bt ${worker.pid ?? worker.task ?? ''}`.trim(),
      ...(worker.pid !== null ? [`cat /proc/${worker.pid}/stack`] : []),
      ...(wkEdge?.lock ? [`crash> struct mutex ${wkEdge.lock}`] : ['crash> bt -f <worker pid>   (find the lock argument of the wait)']),
      'crash> foreach UN bt',
    ];
    out.push(finding({
      pattern: 'flush-waits-on-blocked-worker',
      confidence: wkEdge?.lock ? 0.88 : 0.8,
      headline: flusher === worker
        ? `${taskLabel(flusher)} waits in ${e.waitsOn.replace(/^.*\((.*)\)$/, '$1')} for work queued behind its own ${workFn ?? 'work item'} on an ordered workqueue: it waits for itself`
        : `${taskLabel(flusher)} waits in ${e.waitsOn.replace(/^.*\((.*)\)$/, '$1')} for ${taskLabel(worker)}, a worker blocked in ${blameFrames(workerFrames, 1)[0] ?? workFn ?? 'a work item'}`,
      blockingChain: links,
      cycle: walked.cycle,
      suspectLock: wkEdge?.lock
        ? { primitive: wkEdge.primitive, address: /^[0-9a-f]+$/.test(wkEdge.lock) ? wkEdge.lock : null, name: /^[0-9a-f]+$/.test(wkEdge.lock) ? null : wkEdge.lock,
            holder: links.find((l) => l.lock === wkEdge.lock)?.heldBy ?? null, evidence: wkEdge.evidence, lines: wkEdge.lines }
        : null,
      keyFrames: [...keyFramesOf(worker, 2), ...(workFn ? [workFn] : []), e.waitsOn.replace(/^.*\((.*)\)$/, '$1')],
      checklist: flusher === worker ? [ORDERED_ITEM, ...CHECKLIST.slice(2)] : CHECKLIST,
      nextSteps,
    }));
  }
  return out;
}

export const flushWaitsOnBlockedWorker: Plugin = {
  id: 'flush-waits-on-blocked-worker',
  title: 'Workqueue flush waits on a blocked worker',
  families: '*',
  run(model) {
    return flushFindings(waitGraphOf(model));
  },
};

export default flushWaitsOnBlockedWorker;
