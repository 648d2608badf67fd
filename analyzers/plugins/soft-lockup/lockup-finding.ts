// Shared by soft-lockup and hard-lockup: the stuck CPU's stack, and when it spins in a spinlock slow
// path the lock address taken from RDI of the interrupted frame (x86-64 passes the lock pointer as
// the first argument, and the watchdog interrupt saved the registers of the spinning code).
// Two routes in: a console detector report ("soft lockup - CPU#N stuck", "hard LOCKUP on cpu N"),
// or a crash session whose panicking task is the watchdog calling panic (classify/watchdog-panic.ts):
// there the stuck code is the segment below the watchdog's NMI / timer interrupt, never its frames.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, Task, TraceModel } from '../../model/trace-model.ts';
import type { CrashLockup } from '../../classify/watchdog-panic.ts';
import { blameFrames, firstArg, reportTask, spinInfo, taskFrames, taskLabel } from '../generic-helpers/index.ts';
import { taskFrames as stackFrames } from '../../classify/frames.ts';

/** What both routes give: the stuck task (interrupted code only, for the crash route) and the text. */
interface LockupSource {
  task: Task | undefined;
  /** Label of the whole task (the crash route's `stuck` is a view of it). */
  label: string;
  cpu: number | null;
  seconds: number | null;
  /** Detector line, or the panicking task's first line (crash `bt` header). */
  line: number | null;
  /** Crash route: the whole model's other CPUs may spin on the same lock (every CPU was dumped). */
  crash: boolean;
}

export function lockupFinding(model: TraceModel, r: Report, pattern: string): Finding {
  const t = reportTask(model, r);
  const label = t ? taskLabel(t) : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : `CPU ${r.cpu ?? '?'}`;
  return finding(model, { task: t, label, cpu: t?.cpu ?? r.cpu, seconds: r.seconds, line: r.line, crash: false }, pattern);
}

/** The finding for a crash session's watchdog panic (no console report). */
export function crashLockupFinding(model: TraceModel, wd: CrashLockup, pattern: string): Finding {
  let first: number | null = null;
  for (const n of wd.task.lines) if (first === null || n < first) first = n;
  return finding(model, { task: wd.stuck, label: taskLabel(wd.task), cpu: wd.cpu, seconds: null, line: first, crash: true }, pattern);
}

function finding(model: TraceModel, src: LockupSource, pattern: string): Finding {
  const { task: t, label, cpu } = src;
  const frames = t ? taskFrames(t) : [];
  const spin = t ? spinInfo(t) : null;
  // a spinning CPU is blamed from its spin on: the frames of the interrupt that reported it (the
  // watchdog's own, or a 32-bit arm IRQ entry) come before and are not what it runs
  const from = spin?.exception && t ? t.stack.findIndex((s) => s.exception === spin.exception) : -1;
  const blame = blameFrames(from > 0 && t ? stackFrames({ ...t, stack: t.stack.slice(from) }) : frames);
  const kind = pattern === 'hard-lockup' ? 'hard' : 'soft';
  const exc = t?.stack.find((s) => s.exception)?.exception ?? null;
  const rflags = exc?.registers.RFLAGS;
  // RFLAGS bit 9 (IF): clear means the interrupted code ran with interrupts disabled
  const irqsOff = rflags ? (parseInt(rflags, 16) & 0x200) === 0 : null;
  const lines = [...(src.line !== null ? [src.line] : []), ...(spin?.exception?.lines ?? exc?.lines ?? []).slice(0, 3)];
  const cpuText = cpu !== null ? `CPU ${cpu}` : 'a CPU';
  const secs = src.seconds ? ` for ${src.seconds}s` : '';
  const headline = spin
    ? `${cpuText} (${label}) spins${secs} on a spinlock${spin.address ? ` ${spin.address}` : ''} in ${spin.at}${blame[0] ? ` from ${blame[0]}` : ''}`
    : `${cpuText} (${label}) stuck${secs} (${kind} lockup)${blame[0] ? ` in ${blame[0]}` : ''}`;
  const nextSteps: string[] = [];
  if (spin?.address) {
    nextSteps.push(`crash> struct raw_spinlock ${spin.address}   (locked/pending bits, tail CPU of the queue)`,
      `crash> kmem ${spin.address}   (which object embeds the lock)`,
      'crash> bt -a   (the CPU that holds it is running with it held)');
  } else {
    nextSteps.push(cpu !== null ? `crash> bt -c ${cpu}` : 'crash> bt -a', 'crash> bt -a   (what the other CPUs hold)');
  }
  if (exc?.fn) nextSteps.push(`crash> dis -l ${exc.fn}`);
  return {
    pattern,
    caseId: null,
    confidence: spin ? 0.55 : 0.45,
    headline,
    blockingChain: [{
      task: label,
      waitsOn: spin ? `spinlock${spin.address ? ` ${spin.address}` : ''} (${spin.at})` : `CPU busy in ${blame[0] ?? exc?.fn ?? 'unknown code'}`,
      primitive: spin ? 'spinlock' : 'cpu',
      lock: spin?.address ?? null,
      heldBy: null,
      evidence: spin
        ? `the interrupted RIP is in ${spin.exception?.fn ?? spin.at}${spin.address && spin.exception ? `; its first argument register (${firstArg(spin.exception)?.reg ?? '?'}) holds the lock pointer` : ''}`
        : `${kind} lockup watchdog${irqsOff === null ? '' : irqsOff ? '; interrupts were disabled (RFLAGS.IF=0)' : '; interrupts were enabled'}`,
      lines,
    }, ...(src.crash && spin?.address && t ? sameLockSpinners(model, t, spin.address) : [])],
    cycle: false,
    suspectLock: spin
      ? {
          primitive: 'spinlock',
          address: spin.address,
          name: null,
          holder: null,
          evidence: `${label} spins in ${spin.at}; the holder is the CPU still running with it held`,
          lines,
        }
      : null,
    keyFrames: blame.slice(0, 2),
    checklist: [],
    nextSteps,
    references: [],
  };
}

/**
 * Other CPUs of a crash session spinning on the same lock (RDI of their own interrupted slow path):
 * they queue behind the same holder, so they belong to the chain. Bounded like the IPI waiters.
 */
function sameLockSpinners(model: TraceModel, stuck: Task, address: string): ChainLink[] {
  const out: ChainLink[] = [];
  for (const o of model.tasks) {
    if (out.length >= 15) break;
    if (o.key === stuck.key) continue;
    const s = spinInfo(o);
    if (s?.address !== address) continue;
    out.push({
      task: taskLabel(o),
      waitsOn: `spinlock ${address} (${s.at})`,
      primitive: 'spinlock',
      lock: address,
      heldBy: null,
      evidence: `${o.cpu !== null ? `CPU ${o.cpu} ` : ''}also spins in ${s.exception?.fn ?? s.at}; RDI holds the same lock pointer`,
      lines: (s.exception?.lines ?? []).slice(0, 3),
    });
  }
  return out;
}
