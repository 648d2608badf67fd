// spinlock-debug: the reports of CONFIG_DEBUG_SPINLOCK (kernel/locking/spinlock_debug.c). Before v4.13
// a CPU that spun for about a second printed "BUG: spinlock lockup suspected on CPU#N, comm/pid"; every
// version checks, before taking the lock, for "recursion" (lock->owner == current), "cpu recursion"
// (lock->owner_cpu is this CPU) and "bad magic" (lock->magic != SPINLOCK_MAGIC 0xdead4ead). Each is
// followed by spin_dump's line naming the lock, its magic, its .owner (comm/pid, "<none>/-1" when no
// one holds it) and .owner_cpu: the holder, read from the lock itself, not guessed from stacks.
//
// The finding: the reporting task waits on the lock held by .owner; when the owner's stack is in the
// paste (its NMI backtrace), where it is is the key frame. The owner being the reporting task itself
// is a self-deadlock (cycle); a magic other than dead4ead means the lock's memory is not a live
// spinlock (freed, overwritten, never initialised), so no owner is trusted.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { blameFrames, reportTask, taskByPid, taskFrames, taskLabel } from '../generic-helpers/index.ts';

interface SpinDump {
  lock: string | null;
  lockName: string | null;
  magic: string;
  owner: { comm: string; pid: number } | null;
  ownerCpu: number | null;
  line: number;
}

const SPINLOCK_MAGIC = 'dead4ead';

// The unlock-side checks of do_raw_spin_unlock (spinlock_debug.c debug_spin_unlock): "already unlocked"
// (magic intact, no owner), "wrong owner" (lock->owner != current) and "wrong CPU" (owner_cpu != this
// CPU). They report a bug, not a wait: the lock was taken in one task (or on one CPU) and released
// from another, so mutual exclusion was broken for as long as that was possible.
const UNLOCK_BUGS = new Set(['spinlock already unlocked', 'spinlock wrong owner', 'spinlock wrong CPU']);

/**
 * What a report's spin_dump says, shared by both findings: the reporting task, the lock, and the owner
 * the lock records (trusted only with an intact magic), labelled from its task when the paste has it
 * with a comm, else from the dump's comm/pid.
 */
function readDump(model: TraceModel, r: Report) {
  const dump = (r.details.spinDump ?? null) as SpinDump | null;
  const reporter = reportTask(model, r);
  const label = reporter ? taskLabel(reporter) : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : taskLabel(null, r.cpu);
  const intact = dump !== null && dump.magic === SPINLOCK_MAGIC;
  const owner = intact ? dump.owner : null;
  const ownerTask = owner ? taskByPid(model, owner.pid) : undefined;
  return {
    dump, reporter, label, intact, owner, ownerTask,
    lockText: dump?.lock ?? dump?.lockName ?? null,
    holder: owner ? (ownerTask?.comm ? taskLabel(ownerTask) : `${owner.comm}:${owner.pid}`) : null,
    lines: dump ? [r.line, dump.line] : [r.line],
  };
}

function unlockBugFinding(model: TraceModel, r: Report): Finding {
  const { dump, reporter: t, label: who, lockText, intact, owner, holder, lines } = readDump(model, r);
  const at = t ? blameFrames(taskFrames(t).filter((f) => !/spin_dump|spin_bug|dump_stack|do_raw_spin_unlock/.test(f)), 2) : [];
  const what = r.message === 'spinlock already unlocked' ? 'unlocks a spinlock no one holds (a double unlock)'
    : r.message === 'spinlock wrong CPU' ? `unlocks a spinlock taken on CPU ${dump?.ownerCpu ?? '?'}`
    : `unlocks a spinlock held by ${holder ?? 'another task'}`;
  const evidence = dump ? `spin_dump: .owner: ${owner ? `${owner.comm}/${owner.pid}` : '<none>/-1'}, .owner_cpu: ${dump.ownerCpu ?? '-1'} (the lock's own record, read at unlock)` : 'the spin_dump line with the lock is not in the paste';
  return {
    pattern: 'spinlock-debug',
    caseId: null,
    confidence: dump && intact ? 0.55 : 0.4,
    headline: `${who} ${what}${lockText ? ` (${lockText})` : ''}${at[0] ? ` in ${at[0]}` : ''}: taken in one context, released in another`,
    blockingChain: [{
      task: who, waitsOn: `unlock of spinlock ${lockText ?? '(address not printed)'} (${r.message?.replace(/^spinlock /, '')})`, primitive: 'spinlock',
      lock: lockText, heldBy: holder, evidence, lines,
    }],
    cycle: false,
    suspectLock: lockText ? { primitive: 'spinlock', address: dump?.lock ?? null, name: dump?.lockName ?? null, holder, evidence, lines } : null,
    keyFrames: at,
    checklist: [
      'A spinlock must be released by the task (and on the CPU) that took it: find where it is taken and released (the unlocking path here) and make one context own the critical section; hand work over with a completion or a flag, not the lock.',
      'Between the lock and this unlock, nothing protected what the lock guards: look for corrupted lists or counters in the object that embeds it.',
    ],
    nextSteps: [
      ...(dump?.lock ? [`crash> kmem ${dump.lock}   (which object embeds the lock)`] : []),
      ...(owner ? [`crash> bt ${owner.pid}`] : []),
    ],
    references: [],
  };
}

