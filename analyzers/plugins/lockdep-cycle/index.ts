// lockdep-cycle: lockdep's "possible circular locking dependency" (kernel/locking/lockdep.c,
// print_circular_bug) as a chain of two or more locks. The report says: the task holds H and is
// acquiring A; the existing dependency chain, printed in reverse as "-> #N ... -> #0", shows A (#0)
// was taken before #1, #1 before #2, ... and #N is H. So a context holding #0 waits for #1, ...,
// one holding #N-1 waits for #N = H, and the reporting task holding H waits for #0: a cycle, even
// if no task is stuck yet (lockdep reports the possibility the first time the order is seen).

import type { ChainLink, Finding } from '../../contract.ts';
import type { LockdepLock, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { finding, uniqLines } from '../../graph/finding-kit.ts';
import { isMechanics, taskFrames } from '../generic-helpers/index.ts';
import { baseName } from '../../classify/frames.ts';

const CHECKLIST = [
  'Pick one global order for these locks and make every path follow it; the chain shows where each pair was taken in the opposite order.',
  'Where the inner lock is only needed briefly, drop the outer lock first (or defer the work to a workqueue) instead of nesting.',
  'If two of the locks are different instances of the same class taken in a fixed order, annotate the nesting (mutex_lock_nested/spin_lock_nested) rather than silencing lockdep.',
  'Check the scenario table: if one side is an interrupt or a reclaim/filesystem path, the fix may be irqsave or GFP_NOFS/memalloc_nofs_save instead of a reorder.',
];

function primitiveOf(name: string): string {
  if (/mutex|rtnl/i.test(name)) return 'mutex';
  if (/sem\b|_sem$|rwsem|mmap_lock|i_rwsem|s_umount/i.test(name)) return 'rwsem';
  if (/lock$|lock\b/i.test(name)) return 'lock';
  return 'lock';
}

// v4.15+ prints hashed pointers (00000000xxxxxxxx) unless no_hash_pointers: not an address to look up
function addr(l: LockdepLock): string | null {
  return l.address && !/^0{8}/.test(l.address) ? l.address : null;
}

function label(l: LockdepLock): string {
  return addr(l) ? `${l.name} (${addr(l)})` : l.name;
}

export function lockdepCycleFindings(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  for (const r of model.reports) {
    const ld = r.lockdep;
    if (r.kind !== 'lockdep_circular' || !ld?.acquiring) continue;
    const held = ld.held[ld.held.length - 1] ?? null;
    // locks in cycle order starting at the one being acquired (#0), ending at the held one (#N)
    // chain entries print no address: take it from the acquiring/held/"locks held" lines of the same name
    const known = [ld.acquiring, ...ld.held, ...ld.heldBy.flatMap((h) => h.locks)].filter((l) => l.address);
    const withAddr = (l: LockdepLock): LockdepLock => (l.address ? l : { ...l, address: known.find((k) => k.name === l.name)?.address ?? null });
    const byIndex = [...ld.chain].sort((a, b) => a.index - b.index).map((c) => withAddr(c.lock));
    const locks: LockdepLock[] = byIndex.length >= 2 ? byIndex : [ld.acquiring, ...(held ? [held] : [])];
    if (locks.length < 2 || new Set(locks.map((l) => l.name)).size < 2) continue;
    const who = ld.acquirer ? `${ld.acquirer.comm}:${ld.acquirer.pid}` : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : 'the reporting task';
    const holderOf = (l: LockdepLock): string => l.name === (held?.name ?? locks[locks.length - 1]!.name) ? who : `a context holding ${l.name}`;
    const prim = (l: LockdepLock): string => {
      const fr = ld.chain.find((c) => c.lock.name === l.name)?.frames.map((f) => f.fn) ?? [];
      if (fr.some((f) => /mutex_lock/.test(f))) return 'mutex';
      if (fr.some((f) => /^(?:down_read|down_write)/.test(f))) return 'rwsem';
      if (fr.some((f) => /spin_lock/.test(f))) return 'spinlock';
      return primitiveOf(l.name);
    };
    const chain: ChainLink[] = [];
    const first = locks[0]!;
    const lastLock = locks[locks.length - 1]!;
    chain.push({
      task: who, waitsOn: `${first.name}${ld.acquiring.at ? ` at ${ld.acquiring.at}` : ''}`, primitive: prim(first), lock: addr(first) ?? first.name,
      heldBy: `a context holding ${first.name}`,
      evidence: `lockdep: ${who} holds ${held ? label(held) : lastLock.name} and is trying to acquire ${label(ld.acquiring)}`,
      lines: uniqLines([ld.acquiring.line], held ? [held.line] : []),
    });
    for (let i = 0; i + 1 < locks.length; i++) {
      const a = locks[i]!;
      const b = locks[i + 1]!;
      chain.push({
        task: `a context holding ${a.name}`, waitsOn: b.name, primitive: prim(b), lock: addr(b) ?? b.name, heldBy: holderOf(b),
        evidence: `lockdep dependency #${ld.chain.find((c) => c.lock.name === b.name)?.index ?? i + 1}: ${b.name} was acquired while ${a.name} was held`,
        lines: uniqLines([b.line]),
      });
    }
    const names = locks.map((l) => l.name);
    // lockdep reports the order the first time it sees it, hung or not. When the paste also shows
    // tasks that did hang and none of them is in this report's code (its acquisition sites and
    // dependency stacks), the warning is not what hung them: it ranks below what did
    const unrelated = unrelatedToHangs(model, ld, r.line);
    const frames = ld.chain.flatMap((c) => c.frames.slice(0, 6).map((f) => f.fn)).filter((f) => f && !/^(?:lock_acquire|__lock_acquire|_raw_\w+|__mutex_lock\w*|mutex_lock\w*|down_\w+|__might_\w+)$/.test(f));
    out.push(finding({
      pattern: 'lockdep-cycle',
      confidence: unrelated ? 0.4 : 0.85,
      headline: `lock order cycle: ${names.join(' → ')} → ${names[0]} (${who} holds ${held?.name ?? lastLock.name} and takes ${ld.acquiring.name})${unrelated ? '; a possible deadlock lockdep saw, not the one the hung tasks in this paste are in' : ''}`,
      blockingChain: chain,
      cycle: true,
      suspectLock: { primitive: prim(ld.acquiring), address: addr(ld.acquiring), name: ld.acquiring.name, holder: null, evidence: `lockdep circular dependency over ${names.length} locks`, lines: [r.line] },
      keyFrames: [...(ld.acquiring.at ? [ld.acquiring.at] : []), ...(held?.at ? [held.at] : []), ...frames.slice(0, 2)],
      checklist: CHECKLIST,
      nextSteps: ['Read each "-> #N" stack of the report: it is where that lock was taken under the previous one', 'cat /proc/lockdep_chains | grep -A3 <lock name>', ...(ld.acquirer ? [`cat /proc/${ld.acquirer.pid}/stack`] : [])],
    }));
  }
  return out;
}

/** The paste has hung-task reports, and no hung task's stack runs any function of this lockdep report. */
function unrelatedToHangs(model: TraceModel, ld: NonNullable<TraceModel['reports'][number]['lockdep']>, line: number): boolean {
  const hung = model.reports.filter((x) => x.kind === 'hung_task' && x.line !== line);
  if (hung.length === 0) return false;
  const code = new Set<string>();
  for (const l of [ld.acquiring, ...ld.held, ...ld.chain.map((c) => c.lock)]) if (l?.at) code.add(baseName(l.at));
  for (const c of ld.chain) for (const f of c.frames) if (f.fn && !isMechanics(f.fn) && !LOCKDEP_OWN.test(f.fn)) code.add(baseName(f.fn));
  for (const r of hung) {
    const t = r.pid !== null ? model.tasks.find((x) => x.pid === r.pid) : undefined;
    if (!t) return false; // a hung task whose stack is not shown could be anywhere
    if (ld.acquirer && t.pid === ld.acquirer.pid) return false;
    for (const f of taskFrames(t)) if (code.has(baseName(f))) return false;
  }
  return true;
}

// lockdep's own frames in a dependency stack (the lock primitives, scheduler and entry code are
// the shared isMechanics list); they are in every report, so they tie nothing to a hang
const LOCKDEP_OWN = /^(?:__might_\w{1,24}|print_\w{1,32}|check_\w{1,32}|validate_chain|process_one_work)$/;

export const lockdepCycle: Plugin = {
  id: 'lockdep-cycle',
  title: 'Lock order cycle reported by lockdep',
  families: '*',
  run: lockdepCycleFindings,
};

export default lockdepCycle;
