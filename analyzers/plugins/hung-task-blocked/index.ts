// hung-task-blocked: a task in D state too long (kernel/hung_task.c), or blocked tasks pasted without
// a detector line. Classifies the wait from the frames (mutex, rwsem read/write, semaphore,
// completion, work/workqueue flush, page I/O, jbd2 journal, RCU grace period) and, when the kernel
// printed its blocker line ("blocked on a mutex likely owned by task X:PID", v6.15+), names the owner.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, Task, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import {
  blameFrames, classifyWait, factsOfTasks, waitFrom, type TaskFacts,
  nextStepsFor, reportTask, taskByPid, taskFrames, taskLabel, waitOf, waitWords, type WaitInfo,
} from '../generic-helpers/index.ts';
import { blockerLock, blockerOwnerDisproved, waitGraphOf } from '../../graph/wait-graph.ts';

const MAX_FINDINGS = 5;

function waitLink(t: Task, w: WaitInfo | null, heldBy: string | null, evidence: string, lines: number[]): ChainLink {
  const where = w?.blame[0] ?? w?.at ?? 'unknown';
  return {
    task: taskLabel(t),
    waitsOn: w ? `${waitWords(w.primitive)} (${w.at} from ${where})` : 'unknown wait (no wait primitive in the stack)',
    primitive: w?.primitive ?? 'unknown',
    lock: null,
    heldBy,
    evidence,
    lines,
  };
}

function findingFor(model: TraceModel, t: Task, r: Report | null): Finding {
  const w = waitOf(t);
  const lines = [...(r ? [r.line] : []), ...t.lines.slice(0, 3)];
  const named = r?.blocker ?? null;
  // a "<reader>" owner the paste shows outside any read section is no owner (blockerOwnerDisproved)
  const disproved = named ? blockerOwnerDisproved(model, named) : null;
  const blocker = disproved ? null : named;
  const ownerLabel = blocker ? `${blocker.ownerComm}:${blocker.ownerPid}` : null;
  // the lock itself, when the lockdep lists name the one the waiter sleeps on and the owner holds
  const lock = blocker ? blockerLock(model, t, w, blocker) : null;
  const first = waitLink(t, w, ownerLabel,
    disproved ?? (blocker ? `hung-task blocker line: owner ${ownerLabel}${lock ? `; both lockdep lists name ${lock.name} ${lock.address}` : ''}` : w ? `stack waits in ${w.at}` : 'task in D state'),
    named ? [...lines, named.line, ...(lock ? [lock.line] : [])] : lines);
  if (lock) first.lock = lock.address;
  const chain: ChainLink[] = [first];
  let cycle = false;
  if (blocker) {
    if (blocker.ownerPid === t.pid) cycle = true;
    else {
      const owner = taskByPid(model, blocker.ownerPid);
      if (owner && owner.stack.length > 0) {
        const ow = waitOf(owner);
        chain.push(waitLink(owner, ow, null, 'stack of the owner', owner.lines.slice(0, 3)));
      }
    }
  }
  const prim = w?.primitive ?? 'sleep';
  const secs = r?.seconds ? ` for ${r.seconds}s` : '';
  const where = w?.blame[0] ? ` in ${w.blame[0]}` : '';
  const headline = w
    ? `${taskLabel(t)} blocked${secs} on a ${waitWords(w.primitive)}${where}${ownerLabel ? `, owned by ${ownerLabel}` : ''}`
    : `${taskLabel(t)} blocked${secs} in D state`;
  const keyFrames = w?.blame.length ? w.blame.slice(0, 2) : blameFrames(taskFrames(t), 2);
  const nextSteps = nextStepsFor(prim, t.pid);
  if (!blocker) nextSteps.push('echo w > /proc/sysrq-trigger   (all blocked tasks with their stacks)');
  return {
    pattern: 'hung-task-blocked',
    caseId: null,
    confidence: blocker ? 0.6 : w ? 0.5 : 0.4,
    headline,
    blockingChain: chain,
    cycle,
    suspectLock: blocker
      ? {
          primitive: blocker.primitive,
          address: lock?.address ?? null,
          name: lock?.name ?? null,
          holder: ownerLabel,
          evidence: `the kernel's hung-task check names ${ownerLabel} as the likely owner${lock ? `; the lockdep lists show ${lock.name} ${lock.address} taken by ${taskLabel(t)} at ${lock.at}, where it sleeps, and held by ${ownerLabel}` : ''}`,
          lines: lock ? [blocker.line, lock.line] : [blocker.line],
        }
      : null,
    keyFrames,
    checklist: [],
    nextSteps,
    references: [],
  };
}

/** waitWithExceptionsOf(t) given factsOf(t): the exception RIPs count as frames. */
function waitWithExceptions(t: Task, f: TaskFacts): WaitInfo | null {
  return f.hasExcFn ? classifyWait(f.frames) : waitFrom(t, f);
}

export const hungTaskBlocked: Plugin = {
  id: 'hung-task-blocked',
  title: 'Hung task blocked on a sleeping primitive',
  families: ['hung_task', 'stuck_tasks'],
  run(model) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const add = (t: Task, r: Report | null): void => {
      if (out.length >= MAX_FINDINGS || seen.has(t.key)) return;
      seen.add(t.key);
      out.push(findingFor(model, t, r));
    };
    for (const r of model.reports) {
      if (out.length >= MAX_FINDINGS) break;
      if (r.kind !== 'hung_task') continue;
      const t = reportTask(model, r);
      if (t) add(t, r);
    }
    if (out.length === 0) {
      // no detector: the D-state tasks, those with a recognisable wait first
      const facts = factsOfTasks(model.tasks);
      const blocked: number[] = [];
      for (let i = 0; i < facts.length; i++) {
        const t = model.tasks[i]!;
        if (t.state === 'D' && t.stack.length > 0) blocked.push(i);
      }
      // crash `foreach bt` prints no states: stacks parked in a wait primitive are the blocked ones
      if (blocked.length === 0) {
        for (let i = 0; i < facts.length; i++) {
          const t = model.tasks[i]!;
          if (waitFrom(t, facts[i]!) !== null && t.stack.length > 0) blocked.push(i);
        }
      } else if (model.structs.length > 0 || model.waiterLists.length > 0) {
        // an interruptible or killable lock wait (mutex_lock_interruptible, down_read_killable) sleeps
        // in S: the hung-task detector skips it, but a dump that puts it in the lock's wait list
        // proves it waits (waiter lists, wait_list pointers on its stack)
        const proven = new Set<string>();
        for (const e of waitGraphOf(model).edges) if (e.source === 'struct' || e.source === 'waiter-list') proven.add(e.from);
        for (let i = 0; i < facts.length; i++) {
          const t = model.tasks[i]!;
          if (t.state !== 'D' && t.stack.length > 0 && proven.has(t.key)) blocked.push(i);
        }
      }
      // recognisable waits first, input order kept otherwise; only up to MAX_FINDINGS are kept, so
      // stop classifying once that many are found (a 10k-task foreach bt has thousands)
      for (let k = 0; k < blocked.length && out.length < MAX_FINDINGS; k++) {
        const i = blocked[k]!;
        if (waitWithExceptions(model.tasks[i]!, facts[i]!)) add(model.tasks[i]!, null);
      }
      for (let k = 0; k < blocked.length && out.length < MAX_FINDINGS; k++) {
        const i = blocked[k]!;
        if (!waitWithExceptions(model.tasks[i]!, facts[i]!)) add(model.tasks[i]!, null);
      }
    }
    return out;
  },
};

export default hungTaskBlocked;
