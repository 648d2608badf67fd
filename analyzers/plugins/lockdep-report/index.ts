// lockdep-report: lockdep's non-circular reports (kernel/locking/lockdep.c): recursive locking (a task
// takes a lock class it already holds), inconsistent lock state (a lock used both in an interrupt
// context and with that interrupt enabled), irq lock inversion / "X-safe -> X-unsafe" order, and the
// lock-misuse BUGs (held lock freed, bad unlock balance). Circular dependencies are the lockdep-cycle
// plugin's; this one reports their locks and the CPU scenario lockdep printed.

import type { ChainLink, Finding } from '../../contract.ts';
import type { LockdepInfo, LockdepLock, Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { acquiresForRead, blameFrames, reportTask, taskFrames, taskLabel } from '../generic-helpers/index.ts';

function who(ld: LockdepInfo, r: Report): string {
  if (ld.acquirer) return `${ld.acquirer.comm}:${ld.acquirer.pid}`;
  if (r.comm && r.pid !== null) return `${r.comm}:${r.pid}`;
  return 'unknown task';
}

function lockLines(...locks: Array<LockdepLock | null | undefined>): number[] {
  return locks.filter((l): l is LockdepLock => !!l).map((l) => l.line);
}

function scenarioText(ld: LockdepInfo): string {
  return ld.scenario.map((c) => `${c.cpu}: ${c.steps.join(' ; ')}`).join(' | ');
}

// Lockdep prints the class name, not the lock type; names carry it often enough (…_mutex, …sem,
// mmap_lock, s_umount, ->rlock for spinlock_t). Otherwise say "lock".
function primitiveOf(l: LockdepLock | null): string {
  const n = l?.name ?? '';
  if (/mutex|_mtx\b/.test(n)) return 'mutex';
  if (/sem\b|rwsem|mmap_lock|s_umount|i_rwsem|_sem_key/.test(n)) return 'rwsem';
  if (/rlock\b|spinlock|->lock\b|_lock_key|wait\.lock/.test(n)) return 'spinlock';
  return 'lock';
}

function finding(model: TraceModel, r: Report): Finding | null {
  const ld = r.lockdep;
  if (!ld) return null;
  const task = who(ld, r);
  const acq = ld.acquiring;
  const held = ld.held[0] ?? null;
  const t = reportTask(model, r);
  const stackBlame = t ? blameFrames(taskFrames(t).filter((f) => !/lockdep|lock_acquire|__lock_acquire|mark_lock|check_\w+|print_\w+|valid_state|mark_usage/.test(f))) : [];
  const scen = scenarioText(ld);
  const chain: ChainLink[] = [];
  let headline: string;
  let cycle = false;
  let checklist: string[] = [];
  const name = acq?.name ?? held?.name ?? null;
  const prim = primitiveOf(acq ?? held);
  switch (r.kind) {
    case 'lockdep_recursive': {
      // lockdep compares classes, not instances: only the same address held and wanted is a
      // self-deadlock; two instances of one class (parent/child objects) need a nesting annotation
      const same = acq?.address && held?.address ? acq.address === held.address : null;
      // a second read hold of an rwsem blocks only if the first hold is a write or a writer queues
      // between the two (readers wait behind a waiting writer): a latent deadlock, not a wait yet
      const reread = same !== false && acquiresForRead(t);
      cycle = same === true && !reread;
      const at = `${acq?.at ? ` in ${acq.at}` : ''}`;
      headline = reread
        ? `${task} takes ${name ?? 'an rwsem'}${at} for reading while already holding it${held?.at ? ` (taken in ${held.at})` : ''}: it blocks only if that hold is a write or a writer queues in between`
        : same === false
        ? `${task} takes a second instance of ${name ?? 'a lock class'}${at} (${acq!.address}) while holding another (${held!.address})${held?.at ? ` taken in ${held.at}` : ''}: a self-deadlock only if they can be the same object`
        : `${task} takes ${name ?? 'a lock'}${at} while already holding it${held?.at ? ` (taken in ${held.at})` : ''}`;
      chain.push({ task, waitsOn: `${prim} ${name ?? '?'}${acq?.address ? ` ${acq.address}` : ''}`, primitive: prim, lock: acq?.address ?? name,
        heldBy: same === false ? null : task,
        evidence: reread ? 'lockdep: the lock is held and wanted again; the new acquisition is a read (down_read on the stack)'
          : same === true ? 'lockdep: the same lock instance is held and wanted by this task'
          : same === false ? 'lockdep: another instance of the same class is held (instances differ)'
          : 'lockdep: the same lock class is already held by this task (instance addresses not printed)',
        lines: lockLines(acq, held) });
      checklist = [
        'If the two locks are distinct instances of one class (nested objects), annotate the inner one with a subclass (mutex_lock_nested / spin_lock_nested) or give it its own lock class key.',
        'If it is the same instance, the second acquisition is a real self-deadlock: restructure so the callee does not take the lock its caller holds (or add a _locked variant).',
      ];
      if (same === true) checklist.reverse();
      break;
    }
    case 'lockdep_irq_inconsistent': {
      const irqInv = r.header.includes('irq lock inversion') || r.header.includes('-unsafe lock order');
      if (irqInv) {
        headline = `${task}: ${held?.name ?? '?'} and ${acq?.name ?? '?'} can deadlock across interrupt context (${r.header.replace(/^.*WARNING:\s*/, '').slice(0, 80)})`;
        chain.push({ task, waitsOn: `${prim} ${acq?.name ?? '?'}`, primitive: prim, lock: acq?.address ?? acq?.name ?? null,
          heldBy: null, evidence: 'lockdep: an interrupt-safe lock depends on an interrupt-unsafe one', lines: lockLines(acq, held) });
      } else {
        // "{A} -> {B}": B is this task's acquisition. B = IN-* (hardirq/softirq takes it): the task is
        // the interrupting side, and whoever holds the lock with that interrupt enabled (the {A} site)
        // is not this task: no holder is known. B = *-ON-* (this task takes it with the interrupt
        // enabled): it is the task an interrupt on its CPU would deadlock against.
        const usage = r.details.usage as { before: string; now: string } | undefined;
        const interrupting = usage ? usage.now.startsWith('IN-') : false;
        const holderKnown = usage !== undefined && !interrupting;
        cycle = holderKnown;
        headline = `${name ?? 'a lock'} is taken in interrupt context and also with that interrupt enabled${acq?.at ? ` (in ${acq.at})` : ''}: an interrupt on the holder's CPU deadlocks on it`
          + (interrupting ? ` (${task} is the interrupt side; the task holding it with the interrupt enabled is not in the paste)` : '');
        chain.push({ task, waitsOn: `${prim} ${name ?? '?'} (from interrupt context on the same CPU)`, primitive: prim,
          lock: acq?.address ?? name, heldBy: holderKnown ? task : null,
          evidence: usage ? `lockdep: inconsistent {${usage.before}} -> {${usage.now}} usage of one lock class` : 'lockdep: inconsistent {IN-*} / {*-ON-*} usage of one lock class',
          lines: lockLines(acq) });
      }
      checklist = [
        'Every acquisition of the lock outside the interrupt handler must disable that interrupt: spin_lock_bh() for softirq users, spin_lock_irqsave() for hardirq users.',
        'Or move the interrupt-context user to process context (workqueue) so the lock never needs to be irq-safe.',
      ];
      break;
    }
    default:
      headline = `${task}: ${r.header.replace(/^.*?(WARNING|BUG):\s*/, '').slice(0, 100)}${name ? ` (${name})` : ''}`;
      chain.push({ task, waitsOn: `${prim} ${name ?? '?'}`, primitive: prim, lock: acq?.address ?? name, heldBy: null,
        evidence: r.header.slice(0, 120), lines: [r.line] });
  }
  const keyFrames = [...new Set([acq?.at, held?.at, ...stackBlame].filter((x): x is string => !!x))].slice(0, 3);
  const nextSteps = [
    ...(acq?.address && prim !== 'lock' ? [`crash> struct ${prim === 'mutex' ? 'mutex' : prim === 'rwsem' ? 'rw_semaphore' : 'spinlock_t'} ${acq.address}`] : []),
    ...(acq?.address && prim === 'lock' ? [`crash> kmem ${acq.address}   (the object that embeds the lock, hence its type)`] : []),
    ...(name ? [`grep -rn "${name.replace(/^&/, '').replace(/#\d+$/, '').split('->').pop()}" the driver/subsystem source for every acquisition site`] : []),
    'cat /proc/lockdep_chains   (on a lockdep kernel: the recorded chains for this class)',
  ];
  return {
    pattern: 'lockdep-report',
    caseId: null,
    // the lock-misuse BUGs (held lock freed, bad unlock balance...) report a bug, not a wait: below the
    // findings that explain a hang in the same paste
    confidence: r.kind === 'lockdep_other' ? 0.45 : 0.55,
    headline: scen ? `${headline}. Scenario: ${scen}`.slice(0, 400) : headline,
    blockingChain: chain,
    cycle,
    suspectLock: name || acq?.address
      ? { primitive: prim, address: acq?.address ?? null, name,
          holder: r.kind === 'lockdep_recursive' ? (cycle || !(acq?.address && held?.address) ? task : null)
            : r.kind === 'lockdep_irq_inconsistent' ? (chain.some((l) => l.heldBy !== null) ? task : null)
            : held ? task : null,
          evidence: `lockdep report "${r.header.replace(/^.*?(WARNING|BUG|INFO):\s*/, '').slice(0, 80)}"`, lines: lockLines(acq, held) }
      : null,
    keyFrames,
    checklist,
    nextSteps,
    references: [],
  };
}

export const lockdepReport: Plugin = {
  id: 'lockdep-report',
  title: 'Lockdep report (recursive, irq-inconsistent, lock misuse)',
  families: ['lockdep_recursive', 'lockdep_irq_inconsistent', 'lockdep_circular', 'oops'],
  run(model) {
    const out: Finding[] = [];
    for (const r of model.reports) {
      if (r.kind !== 'lockdep_recursive' && r.kind !== 'lockdep_irq_inconsistent' && r.kind !== 'lockdep_other') continue;
      const f = finding(model, r);
      if (f) out.push(f);
      if (out.length >= 4) break;
    }
    return out;
  },
};

export default lockdepReport;
