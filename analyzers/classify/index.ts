// Family, title and signature of a parsed paste (analysis-contract.md). Pure.
// With a detector report the first one decides (its syzkaller-style title was computed from the
// text by the console recognizer); without one, a crash `sys` PANIC string can still name the
// detector; otherwise blocked tasks make `stuck_tasks` and anything else is `not_kernel`.

import type { Family } from '../contract.ts';
import type { DetectorKind, Report, Task, TraceModel } from '../model/trace-model.ts';
import { familyOfReport, isDeliberatePanic, primaryReport } from './family.ts';
import { hangFrame } from './syz-frames.ts';
import { taskFrames } from './frames.ts';
import { crashLockup, panicTask } from './watchdog-panic.ts';
import { matchDetector } from '../parse/console/detector-header.ts';
import { syzTitle } from './syz-title.ts';
import { blameFrames, classifyWait, reportTask } from '../plugins/generic-helpers/index.ts';

export { signature } from './signature.ts';
export { familyOfReport, primaryReport } from './family.ts';
export { taskFrames, baseName } from './frames.ts';

function hasStack(t: Task): boolean {
  return t.stack.some((s) => s.frames.length > 0 || s.exception !== null);
}

const PREFIX: Partial<Record<DetectorKind, string>> = {
  hung_task: 'INFO: task hung in ',
  soft_lockup: 'BUG: soft lockup in ',
  hard_lockup: 'BUG: hard lockup in ',
  rcu_stall: 'INFO: rcu detected stall in ',
  spinlock_lockup: 'BUG: spinlock lockup suspected in ',
  spinlock_recursion: 'BUG: spinlock recursion in ',
  scheduling_while_atomic: 'BUG: scheduling while atomic in ',
  sleeping_in_atomic: 'BUG: sleeping function called from invalid context in ',
};

/** Title from the model when the text rule found no frame (kinds syzkaller has no rule for). */
function modelTitle(kind: DetectorKind, t: Task | undefined, cpu: number | null): string | null {
  const prefix = PREFIX[kind];
  if (!prefix) return null;
  const fn = t ? blameFrames(taskFrames(t), 1)[0] : undefined;
  if (fn) return prefix + fn;
  return cpu !== null ? `${prefix.replace(/ in $/, '')} on CPU ${cpu}` : null;
}

function reportTitle(model: TraceModel, r: Report): string {
  const syz = r.details.syzTitle;
  const frame = r.details.syzFrame;
  // syzkaller has no hard-lockup rule: name it after the first frame of the stuck CPU that is not
  // lock, NMI or entry machinery (the IRQ handler spinning, the caller that disabled interrupts)
  if (r.kind === 'hard_lockup' || (typeof frame !== 'string' && typeof syz !== 'string')) {
    const t = modelTitle(r.kind, reportTask(model, r), r.cpu);
    if (t) return t;
  }
  // syzkaller says "corrupted" when the report's own text has no usable stack (a header grepped out
  // of `log`); when the paste has the task's stack from crash or /proc, that stack names it
  if (typeof syz === 'string' && syz.endsWith(' in corrupted')) {
    const task = reportTask(model, r);
    if (task && task.sources.some((src) => src === 'crash-bt' || src === 'proc-stack')) {
      const t = modelTitle(r.kind, task, r.cpu);
      if (t) return t;
    }
  }
  return typeof syz === 'string' && syz ? syz : r.header.slice(0, 200);
}

export function classify(model: TraceModel): { family: Family; title: string } {
  const r = primaryReport(model);
  if (r) return { family: familyOfReport(r), title: reportTitle(model, r) };
  // crash: the PANIC string of `sys` is the detector's message, unless the panicking task's stack
  // shows a lockup watchdog calling panic (crash may show an older message as PANIC: seed 002)
  const sys = model.sys;
  if (sys) {
    const wd = crashLockup(model);
    if (wd) {
      const title = modelTitle(wd.kind, wd.stuck, wd.cpu) ?? (wd.kind === 'hard_lockup' ? 'BUG: hard lockup' : 'BUG: soft lockup');
      return { family: wd.kind, title };
    }
    const hit = sys.panic ? matchDetector(sys.panic) : null;
    const usable = hit && hit.kind !== 'nmi_backtrace' && !(hit.kind === 'panic' && isDeliberatePanic(hit.message)) ? hit : null;
    const t = panicTask(model, usable?.cpu ?? null);
    if (usable) {
      const pseudo = { kind: usable.kind, message: usable.message } as Report;
      const family = familyOfReport(pseudo);
      // a "Kernel panic - not syncing:" string is titled as the console's own panic line would be
      // ("kernel panic: Hard LOCKUP"); other kinds need the report's frames, which the banner lacks
      const panicTitle = usable.kind === 'panic' ? syzTitle([{ text: sys.panic! }], 0, 'panic')?.title : undefined;
      const title = modelTitle(usable.kind, t, usable.cpu) ?? panicTitle ?? sys.panic!.replace(/^"|"$/g, '').trim().slice(0, 200);
      return { family, title };
    }
  }
  // Only the first blocked task (and whether there is one) is used: find, not filter, so a 10k-task
  // foreach bt does not run classifyWait on every stack.
  let blocked = model.tasks.find((t) => t.state === 'D' && hasStack(t));
  // crash `foreach bt` prints no states: a stack parked in a sleeping lock/wait primitive is blocked
  if (blocked === undefined) blocked = model.tasks.find((t) => hasStack(t) && classifyWait(taskFrames(t, { exceptions: false })) !== null);
  const anyBlocked = model.tasks.some((t) => t.state === 'D');
  const firstStack = model.tasks.find(hasStack);
  // stacks that all say where they sleep interruptibly (S/I, from ps, /proc or a sysrq-t task line)
  // outside any kernel wait primitive (futex_wait, epoll, poll: waits for user space or events) show
  // no blocked task: the contract's stuck_tasks needs one, so this is "anything else"
  if (blocked === undefined && !anyBlocked && firstStack !== undefined && model.reports.length === 0
    && model.tasks.every((t) => !hasStack(t) || t.state === 'S' || t.state === 'I')) {
    return { family: 'not_kernel', title: 'no blocked task: every stack sleeps interruptibly' };
  }
  if (blocked !== undefined || anyBlocked || firstStack !== undefined) {
    const main = blocked ?? firstStack;
    const frames = main ? taskFrames(main) : [];
    const fn = (blocked !== undefined ? hangFrame(frames) : '') || blameFrames(frames, 1)[0] || '';
    const title = blocked !== undefined || anyBlocked
      ? `INFO: task hung in ${fn || 'unknown'}`
      : `stack trace in ${fn || 'unknown'}`;
    return { family: 'stuck_tasks', title };
  }
  return { family: 'not_kernel', title: 'not a kernel trace' };
}
