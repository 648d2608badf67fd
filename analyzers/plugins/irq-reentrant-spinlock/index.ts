// irq-reentrant-spinlock: on one CPU an interrupt (hardirq/softirq) spins on lock L while the code it
// interrupted on that same CPU holds L: an AA deadlock that no other CPU can break. It happens when a
// lock taken with spin_lock_irq() in process context has interrupts re-enabled inside the critical
// section: spin_unlock_irq()/local_irq_enable() in a callee turns them on unconditionally (unlike
// spin_unlock_irqrestore, which restores the caller's state), and the IRQ path then takes L again.
// Evidence: RDI of the interrupt's slow path = L; the interrupted process segment of the same CPU is
// inside a function that takes L (the same taker as the interrupt's, or a taker seen on another CPU
// spinning on L); its saved RFLAGS has IF (0x200) set although L is an irq-disabling lock.
// Seed 001: bfqd->lock, bfq_bio_merge holds it, the block softirq re-enters via bfq_finish_requeue_request.

import type { ChainLink, Finding } from '../../contract.ts';
import type { StackSegment, Task, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { allSpinners, ifFlag, interruptedSegment, segmentFrames, spinnersByLock, type Spinner } from '../../graph/spin.ts';
import { ipiLink, ipiWaiters } from '../../graph/ipi.ts';
import { taskLabel } from '../../graph/resolve.ts';
import { firstArg, reportTask } from '../generic-helpers/index.ts';
import { finding, uniqLines } from '../../graph/finding-kit.ts';

const CHECKLIST = [
  'Audit every callee reached while the lock is held with spin_lock_irq(): any spin_unlock_irq(), local_irq_enable() or irq-enabling helper inside it re-enables interrupts while the lock is still held.',
  'In code that can be called with interrupts already disabled, use spin_lock_irqsave()/spin_unlock_irqrestore() (or plain spin_lock() when IRQs are known to be off), never the _irq variants.',
  'Check the interrupt/softirq path that re-took the lock: it must not take a lock that process context holds with interrupts enabled (lockdep reports this as "inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage").',
  'Reproduce with CONFIG_PROVE_LOCKING and CONFIG_DEBUG_SPINLOCK: lockdep names the exact acquisition sites.',
];

export interface Hit { irq: Spinner; interruptedFn: string; matched: string; entry: string; ifSet: boolean | null; regs: string[]; lines: number[]; /** regs point to the object that embeds the lock, not to the lock */ containing: boolean }

const MAX_FINDINGS = 4;
const MAX_OTHERS = 16;

interface HitScan { hits: Hit[]; spinners: readonly Spinner[]; byLock: Map<string, Spinner[]>; next: number }

const HITS = new WeakMap<TraceModel, HitScan>();

/**
 * Interrupt spinners whose interrupted code holds their lock, in spinner order. With `limit` the scan
 * stops once that many are known (a 10k-task foreach bt has hundreds of hits and the findings use
 * four); the scan resumes where it stopped when more are asked for, so the list is the same prefix.
 */
export function findHits(model: TraceModel, limit = Infinity): Hit[] {
  let scan = HITS.get(model);
  if (!scan) {
    // the takers of a lock are asked only for the few interrupt spinners scanned, from the shared
    // grouping; debug-spinlock reports add their spinner (a copy of the grouping, which is shared)
    const debug = debugSpinners(model);
    const all = allSpinners(model.tasks);
    let byLock = spinnersByLock(model.tasks);
    if (debug.length) {
      byLock = new Map(byLock);
      for (const x of debug) byLock.set(x.lock, [...(byLock.get(x.lock) ?? []), x]);
    }
    scan = { hits: [], spinners: debug.length ? [...all, ...debug] : all, byLock, next: 0 };
    HITS.set(model, scan);
  }
  const { hits, spinners, byLock } = scan;
  while (scan.next < spinners.length && hits.length < limit) {
    const hit = hitOf(model, spinners[scan.next++]!, byLock);
    if (hit) hits.push(hit);
  }
  return hits;
}

// Every task's exception-register values, by value: built only when a hit needs it
const REG_VALUES = new WeakMap<TraceModel, Map<string, Set<Task>>>();

function inOtherRegisters(model: TraceModel, value: string, self: Task): boolean {
  let byValue = REG_VALUES.get(model);
  if (!byValue) {
    byValue = new Map();
    for (const t of model.tasks) {
      for (const seg of t.stack) {
        const r = seg.exception?.registers;
        if (!r) continue;
        for (const k in r) {
          if (k === 'RSP' || k === 'RIP') continue;
          const v = r[k]!.toLowerCase();
          let set = byValue.get(v);
          if (!set) byValue.set(v, (set = new Set()));
          set.add(t);
        }
      }
    }
    REG_VALUES.set(model, byValue);
  }
  for (const t of byValue.get(value) ?? []) if (t !== self) return true;
  return false;
}

function hitOf(model: TraceModel, s: Spinner, byLock: Map<string, Spinner[]>): Hit | null {
  if (s.context !== 'softirq' && s.context !== 'hardirq') return null;
  const seg = interruptedSegment(s.task, s.segment);
  if (!seg) return null;
  const takers = takersOf(byLock, s.lock);
  const frames = segmentFrames(seg);
  // the interrupted code still has the lock's address live in a register (it is working on the
  // locked object) and is in the same subsystem as the interrupt's lock taker
  const regs: string[] = [];
  if (seg.exception) {
    const r = seg.exception.registers;
    // length first: lower-casing every register of every spinner allocates for nothing
    for (const k in r) {
      const v = r[k]!;
      if (k !== 'RSP' && k !== 'RIP' && v.length === s.lock.length && (v === s.lock || v.toLowerCase() === s.lock)) regs.push(k);
    }
  }
  let matched: string | undefined;
  for (const f of frames) if (takers.has(f)) { matched = f; break; }
  // or a pointer to the object the lock is embedded in (lock = reg + a member offset below 4 KiB: a
  // driver working on its device struct, &ts->lock with ts in RBP), in the same module as the taker
  let containing = false;
  if (matched === undefined && regs.length === 0 && seg.exception) {
    const r = seg.exception.registers;
    for (const k in r) {
      if (k === 'RSP' || k === 'RIP') continue;
      const off = memberOffset(s.lock, r[k]!);
      if (off !== null) regs.push(`${k} (+0x${off.toString(16)})`);
    }
    containing = regs.length > 0;
  }
  if (matched === undefined && regs.length && frames[0] && sameSubsystem(s, seg, frames[0])) matched = frames[0];
  // ... unless the paste shows the lock's own address in another task's registers: that task (on
  // another CPU, working under the lock) is the likelier holder (a long critical section elsewhere).
  // Asked last: it reads every task's registers once per model
  if (containing && matched !== undefined && inOtherRegisters(model, s.lock, s.task)) return null;
  if (!matched) return null;
  const ifSet = ifFlag(seg.exception);
  if (ifSet === false) return null; // interrupts were off: this IRQ could not have come in there
  // the outermost frame of the same subsystem (module, else name prefix) is where the process
  // context entered it and most likely took the lock (bfq_bio_merge in seed 001)
  const m = seg.frames.find((f) => f.fn.startsWith(matched));
  const prefix = matched.split('_')[0]!;
  const same = seg.frames.filter((f) => !f.unreliable && f.fn && (m?.module ? f.module === m.module : firstWordIs(f.fn, prefix)));
  const entry = same.length ? same[same.length - 1]!.fn.split('.')[0]! : matched;
  return { irq: s, interruptedFn: frames[0] ?? matched, matched, entry, ifSet, regs, containing, lines: uniqLines(s.exception.lines.slice(0, 2), seg.exception?.lines.slice(0, 2), [seg.frames.find((f) => f.fn.startsWith(matched))?.line ?? 0]) };
}

// CONFIG_DEBUG_SPINLOCK catches the re-entry before it spins: "BUG: spinlock recursion on CPU#0, comm/pid"
// with spin_dump's ".owner" = that same task (kernel/locking/spinlock_debug.c). The lock comes from the
// report, not a register; the interrupt segment holding do_raw_spin_lock is the spinner.
const DEBUG_LOCK_FRAMES = /^(?:do_raw_spin_lock|_raw_spin_lock\w*|spin_dump|spin_bug|dump_stack\w*|__raw_spin_lock\w*)$/;

function debugSpinners(model: TraceModel): Spinner[] {
  const out: Spinner[] = [];
  for (const r of model.reports) {
    if (r.kind !== 'spinlock_recursion') continue;
    const d = r.details.spinDump as { lock: string | null; owner: { pid: number } | null; magic: string; line: number } | undefined;
    if (!d?.lock || d.magic !== 'dead4ead' || d.owner === null || d.owner.pid !== r.pid) continue;
    const t = reportTask(model, r);
    if (!t) continue;
    const k = t.stack.findIndex((seg) => seg.context !== 'process' && seg.frames.some((f) => f.fn === 'do_raw_spin_lock'));
    if (k < 0) continue;
    const seg = t.stack[k]!;
    const via = seg.frames.find((f) => f.fn.startsWith('_raw_spin_lock'))?.fn ?? null;
    const taker = seg.frames.find((f) => !f.unreliable && f.fn && !DEBUG_LOCK_FRAMES.test(f.fn))?.fn.split('.')[0] ?? null;
    out.push({
      task: t, segment: k, context: seg.context, lock: d.lock, at: 'do_raw_spin_lock', taker, via,
      exception: { fn: 'do_raw_spin_lock', offset: null, address: null, module: null, registers: {}, context: seg.context, line: d.line, lines: [r.line, d.line] },
    });
  }
  return out;
}

/** lock - base when base is a kernel pointer at most 4 KiB below lock (0 excluded: that is the lock itself). */
function memberOffset(lock: string, base: string): number | null {
  if (base.length !== 16 || lock.length !== 16 || !base.startsWith('ffff') || base.slice(0, 8) !== lock.slice(0, 8)) return null;
  const d = parseInt(lock.slice(8), 16) - parseInt(base.slice(8), 16);
  return d > 0 && d < 0x1000 ? d : null;
}

/** fn.split('_')[0] === word, without the array (word has no '_'). */
function firstWordIs(fn: string, word: string): boolean {
  return fn.startsWith(word) && (fn.length === word.length || fn.charCodeAt(word.length) === 95);
}

/** Is `fn` (a frame of the interrupted segment) in the subsystem of the interrupt's lock taker: same module, else same name prefix. */
function sameSubsystem(s: Spinner, seg: StackSegment, fn: string): boolean {
  const takerMod = s.task.stack[s.segment]!.frames.find((f) => f.fn.startsWith(s.taker ?? '\u0000'))?.module ?? null;
  const fr = seg.frames.find((f) => f.fn.startsWith(fn));
  if (takerMod && (fr?.module === takerMod || seg.exception?.module === takerMod)) return true;
  return !!s.taker && fn.split('_')[0] === s.taker.split('_')[0];
}

function takersOf(byLock: Map<string, Spinner[]>, lock: string): Set<string> {
  return new Set((byLock.get(lock) ?? []).filter((x) => x.taker).map((x) => x.taker!));
}

export function irqReentrantFindings(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  const byLock = spinnersByLock(model.tasks);
  const waiters = ipiWaiters(model); // once per model: it walks every task (was once per hit)
  for (const h of findHits(model, MAX_FINDINGS).slice(0, MAX_FINDINGS)) {
    const owner = h.irq.task;
    const label = taskLabel(owner);
    const cpu = owner.cpu !== null ? `CPU ${owner.cpu}` : 'one CPU';
    const lock = h.irq.lock;
    // other CPUs spinning on the same lock, and CPUs waiting for an IPI they cannot answer
    const others = (byLock.get(lock) ?? []).filter((x) => x.task !== owner).slice(0, MAX_OTHERS);
    const chain: ChainLink[] = [];
    // at most MAX_OTHERS IPI waiters, as the IPI analyzer does: a 10k-task foreach bt has thousands,
    // and a chain of thousands of identical links says nothing more
    let nWaiters = 0;
    for (const w of waiters) {
      if (w.task === owner) continue;
      if (nWaiters++ >= MAX_OTHERS) break;
      chain.push(ipiLink(w, owner, `spins with interrupts disabled on ${lock} and never acknowledges it`));
    }
    for (const o of others) {
      chain.push({
        task: taskLabel(o.task), waitsOn: `spinlock ${lock} (${o.via ?? o.at} from ${o.taker ?? 'unknown'})`, primitive: 'spinlock', lock, heldBy: label,
        evidence: `RDI = ${lock} in ${o.at} on CPU ${o.task.cpu ?? '?'}; the lock is held by the code ${cpu} interrupted`, lines: o.exception.lines.slice(0, 2),
      });
    }
    chain.push({
      task: label,
      waitsOn: `spinlock ${lock} in ${h.irq.context} (${h.irq.via ?? h.irq.at} from ${h.irq.taker ?? 'unknown'})`,
      primitive: 'spinlock',
      lock,
      heldBy: label,
      evidence: `${cpu}: the ${h.irq.context} path ${h.irq.at === 'do_raw_spin_lock' ? `takes ${lock} again (the debug spinlock check names this task as its owner)` : `spins on ${lock} (${firstArg(h.irq.exception)?.reg ?? 'first argument'})`} while the process context it interrupted is inside ${h.entry === h.matched ? h.matched : `${h.entry} → … → ${h.matched}`}${h.regs.length && !takersOf(byLock, lock).has(h.matched) ? h.containing ? ` with a pointer to the object that embeds the lock in ${h.regs.join('/')} (the same module as the handler: most likely it holds the lock; no other CPU is shown spinning on it)` : ` with the lock address still in ${h.regs.join('/')}` : ', which takes the same lock'}; interrupted ${h.ifSet ? 'flags have interrupts enabled (x86 RFLAGS IF set, arm CPSR I clear): interrupts were on inside the critical section' : 'flags not shown'}`,
      lines: h.lines,
    });
    out.push(finding({
      pattern: 'irq-reentrant-spinlock',
      // a pointer to the embedding object is weaker evidence than the lock's own address
      confidence: h.containing ? (h.ifSet ? 0.75 : 0.65) : h.ifSet ? 0.93 : 0.8,
      headline: `${cpu} deadlocks on itself: ${h.irq.context} in ${h.irq.taker ?? h.irq.at} spins on ${lock}, held by the ${label} code it interrupted (${h.entry === h.matched ? h.matched : `${h.entry} → ${h.matched}`})`,
      blockingChain: chain,
      cycle: true,
      suspectLock: {
        primitive: 'spinlock', address: lock, name: null, holder: label,
        evidence: `same lock (${h.irq.at === 'do_raw_spin_lock' ? `spin_dump's lock ${lock}, owner = this task` : `${firstArg(h.irq.exception)?.reg ?? 'first argument'} ${lock}`}) in the ${h.irq.context} ${h.irq.at === 'do_raw_spin_lock' ? 'lock attempt' : 'spin'} and ${h.containing ? `held, by inference, by ${h.matched}, which the interrupt cut into on ${cpu} while it worked on the object embedding the lock` : `taken by ${h.matched} in the interrupted process context on ${cpu}`}`,
        lines: h.lines,
      },
      keyFrames: [h.entry, h.matched, ...(h.irq.taker && h.irq.taker !== h.matched ? [h.irq.taker] : []), h.interruptedFn],
      checklist: CHECKLIST,
      nextSteps: [
        `crash> bt -c ${owner.cpu ?? '<cpu>'}   (both contexts of the CPU)`,
        `crash> kmem ${lock}   (the object that embeds the lock)`,
        `crash> struct raw_spinlock ${lock}`,
        `crash> dis -l ${h.entry}   (which callee re-enables interrupts)`,
      ],
    }));
  }
  return out;
}

export const irqReentrantSpinlock: Plugin = {
  id: 'irq-reentrant-spinlock',
  title: 'Interrupt re-takes a spinlock held by the code it interrupted',
  families: '*',
  run: irqReentrantFindings,
};

export default irqReentrantSpinlock;