function finding(model: TraceModel, r: Report): Finding {
  const { dump, reporter: spinnerTask, label: spinner, lockText, lines, intact, owner, ownerTask, holder } = readDump(model, r);
  const self = owner !== null && r.pid !== null && owner.pid === r.pid;
  // where each side is: the spinner's caller of the lock, the holder's code (its NMI backtrace part
  // is the backtrace machinery, not what it runs)
  const spinBlame = spinnerTask ? blameFrames(taskFrames(spinnerTask).filter((f) => !/spin_dump|spin_bug|dump_stack/.test(f)), 2) : [];
  const ownerView = ownerTask && !self ? { ...ownerTask, stack: ownerTask.stack.filter((s) => s.context !== 'nmi') } : undefined;
  const ownerBlame = ownerView ? blameFrames(taskFrames(ownerView), 2) : [];
  const evidence = !dump ? 'the spin_dump line with the lock and its owner is not in the paste'
    : !intact ? `the lock's magic is ${dump.magic}, not ${SPINLOCK_MAGIC}: not a live spinlock, its owner field is not trusted`
    : owner ? `spin_dump: .owner: ${owner.comm}/${owner.pid}, .owner_cpu: ${dump.ownerCpu ?? '-1'}`
    : 'spin_dump: .owner: <none>/-1 (no task holds it)';
  const chain: ChainLink[] = [{
    task: spinner,
    waitsOn: `spinlock ${lockText ?? '(address not printed)'}${spinBlame[0] ? ` (from ${spinBlame[0]})` : ''}`,
    primitive: 'spinlock',
    lock: lockText,
    heldBy: holder,
    evidence,
    lines,
  }];
  if (ownerTask && !self && ownerBlame[0]) {
    chain.push({
      task: holder!,
      waitsOn: `CPU busy in ${ownerBlame[0]} with the lock held`,
      primitive: 'cpu',
      lock: null,
      heldBy: null,
      evidence: `its backtrace${ownerTask.cpu !== null ? ` (CPU ${ownerTask.cpu})` : ''} is in the paste`,
      lines: ownerTask.lines.slice(0, 2),
    });
  }
  const what = r.kind === 'spinlock_recursion' ? 'takes a spinlock it already holds' : 'spun too long on a spinlock';
  const headline = !dump ? `${spinner} ${what} (lock not in the paste, holder unknown)`
    : !intact ? `${spinner} ${what}: lock ${lockText ?? ''} has magic ${dump.magic}, not a live spinlock (corrupted or freed)`
    : self ? `${spinner} takes spinlock ${lockText ?? ''} it already holds (self-deadlock)`
    : owner ? `${spinner} ${what} ${lockText ?? ''} held by ${holder}${ownerBlame[0] ? `, which is in ${ownerBlame[0]}` : ''}`
    : `${spinner} ${what} ${lockText ?? ''} with no owner recorded (holder unknown)`;
  const keyFrames = self ? spinBlame : [...ownerBlame, ...spinBlame].filter((f, i, a) => a.indexOf(f) === i);
  return {
    pattern: 'spinlock-debug',
    caseId: null,
    confidence: owner && intact ? 0.6 : 0.4,
    headline: headline.replace(/ {2,}/g, ' '),
    blockingChain: chain,
    cycle: self,
    suspectLock: lockText ? {
      primitive: 'spinlock',
      address: dump?.lock ?? null,
      name: dump?.lockName ?? null,
      holder,
      evidence,
      lines,
    } : null,
    keyFrames: keyFrames.slice(0, 3),
    checklist: [],
    nextSteps: [
      ...(dump?.lock ? [`crash> struct raw_spinlock ${dump.lock}`, `crash> kmem ${dump.lock}   (which object embeds the lock)`] : []),
      ...(dump?.ownerCpu !== null && dump?.ownerCpu !== undefined && dump.ownerCpu >= 0 ? [`crash> bt -c ${dump.ownerCpu}`] : []),
      ...(owner ? [`crash> bt ${owner.pid}`] : ['crash> bt -a']),
    ],
    references: [],
  };
}

export const spinlockDebug: Plugin = {
  id: 'spinlock-debug',
  title: 'Debug spinlock report: lockup suspected, recursion or bad magic, with the owner the lock records',
  families: ['spinlock_recursion_or_lockup'],
  run(model) {
    // the unlock-side checks ("already unlocked", "wrong owner", "wrong CPU") report a bug, not a wait:
    // they get a finding of their own (unlockBugFinding); a header without its CPU, task or dump (a cut
    // console line) has nothing to add to the family
    return model.reports
      .filter((r) => r.kind === 'spinlock_lockup' || (r.kind === 'spinlock_recursion' && (/recursion/.test(r.message ?? 'recursion') || UNLOCK_BUGS.has(r.message ?? ''))))
      .filter((r) => r.details.spinDump !== undefined || r.pid !== null || r.cpu !== null)
      .slice(0, 4)
      .map((r) => (UNLOCK_BUGS.has(r.message ?? '') ? unlockBugFinding(model, r) : finding(model, r)));
  },
};

export default spinlockDebug;
