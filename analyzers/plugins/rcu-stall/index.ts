// rcu-stall: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks" (kernel/rcu/tree_stall.h). A grace
// period cannot end while a CPU stays in a read-side section or never passes a quiescent state
// (looping with preemption or interrupts off), or while a preempted reader task is blocked; or the
// grace-period kthread itself is starved of CPU time ("kthread starved for N jiffies").

import type { ChainLink, Finding } from '../../contract.ts';
import type { Report, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { blameFrames, blockedTasks, spinInfo, taskByPid, taskFrames, taskLabel } from '../generic-helpers/index.ts';
import { waitGraphOf } from '../../graph/wait-graph.ts';
import { baseName } from '../../classify/frames.ts';
import { waitersOf } from '../../graph/chain.ts';

interface RcuDetails {
  falsePositive?: number[];
  timerIssue?: number;
  stalledCpus?: number[];
  stalledTasks?: number[];
  detectedBy?: number;
  jiffies?: number;
  starved?: { kthread: string; jiffies: number; state: string | null; cpu: number | null; line: number };
  lines?: number[];
  syzFrame?: string;
  gp?: string;
}

// Waiting for a grace period (kernel/rcu/tree.c, tree_exp.h): these tasks wait for the stall to end
const GP_WAIT_RE = /^(?:synchronize_rcu(?:_expedited|_bh)?|synchronize_sched(?:_expedited)?|synchronize_net|__wait_rcu_gp|wait_rcu_gp|_rcu_barrier|rcu_barrier(?:_sched|_bh)?)$/;
// the RCU Tasks flavours (kernel/rcu/tasks.h) have grace periods of their own: their waiters wait for
// a "rcu_tasks(_trace|_rude) detected stalls on tasks" report only, and the normal flavours' waiters
// never do
const TASKS_GP_WAIT_RE = /^(?:synchronize_rcu_tasks(?:_trace|_rude)?|rcu_barrier_tasks(?:_trace|_rude|_generic)?|synchronize_rcu_tasks_generic)$/;
// the idle loop: a CPU backtrace in it is a CPU doing nothing, not one holding the grace period
const IDLE_RE = /^(?:do_idle|cpu_idle|cpu_startup_entry|default_idle_call|default_idle|cpuidle_enter\w{0,16}|arch_cpu_idle\w{0,8}|native_safe_halt|mwait_idle\w{0,16}|intel_idle\w{0,16}|acpi_idle_\w{1,16}|poll_idle|cpu_do_idle)$/;

// interrupt entry/exit, the timer tick and the backtrace machinery: what any interrupt of an idle CPU runs
const IRQ_MACHINERY_RE = /^(?:__do_softirq|do_softirq\w{0,16}|call_do_softirq|irq_exit\w{0,8}|__irq_exit_rcu|handle_\w{1,24}irq\w{0,16}|__handle_irq_event\w{0,16}|handle_irq_event\w{0,16}|generic_handle_\w{1,24}|__sysvec_\w{1,40}|sysvec_\w{1,40}|asm_\w{1,40}|common_interrupt|__common_interrupt|do_IRQ|smp_apic_timer_interrupt|apic_timer_interrupt|timer_interrupt|decrementer_common\w{0,8}|hrtimer_interrupt|__hrtimer_run_queues|tick_\w{1,32}|update_process_times|rcu_\w{1,40}|dump_stack\w{0,8}|nmi_\w{1,40}|\w{0,8}_backtrace\w{0,16}|print_cpu_stall\w{0,8}|show_regs|irq_enter\w{0,8}|el1_interrupt|el1h_64_irq\w{0,16}|gic_handle_irq|call_on_irq_stack|do_interrupt_handler)$/;

// the stall report's own frames (kernel/rcu/tree_stall.h, lib/nmi_backtrace.c)
const REPORTING_RE = /^(?:rcu_dump_cpu_stacks|print_cpu_stall|rcu_sched_clock_irq|rcu_check_callbacks|nmi_cpu_backtrace|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace)$/;

function isIdle(t: TraceModel['tasks'][number]): boolean {
  if (t.pid !== 0 && !taskFrames({ ...t, stack: t.stack.filter((s) => s.context === 'process') }).slice(0, 12).some((f) => IDLE_RE.test(f))) return false;
  // an idle CPU busy in an interrupt or softirq (a timer callback walking a huge table) is not idle:
  // it passes no quiescent state until that work returns
  for (const seg of t.stack) {
    if (seg.context !== 'softirq' && seg.context !== 'hardirq') continue;
    if (seg.exception?.fn && !IRQ_MACHINERY_RE.test(seg.exception.fn) && !IDLE_RE.test(seg.exception.fn)) return false;
    for (const f of seg.frames) if (!f.unreliable && f.fn && !IRQ_MACHINERY_RE.test(baseName(f.fn)) && !IDLE_RE.test(f.fn)) return false;
  }
  return true;
}

/** Blocked tasks waiting for a grace period of the report's flavour, and the function they wait in. */
function gpWaiters(model: TraceModel, r: Report): Array<{ t: TraceModel['tasks'][number]; at: string }> {
  const out: Array<{ t: TraceModel['tasks'][number]; at: string }> = [];
  const tasksFlavour = /rcu_tasks/.test(r.header);
  // the _trace and _rude flavours are separate grace periods: a waiter must name the report's one
  const kind = /rcu_tasks_trace/.test(r.header) ? '_trace' : /rcu_tasks_rude/.test(r.header) ? '_rude' : '';
  for (const t of blockedTasks(model)) {
    const frames = taskFrames(t).slice(0, 16);
    const at = tasksFlavour
      ? frames.find((f) => TASKS_GP_WAIT_RE.test(f) && !/_generic$/.test(f) && (kind === '' ? !/_trace$|_rude$/.test(f) : f.endsWith(kind)))
      : frames.find((f) => GP_WAIT_RE.test(f));
    if (at) out.push({ t, at });
    if (out.length >= 8) break;
  }
  return out;
}

/** "rcu_preempt", "rcu_sched", "rcu_bh"... from the report's header: grace-period numbers are per flavour. */
function flavor(header: string): string {
  return /\b(rcu_\w{1,16}|rcu)\b/.exec(header)?.[1] ?? 'rcu';
}

function finding(model: TraceModel, r: Report, reports = 1): Finding {
  const d = r.details as RcuDetails;
  const cpus = d.stalledCpus ?? (r.cpu !== null ? [r.cpu] : []);
  const tasks = d.stalledTasks ?? [];
  const lines = [r.line, ...(d.lines ?? []).slice(0, 6)];
  const chain: ChainLink[] = [];
  const keyFrames: string[] = [];
  if (d.syzFrame) keyFrames.push(d.syzFrame);
  let spinLock: string | null = null;
  // "Starving the grace-period kthreads of CPU time can of course result in RCU CPU stall warnings even
  // when all CPUs and tasks have passed through the required quiescent states" (Documentation/RCU/
  // stallwarn.rst): a kthread starved for most of the stall, on a CPU that is not itself stalled, means
  // the quiescent states may have passed unrecorded (a guest the hypervisor did not run, an RT hog on
  // the kthread's CPU), so what the stalled CPUs were running when sampled holds nothing provable
  const st = d.starved;
  const kthreadStall = st !== undefined && d.jiffies !== undefined && st.jiffies * 2 >= d.jiffies && (st.cpu === null || !cpus.includes(st.cpu));
  for (const cpu of cpus.slice(0, 8)) {
    const found = model.tasks.find((x) => x.cpu === cpu && x.stack.length > 0);
    // an idle CPU, or one the report itself calls a false positive, holds nothing
    const idle = (found && isIdle(found)) || (d.falsePositive ?? []).includes(cpu);
    if (idle) {
      chain.push({ task: 'RCU grace period', waitsOn: `quiescent state from CPU ${cpu}`, primitive: 'rcu_gp', lock: null, heldBy: null,
        evidence: (d.falsePositive ?? []).includes(cpu) ? `the stall line marks CPU ${cpu} "(false positive?)": it was idle` : `CPU ${cpu}'s backtrace is the idle loop: it holds no read-side section`,
        lines });
      continue;
    }
    const t = found;
    if (kthreadStall) {
      chain.push({ task: 'RCU grace period', waitsOn: `quiescent state from CPU ${cpu}`, primitive: 'rcu_gp', lock: null, heldBy: null,
        evidence: `${t ? `CPU ${cpu} was running ${blameFrames(taskFrames(t))[0] ?? taskFrames(t)[0] ?? 'unknown code'} when sampled, but ` : ''}the ${st.kthread} kthread was starved for ${st.jiffies} of the stall's ${d.jiffies} jiffies: CPU ${cpu}'s quiescent states may have passed unrecorded, so no task on it is named`,
        lines });
      continue;
    }
    const spin = t ? spinInfo(t) : null;
    if (spin?.address) spinLock ??= spin.address;
    // the NMI segment is the backtrace machinery itself, and so is a segment that only reports (a
    // timer-interrupt stack printing the stall, powerpc's "--- interrupt:" frames): the interrupted
    // code is what stalls, starting with the function the interrupt cut into
    const segs = t ? t.stack.filter((s, k) => s.context !== 'nmi' && !(k < t.stack.length - 1 && s.frames.some((f) => REPORTING_RE.test(f.fn)))) : [];
    const view = t ? { ...t, stack: segs } : undefined;
    const cut = segs.find((s) => s.exception?.fn && !IRQ_MACHINERY_RE.test(s.exception.fn))?.exception?.fn;
    const blame = view ? [...new Set([...(cut ? blameFrames([baseName(cut)]) : []), ...blameFrames(taskFrames(view).filter((f) => !/rcu|apic_timer|sysvec|hrtimer|tick_|update_process_times/.test(f)))])] : [];
    for (const b of blame.slice(0, 2)) if (!keyFrames.includes(b)) keyFrames.push(b);
    chain.push({
      task: 'RCU grace period',
      waitsOn: `quiescent state from CPU ${cpu}`,
      primitive: 'rcu_gp',
      lock: null,
      // the idle task holds nothing: the CPU does, in the interrupt or softirq it is running
      heldBy: t && t.pid !== 0 ? taskLabel(t) : `CPU ${cpu}`,
      evidence: t ? `CPU ${cpu} was running ${blame[0] ?? taskFrames(t)[0] ?? 'unknown code'}` : `stall line names CPU ${cpu}; no backtrace of it in the paste`,
      lines,
    });
    if (spin && t) {
      chain.push({ task: taskLabel(t), waitsOn: `spinlock${spin.address ? ` ${spin.address}` : ''} (${spin.at})`, primitive: 'spinlock',
        lock: spin.address, heldBy: null, evidence: 'the stalled CPU spins in a lock slow path', lines: spin.exception?.lines.slice(0, 2) ?? [] });
    }
  }
  for (const pid of tasks.slice(0, 8)) {
    const t = taskByPid(model, pid);
    chain.push({ task: 'RCU grace period', waitsOn: 'preempted reader to leave its read-side section', primitive: 'rcu_gp',
      lock: null, heldBy: t ? taskLabel(t) : String(pid), evidence: 'listed as blocking the grace period', lines });
  }
  const starved = d.starved;
  if (starved) {
    // "->cpu=N" is where the kthread last ran, not who starves it; a missed timer wakeup means the
    // kthread's own timer never fired (a timer or idle problem), not a CPU hog
    chain.push({ task: `${starved.kthread} kthread`, waitsOn: `CPU time (starved ${starved.jiffies} jiffies${starved.state ? `, ${starved.state}` : ''})`,
      primitive: 'cpu', lock: null, heldBy: null,
      evidence: d.timerIssue ? `rcu kthread starved line; its timer wakeup did not happen${starved.cpu !== null ? ` (timer on CPU ${starved.cpu})` : ''}: a timer problem, not a CPU hog` : `rcu kthread starved line${starved.cpu !== null ? `; it last ran on CPU ${starved.cpu}` : ''}`,
      lines: [starved.line, ...(d.timerIssue ? [d.timerIssue] : [])] });
  }
  // the tasks waiting for this grace period come first: they wait for whoever the stall names
  const holder = chain.find((l) => l.heldBy !== null && !/^CPU \d/.test(l.heldBy))?.heldBy ?? null;
  const waiting = gpWaiters(model, r).filter((w) => taskLabel(w.t) !== holder);
  // and the tasks blocked on what those waiters hold (an RTNL holder inside synchronize_rcu_expedited)
  const g = waiting.length > 0 ? waitGraphOf(model) : null;
  const behind = g ? waiting.flatMap((w) => waitersOf(g, w.t.key, 4)) : [];
  chain.unshift(...behind, ...waiting.map((w) => ({
    task: taskLabel(w.t), waitsOn: `RCU grace period (${w.at})`, primitive: 'rcu_gp', lock: null, heldBy: holder,
    evidence: `${taskLabel(w.t)} waits in ${w.at} for a grace period; this stall report shows that grace period stuck${holder ? ` on ${holder}` : ''}`,
    lines: w.t.lines.slice(0, 2),
  })));
  if (chain.length === 0) {
    chain.push({ task: 'RCU grace period', waitsOn: 'quiescent states (the stall lines naming CPUs or tasks are not in the paste)',
      primitive: 'rcu_gp', lock: null, heldBy: null, evidence: r.header.slice(0, 120), lines: [r.line] });
  }
  const what = cpus.length ? `CPU${cpus.length > 1 ? 's' : ''} ${cpus.join(', ')}` : tasks.length ? `task${tasks.length > 1 ? 's' : ''} ${tasks.join(', ')}` : 'unknown CPUs';
  const again = reports > 1 ? ` (reported ${reports} times for this grace period)` : '';
  const headline = (kthreadStall
    ? `RCU grace period stalled${d.jiffies ? ` for ${d.jiffies} jiffies` : ''}: the ${starved!.kthread} kthread was starved of CPU for ${starved!.jiffies} jiffies, so ${what} may be innocent`
    : `RCU grace period stalled${d.jiffies ? ` for ${d.jiffies} jiffies` : ''} by ${what}${keyFrames[0] ? ` (in ${keyFrames[0]})` : ''}${starved ? `; ${starved.kthread} kthread starved` : ''}`) + again;
  return {
    pattern: 'rcu-stall',
    caseId: null,
    // a stall that names the task holding the grace period explains the tasks waiting for it
    confidence: holder && waiting.length > 0 ? 0.7 : holder ? 0.6 : chain.length > 0 && keyFrames.length > 0 ? 0.5 : 0.4,
    headline,
    blockingChain: chain,
    cycle: false,
    suspectLock: spinLock ? { primitive: 'spinlock', address: spinLock, name: null, holder: null, evidence: 'stalled CPU spins on it (RDI of the interrupted frame)', lines } : null,
    keyFrames: keyFrames.slice(0, 3),
    checklist: kthreadStall
      ? [
        `The ${starved!.kthread} kthread did not get a CPU for most of the stall: find what kept it off${starved!.cpu !== null ? ` CPU ${starved!.cpu}` : ''} (an RT task at a higher priority, a CPU hog with preemption off, isolated or throttled CPUs) before suspecting the code the stalled CPUs were running.`,
        'On a virtual machine, check steal time for the same minutes (sar -u %steal, top "st", the host\'s CPU overcommit): vCPUs the host does not run stall the whole guest, and every CPU then looks stalled "GPs behind" with fqs=0.',
      ]
      : [],
    nextSteps: [
      ...cpus.slice(0, 4).map((c) => `crash> bt -c ${c}`),
      'crash> bt -a',
      ...(starved ? ['ps -eLo pid,cls,rtprio,psr,comm | grep -i rcu   (is the GP kthread starved by RT tasks?)'] : []),
    ],
    references: [],
  };
}

export const rcuStall: Plugin = {
  id: 'rcu-stall',
  title: 'RCU CPU stall: who holds the grace period',
  families: ['rcu_stall', 'soft_lockup', 'hung_task'],
  run(model) {
    // one finding per grace period: while it lasts the stall is reported again (every 3 x
    // rcu_cpu_stall_timeout, kernel/rcu/tree_stall.h), and the latest report has the longest stall and
    // the freshest backtraces
    const byGp = new Map<string, Report[]>();
    for (const r of model.reports) {
      if (r.kind !== 'rcu_stall') continue;
      const gp = (r.details as RcuDetails).gp;
      const key = gp !== undefined ? `${flavor(r.header)} g${gp}` : `line ${r.line}`;
      const list = byGp.get(key);
      if (list) list.push(r);
      else if (byGp.size < 3) byGp.set(key, [r]);
    }
    return [...byGp.values()].map((rs) => finding(model, rs[rs.length - 1]!, rs.length));
  },
};

export default rcuStall;
