// Shared by soft-lockup and hard-lockup: the stuck CPU's stack, and when it spins in a spinlock slow
// path the lock address taken from RDI of the interrupted frame (x86-64 passes the lock pointer as
// the first argument, and the watchdog interrupt saved the registers of the spinning code).

import type { Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import { blameFrames, reportTask, spinInfo, taskFrames, taskLabel } from '../generic-helpers/index.ts';

export function lockupFinding(model: TraceModel, r: Report, pattern: string): Finding {
  const t = reportTask(model, r);
  const label = t ? taskLabel(t) : r.comm && r.pid !== null ? `${r.comm}:${r.pid}` : `CPU ${r.cpu ?? '?'}`;
  const cpu = t?.cpu ?? r.cpu;
  const frames = t ? taskFrames(t) : [];
  const spin = t ? spinInfo(t) : null;
  const blame = blameFrames(frames);
  const kind = pattern === 'hard-lockup' ? 'hard' : 'soft';
  const exc = t?.stack.find((s) => s.exception)?.exception ?? null;
  const rflags = exc?.registers.RFLAGS;
  // RFLAGS bit 9 (IF): clear means the interrupted code ran with interrupts disabled
  const irqsOff = rflags ? (parseInt(rflags, 16) & 0x200) === 0 : null;
  const lines = [r.line, ...(spin?.exception?.lines ?? exc?.lines ?? []).slice(0, 3)];
  const cpuText = cpu !== null ? `CPU ${cpu}` : 'a CPU';
  const secs = r.seconds ? ` for ${r.seconds}s` : '';
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
        ? `the interrupted RIP is in ${spin.exception?.fn ?? spin.at}${spin.address ? '; RDI holds the lock pointer' : ''}`
        : `${kind} lockup watchdog${irqsOff === null ? '' : irqsOff ? '; interrupts were disabled (RFLAGS.IF=0)' : '; interrupts were enabled'}`,
      lines,
    }],
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
