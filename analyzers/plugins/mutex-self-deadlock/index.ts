// mutex-self-deadlock: a task waits for a mutex (or ww_mutex / rt_mutex) it already owns. Mutexes
// are not recursive (kernel/locking/mutex.c): the owner sleeping in the slow path of its own lock
// never wakes. Evidence, strongest first: a `struct mutex` dump whose owner (flag bits of the low 3
// bits masked, v4.10+) is the task queued on its wait_list (mutex_waiter.task); a hung-task blocker
// line naming the blocked task itself; lockdep "possible recursive locking" on the same lock.
// A mutex owned by ANOTHER task is an ordinary chain (near miss), not this finding. Seed 000.

import type { ChainLink, Finding } from '../../contract.ts';
import type { TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { waitGraphOf, type WaitEdge, type WaitGraph } from '../../graph/wait-graph.ts';
import { walkChain } from '../../graph/chain.ts';
import { taskLabel } from '../../graph/resolve.ts';
import { finding, keyFramesOf } from '../../graph/finding-kit.ts';
import { acquiresForRead, taskFrames } from '../generic-helpers/index.ts';

const CHECKLIST = [
  'Find where the owner took the mutex first: walk its stack (bt -f) and the callers above the second lock call; a path that re-enters the same object (callback, retry loop, error path) is the usual cause.',
  'For ww_mutex: reservations must go through one ww_acquire_ctx; re-reserving a buffer already on the list must be detected (-EALREADY) instead of locked again.',
  'Check error and early-return paths between lock and unlock: a missing mutex_unlock leaves the owner set, and the next lock by the same task deadlocks.',
  'Run the path with lockdep (CONFIG_PROVE_LOCKING) to get the "possible recursive locking" report with both acquisition sites.',
];

const MUTEX_FRAMES = /^(?:__mutex_lock\w*|mutex_lock\w*|__ww_mutex_lock\w*|ww_mutex_lock\w*|rt_mutex_slowlock|__rt_mutex_slowlock\w*)$/;

function selfChain(g: WaitGraph, self: WaitEdge): { links: ChainLink[]; cycle: boolean } {
  // the longest walk that ends in this self-loop: tasks waiting on the owner come first
  let best = walkChain(g, self.from);
  // only tasks that wait on this one can lead into its loop
  const into = new Set(g.edges.filter((e) => e.to === self.from && e.from !== self.from).map((e) => e.from));
  for (const key of [...into].slice(0, 64)) {
    if (key === self.from) continue;
    const w = walkChain(g, key);
    if (w.cycle && w.edges[w.edges.length - 1] === self && w.links.length > best.links.length) best = w;
  }
  return { links: best.links, cycle: true };
}

function fromStructs(g: WaitGraph): Finding[] {
  const out: Finding[] = [];
  for (const e of g.edges) {
    if (e.source !== 'struct' || e.to !== e.from || !/mutex/.test(e.primitive)) continue;
    const t = g.tasks.get(e.from)!;
    const { links, cycle } = selfChain(g, e);
    const slow = taskFrames(t).find((f) => MUTEX_FRAMES.test(f));
    out.push(finding({
      pattern: 'mutex-self-deadlock',
      confidence: 0.95,
      headline: `${t.comm ?? taskLabel(t)}${t.pid !== null && t.comm ? ` (${t.pid})` : ''} waits for mutex ${e.lock} that it already owns`,
      blockingChain: links,
      cycle,
      suspectLock: { primitive: 'mutex', address: e.lock, name: null, holder: taskLabel(t), evidence: 'struct mutex owner == the waiting task', lines: e.lines },
      keyFrames: [...keyFramesOf(t, 2), ...(slow ? [slow] : [])],
      checklist: CHECKLIST,
      nextSteps: [`crash> struct mutex ${e.lock}`, `crash> bt -f ${t.pid ?? t.task ?? ''}`.trim(), ...(t.task ? [`crash> task ${t.task}`] : [])],
    }));
  }
  return out;
}

function fromReports(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  for (const r of model.reports) {
    // hung-task blocker line that names the blocked task itself as the owner
    if (r.blocker && r.pid !== null && r.blocker.ownerPid === r.pid && /mutex/.test(r.blocker.primitive)) {
      const t = model.tasks.find((x) => x.pid === r.pid) ?? null;
      const label = t ? taskLabel(t) : `${r.comm ?? '?'}:${r.pid}`;
      const link: ChainLink = {
        task: label, waitsOn: `${r.blocker.primitive} (owner per the hung-task blocker line)`, primitive: 'mutex', lock: null, heldBy: label,
        evidence: `the hung-task detector says the ${r.blocker.primitive} is likely owned by ${r.blocker.ownerComm}:${r.blocker.ownerPid}, the blocked task itself`,
        lines: [r.line, r.blocker.line],
      };
      out.push(finding({
        pattern: 'mutex-self-deadlock', confidence: 0.85,
        headline: `${label} is blocked on a ${r.blocker.primitive} that it owns itself`,
        blockingChain: [link], cycle: true,
        suspectLock: { primitive: 'mutex', address: null, name: null, holder: label, evidence: link.evidence!, lines: link.lines },
        keyFrames: keyFramesOf(t, 2), checklist: CHECKLIST,
        nextSteps: [`crash> bt -f ${r.pid}   (the mutex address is the argument of the mutex_lock frame)`, 'crash> struct mutex <address>   (owner == this task)'],
      }));
    }
    // lockdep "possible recursive locking": the task holds the lock class it is acquiring
    const ld = r.lockdep;
    if (r.kind === 'lockdep_recursive' && ld?.acquiring) {
      const same = ld.held.find((h) => h.name === ld.acquiring!.name) ?? null;
      if (!same) continue;
      // lockdep works on classes: two different objects of one class (parent and child &dev->mutex)
      // also trigger it. Different addresses (raw or hashed, both stable per object) = a missing
      // nesting annotation, not a self-deadlock
      if (same.address && ld.acquiring.address && same.address !== ld.acquiring.address) continue;
      const sameObject = !!same.address && same.address === ld.acquiring.address;
      const who = ld.acquirer ? `${ld.acquirer.comm}:${ld.acquirer.pid}` : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : 'the reporting task';
      const t = ld.acquirer ? model.tasks.find((x) => x.pid === ld.acquirer!.pid) ?? null : null;
      // an rwsem taken again for reading is not a self-deadlock by itself (lockdep-report says what it is)
      if (acquiresForRead(t ?? model.tasks.find((x) => x.pid === r.pid))) continue;
      const primitive = /mutex/i.test(ld.acquiring.name) ? 'mutex' : 'lock';
      const link: ChainLink = {
        task: who, waitsOn: `${ld.acquiring.name}${ld.acquiring.at ? ` at ${ld.acquiring.at}` : ''}`, primitive, lock: ld.acquiring.address ?? ld.acquiring.name, heldBy: who,
        evidence: `lockdep: already holding ${same.name}${same.at ? ` (taken at ${same.at})` : ''} while acquiring it again`,
        lines: [r.line, ld.acquiring.line, same.line],
      };
      out.push(finding({
        pattern: 'mutex-self-deadlock', confidence: sameObject ? 0.85 : 0.7,
        headline: `${who} acquires ${ld.acquiring.name}${sameObject ? ` (${ld.acquiring.address})` : ''} while already holding it (recursive locking)`,
        blockingChain: [link], cycle: true,
        suspectLock: { primitive, address: ld.acquiring.address, name: ld.acquiring.name, holder: who, evidence: link.evidence!, lines: link.lines },
        keyFrames: [...(ld.acquiring.at ? [ld.acquiring.at] : []), ...(same.at ? [same.at] : []), ...keyFramesOf(t, 1)],
        checklist: [...CHECKLIST.slice(0, 1), 'If the two acquisitions are of different objects of the same class, annotate the nesting (mutex_lock_nested / lockdep subclass) instead; if it is the same object, it is a real self-deadlock.', ...CHECKLIST.slice(2)],
        nextSteps: ['Compare the two "at:" sites lockdep prints for the held and the acquired lock', ...(ld.acquirer ? [`crash> bt -f ${ld.acquirer.pid}`] : [])],
      }));
    }
  }
  return out;
}

export const mutexSelfDeadlock: Plugin = {
  id: 'mutex-self-deadlock',
  title: 'Task waits for a mutex it already owns',
  families: '*',
  run(model) {
    const g = waitGraphOf(model);
    return [...fromStructs(g), ...fromReports(model)];
  },
};

export default mutexSelfDeadlock;
