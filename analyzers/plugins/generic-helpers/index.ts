// Helpers shared by the generic (per-family) plugins: task labels, the wait a stack is blocked in,
// the frames worth blaming, spinlock slow paths. Pure functions over the trace model.

import type { ExceptionFrame, Report, StackSegment, Task, TraceModel } from '../../model/trace-model.ts';
import type { Spinner } from '../../graph/spin.ts';
import { baseName, taskFrames as framesOfTask } from '../../classify/frames.ts';

export { baseName };

// Several analyzers (and the wait-for graph) ask the same questions of every task of a 10k-50k task
// `foreach bt`: answers are kept per task (the model is not modified after parse) and per frame name
// (kernel function names repeat across tasks), so each is computed once per paste. Walking the frame
// objects is what costs (a 10k-task paste has ~176k of them, cache-cold after parse: one bare pass is
// ~6 ms), so one pass per task (factsOf) collects everything later questions need from them.

/** What one frame name is, computed once per distinct name (crash bt names are interned strings). */
export interface NameInfo {
  /** baseName(fn) */
  base: string;
  /** fn before its first '.', even at 0 (what case matching compares) */
  dot: string;
  /** isSpinFrame(fn) */
  spin: boolean;
  /** isMechanics(fn) */
  mech: boolean;
  /** index in WAITS of the first primitive baseName(fn) matches, -1 for none */
  wait: number;
  /** 1 = waits for IPIs, 2 = real work (graph/ipi.ts counts three before it gives up), 0 = neither */
  ipi: number;
  /** the last ModelFacts pass that listed this name (distinct names of a paste without a Set per frame) */
  stamp: number;
}

const NAMES = new Map<string, NameInfo>();
// A direct-mapped cache in front of NAMES: one slot per cheap hash of the name, hit when the slot
// holds the same string (the interned names of crash frames compare by pointer). Cheaper than the
// Map's lookup on the ~176k frames of a 10k-task paste; a miss just asks the Map.
const SLOTS = 2048;
const slotKey: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
const slotVal: Array<NameInfo | undefined> = new Array<NameInfo | undefined>(SLOTS).fill(undefined);

/** The per-name answers for a frame or exception RIP name (one cache lookup instead of a regex or slice each). */
export function nameInfo(fn: string): Readonly<NameInfo> {
  return infoOf(fn);
}

function infoOf(fn: string): NameInfo {
  const n = fn.length;
  const h = n === 0 ? 0 : (n * 131 + fn.charCodeAt(n >> 1) * 31 + fn.charCodeAt(n - 1) * 7 + fn.charCodeAt(n >> 2)) & (SLOTS - 1);
  if (slotKey[h] === fn) return slotVal[h]!;
  let v = NAMES.get(fn);
  if (v === undefined) {
    // input-controlled names: keep the table bounded
    if (NAMES.size >= 50_000) {
      NAMES.clear();
      slotKey.fill(undefined);
      slotVal.fill(undefined);
    }
    const base = baseName(fn);
    const k = fn.indexOf('.');
    const ipi = IPI_WAIT_RE.test(base) ? 1 : !isMechanics(base) && !NOT_WORK_NEAR_IPI.test(base) ? 2 : 0;
    v = { base, dot: k >= 0 ? fn.slice(0, k) : fn, spin: isSpinFrame(fn), mech: isMechanics(base), wait: waitIndex(base), ipi, stamp: 0 };
    NAMES.set(fn, v);
  }
  slotKey[h] = fn;
  slotVal[h] = v;
  return v;
}

export interface TaskContextView {
  context: string;
  /** every named frame of the segment, reliable or not */
  frames: string[];
  exceptionRip: string | null;
}

/** Per-task answers of the one pass over a task's frames. Read-only for callers. */
export interface TaskFacts {
  /** taskFrames(t): reliable frame names, innermost first, an exception RIP before its segment's frames */
  frames: string[];
  /** taskFrames(t, { exceptions: false }); the same array as `frames` without an exception RIP name */
  noExc: string[] | null;
  hasExcFn: boolean;
  /** the analysis task view's segments */
  contexts: TaskContextView[];
  /** smallest line number the task covers (header, exception, frame) */
  firstLine: number;
  /** distinct modules named by any frame or exception of the task, null for none */
  modules: string[] | null;
  /** index in noExc of the first of its first 40 names that is a wait primitive, -1 for none */
  waitAt: number;
  /** the first segment whose spinTop is a spin frame, -1 for none */
  spinSeg: number;
  /** spinInfo(t): made by the pass, when the segment is in hand */
  spin: SpinInfo | null;
  /** graph/spin.ts spinnersOf: segments whose exception RIP spins with a kernel pointer in RDI */
  spinners: readonly Spinner[];
  /** the first segment outside NMI context with a named exception RIP (graph/ipi.ts irqsOffCpus), -1 for none */
  excSeg: number;
  /** the innermost IPI wait of the first process segment that has one (graph/ipi.ts ipiWaiters), and its line */
  ipiAt: string | null;
  ipiLine: number;
  // answers kept once asked (undefined until then). Present from the start so that every facts
  // object has one shape: fields added later, in whatever order, made every read of them megamorphic
  wait: WaitInfo | null | undefined;
}

const NO_SPINNERS: readonly Spinner[] = [];

// Callers that wait for IPIs to be handled by other CPUs (kernel/smp.c, arch/x86/mm/tlb.c).
export const IPI_WAIT_RE = /^(?:smp_call_function_many(?:_cond)?|smp_call_function_single|smp_call_function|on_each_cpu(?:_mask|_cond\w*)?|flush_tlb_others_ipi|native_flush_tlb_others|native_flush_tlb_multi|flush_tlb_multi|csd_lock_wait|smp_call_function_many_cond)$/;
// what is not real work next to an IPI wait: bitmap/cpumask helpers, the csd lock, pause loops
const NOT_WORK_NEAR_IPI = /^(?:__bitmap_empty|bitmap_empty|cpumask_\w+|_spin_lock|_raw_spin_lock|csd_lock_wait|cpu_relax|rep_nop)$/;

// Facts of tasks asked for one at a time. The facts of a whole task list (tasksFacts) are not entered
// here: 10k WeakMap insertions (and their ephemeron table in every scavenge) cost more than finding
// the few tasks analyzers ask about alone in the recent lists (RECENT).
const FACTS = new WeakMap<Task, TaskFacts>();

/** The one pass over a task's frame objects, kept per task. */
export function factsOf(t: Task): TaskFacts {
  let f = FACTS.get(t);
  if (f === undefined) {
    f = inRecentLists(t) ?? buildFacts(t);
    FACTS.set(t, f);
  }
  return f;
}

// The task lists whose facts were built last (most recent first), held weakly: a paste's model is
// not kept alive by them. A list searched linearly more than a few times gets an index.
const RECENT: Array<WeakRef<readonly Task[]>> = [];
const MAX_RECENT = 4;
const LINEAR_LOOKUPS = 32;

function inRecentLists(t: Task): TaskFacts | undefined {
  for (const r of RECENT) {
    const list = r.deref();
    if (list === undefined) continue;
    const m = TASKS_FACTS.get(list);
    if (m === undefined) continue;
    let i: number;
    if (m.index !== null) i = m.index.get(t) ?? -1;
    else if (m.lookups++ < LINEAR_LOOKUPS) i = list.indexOf(t);
    else {
      const index = new Map<Task, number>();
      for (let k = list.length - 1; k >= 0; k--) index.set(list[k]!, k);
      m.index = index;
      i = index.get(t) ?? -1;
    }
    if (i >= 0) return m.facts[i];
  }
  return undefined;
}

function buildFacts(t: Task): TaskFacts {
  // plain loops and no closures: this runs once on every task of the paste. Lists are made at their
  // final size where it is known (at most, then cut): they outlive the pass (they are the task view),
  // and grown-by-push arrays are both reallocated and left with unused room
  const stack = t.stack;
  let most = 0;
  for (let si = 0; si < stack.length; si++) most += stack[si]!.frames.length + 1;
  const frames = new Array<string>(most);
  let nf = 0;
  const contexts = new Array<TaskContextView>(stack.length);
  let modules: string[] | null = null;
  let first = Infinity;
  for (const n of t.lines) if (n < first) first = n;
  let hasExcFn = false;
  let kept = 0; // names kept so far without exception RIPs (the index in noExc)
  let waitAt = -1;
  let spinSeg = -1;
  let spin: SpinInfo | null = null;
  let spinners: Spinner[] | null = null;
  let excSeg = -1;
  let ipiAt: string | null = null;
  let ipiLine = 0;
  for (let si = 0; si < stack.length; si++) {
    const seg = stack[si]!;
    const exc = seg.exception;
    let spinHit: string | null = null;
    // spinnersOf: an exception RIP in a spin path with the lock (a kernel pointer) in RDI; the taker is
    // the first reliable frame below it that is neither a spin frame nor mechanics (takerOf)
    let excLock: string | null = null;
    let spinner: Spinner | null = null;
    let takerDone = false;
    // ipiWaiters: in process context, the exception RIP then the reliable frames, until three of real work
    let ipiScan = ipiAt === null && seg.context === 'process';
    let real = 0;
    if (exc) {
      if (exc.line < first) first = exc.line;
      if (exc.module && (modules === null || !modules.includes(exc.module))) (modules ??= []).push(exc.module);
      if (exc.fn) {
        frames[nf++] = exc.fn;
        hasExcFn = true;
        const info = infoOf(exc.fn);
        stampName(info, exc.fn);
        if (info.spin) {
          spinHit = exc.fn;
          // the registers are read here, once, for the few spinning segments
          const lock = firstArg(exc)?.lock ?? null;
          if (lock !== null) {
            excLock = lock;
            spinner = { task: t, segment: si, context: exc.context ?? seg.context, lock, at: info.base, taker: null, via: info.base, exception: exc };
          }
        }
        if (excSeg < 0 && seg.context !== 'nmi') excSeg = si;
        if (ipiScan) {
          if (info.ipi === 1) {
            ipiAt = info.base;
            ipiLine = exc.line;
            ipiScan = false;
          } else if (info.ipi === 2) real++;
        }
      }
    }
    // old unwinders (no frame pointers) mark every frame "?": then they are all we have, minus the
    // "+0x0/" ones, which are function pointers left in stack data (wait-queue entries), not returns
    const segFrames = seg.frames;
    let anyReliable = false;
    for (let i = 0; i < segFrames.length; i++) {
      if (!segFrames[i]!.unreliable) {
        anyReliable = true;
        break;
      }
    }
    const named = new Array<string>(segFrames.length);
    let nn = 0;
    let reliableSeen = 0; // spinTop looks at the first four reliable frames, named or not
    for (let i = 0; i < segFrames.length; i++) {
      const fr = segFrames[i]!;
      if (fr.line < first) first = fr.line;
      if (fr.module && (modules === null || !modules.includes(fr.module))) (modules ??= []).push(fr.module);
      const fn = fr.fn;
      const reliable = !fr.unreliable;
      if (!fn) {
        if (reliable) reliableSeen++;
        continue;
      }
      named[nn++] = fn;
      if (reliable || (!anyReliable && fr.offset !== 0)) {
        frames[nf++] = fn;
        const info = infoOf(fn);
        stampName(info, fn);
        if (waitAt < 0 && kept < 40 && info.wait >= 0) waitAt = kept;
        kept++;
        if (reliable && spinHit === null && reliableSeen < 4 && info.spin) spinHit = fn;
        if (spinner !== null && reliable && !takerDone) {
          if (info.spin) spinner.via = info.base;
          else if (!info.mech) {
            spinner.taker = info.base;
            takerDone = true;
          }
        }
        if (reliable && ipiScan) {
          if (real > 2) ipiScan = false;
          else if (info.ipi === 1) {
            ipiAt = info.base;
            ipiLine = fr.line;
            ipiScan = false;
          } else if (info.ipi === 2) real++;
        }
      }
      if (reliable) reliableSeen++;
    }
    // all-"?" stacks pick their spin frames differently (spinTop): rare, so ask it directly
    if (spinHit === null && !anyReliable) spinHit = spinTop(seg);
    if (spinHit !== null && spinSeg < 0) {
      spinSeg = si;
      // RDI holds the lock pointer only while still inside the slow path function itself
      spin = { address: excLock, exception: exc, at: infoOf(spinHit).base };
    }
    if (spinner !== null) (spinners ??= []).push(spinner);
    if (nn !== named.length) named.length = nn;
    contexts[si] = {
      context: seg.context,
      frames: named,
      exceptionRip: exc ? (exc.offset !== null ? `${exc.fn}+${exc.offset}` : exc.fn) : null,
    };
  }
  if (nf !== frames.length) frames.length = nf;
  return {
    frames, noExc: hasExcFn ? null : frames, hasExcFn, contexts, firstLine: first, modules, waitAt, spinSeg, spin, spinners: spinners ?? NO_SPINNERS, excSeg, ipiAt, ipiLine,
    wait: undefined,
  };
}

function noExcOf(f: TaskFacts, t: Task): string[] {
  return (f.noExc ??= framesOfTask(t, { exceptions: false }));
}

/** Reliable frame names of a task, innermost first (classify/frames.ts taskFrames), computed once per task. */
export function taskFrames(t: Task, opts?: { exceptions?: boolean }): readonly string[] {
  const f = factsOf(t);
  return opts?.exceptions === false ? noExcOf(f, t) : f.frames;
}

function hasExceptionFn(t: Task): boolean {
  return factsOf(t).hasExcFn;
}

export interface ModelFacts {
  /** factsOf(tasks[i]) */
  facts: TaskFacts[];
  /** distinct names of every task's taskFrames(t) */
  names: string[];
  /** distinct modules of every frame and exception, in first-seen order */
  modules: string[];
}

interface ListFacts extends ModelFacts {
  /** task -> first index in the list, once linear lookups from factsOf got too many */
  index: Map<Task, number> | null;
  lookups: number;
}

const TASKS_FACTS = new WeakMap<readonly Task[], ListFacts>();
let stampNow = 0;
// While tasksFacts builds a list's facts, the pass over each task lists every distinct name it meets
// (a name's stamp says it was seen in this list): no second walk over every frame for them.
let passStamp = 0;
let passNames: string[] | null = null;

function tasksFacts(tasks: readonly Task[]): ModelFacts {
  let m = TASKS_FACTS.get(tasks);
  if (m !== undefined) return m;
  const stamp = ++stampNow;
  const names: string[] = [];
  const facts = new Array<TaskFacts>(tasks.length);
  passStamp = stamp;
  passNames = names;
  try {
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      let f = FACTS.get(t);
      if (f === undefined) {
        f = buildFacts(t);
      } else {
        // built before (a single task asked for): list its names now
        const fr = f.frames;
        for (let k = 0; k < fr.length; k++) stampName(infoOf(fr[k]!), fr[k]!);
      }
      facts[i] = f;
    }
  } finally {
    passStamp = 0;
    passNames = null;
  }
  const modSet = new Set<string>();
  const modules: string[] = [];
  for (let k = 0; k < facts.length; k++) {
    const mods = facts[k]!.modules;
    if (mods) for (const x of mods) if (!modSet.has(x)) {
      modSet.add(x);
      modules.push(x);
    }
  }
  m = { facts, names, modules, index: null, lookups: 0 };
  TASKS_FACTS.set(tasks, m);
  RECENT.unshift(new WeakRef(tasks));
  if (RECENT.length > MAX_RECENT) RECENT.length = MAX_RECENT;
  return m;
}

function stampName(info: NameInfo, fn: string): void {
  if (passNames !== null && info.stamp !== passStamp) {
    info.stamp = passStamp;
    passNames.push(fn);
  }
}

/**
 * factsOf for every task of a list, in its order (kept per list: model.tasks). Loops over a paste's
 * tasks read this array by index instead of a per-task WeakMap lookup (~10k tasks, many loops).
 */
export function factsOfTasks(tasks: readonly Task[]): TaskFacts[] {
  return tasksFacts(tasks).facts;
}

/** factsOf every task of the model, and what the paste names as a whole. */
export function modelFacts(model: TraceModel): ModelFacts {
  return tasksFacts(model.tasks);
}

/** A per-name answer cache, emptied when it grows past `max` names (input-controlled names stay bounded). */
function nameMemo<V>(fn: (name: string) => V, max = 50_000): (name: string) => V {
  const m = new Map<string, V>();
  return (name: string): V => {
    let v = m.get(name);
    if (v === undefined && !m.has(name)) {
      if (m.size >= max) m.clear();
      v = fn(name);
      m.set(name, v);
    }
    return v as V;
  };
}

/** "comm:pid", or what the input shows ("comm", "pid", "CPU n"). */
export function taskLabel(t: Task | null | undefined, fallbackCpu: number | null = null): string {
  if (!t) return fallbackCpu !== null ? `CPU ${fallbackCpu}` : 'unknown task';
  if (t.comm && t.pid !== null) return `${t.comm}:${t.pid}`;
  if (t.comm) return t.comm;
  if (t.pid !== null) return String(t.pid);
  return t.cpu !== null ? `CPU ${t.cpu}` : 'unknown task';
}

// Plugins look tasks up per report; with tens of thousands of tasks a linear find per lookup is
// quadratic, so index once per model (the model is not modified after parse).
const byKeyIdx = new WeakMap<TraceModel, Map<string, Task>>();
const byPidIdx = new WeakMap<TraceModel, Map<number, Task>>();

export function taskByKey(model: TraceModel, key: string): Task | undefined {
  let idx = byKeyIdx.get(model);
  if (!idx || idx.size === 0 && model.tasks.length > 0) {
    idx = new Map();
    for (const t of model.tasks) if (!idx.has(t.key) || (idx.get(t.key)!.stack.length === 0 && t.stack.length > 0)) idx.set(t.key, t);
    byKeyIdx.set(model, idx);
  }
  return idx.get(key);
}

export function taskByPid(model: TraceModel, pid: number): Task | undefined {
  let idx = byPidIdx.get(model);
  if (!idx || idx.size === 0 && model.tasks.length > 0) {
    idx = new Map();
    for (const t of model.tasks) {
      if (t.pid === null) continue;
      const cur = idx.get(t.pid);
      if (!cur || (cur.stack.length === 0 && t.stack.length > 0)) idx.set(t.pid, t);
    }
    byPidIdx.set(model, idx);
  }
  return idx.get(pid);
}

/** The task a report is about: its first task with a stack, else one matching its pid / CPU. */
export function reportTask(model: TraceModel, r: Report): Task | undefined {
  for (const k of r.taskKeys) {
    const t = taskByKey(model, k);
    if (t && t.stack.length > 0) return t;
  }
  if (r.pid !== null && r.pid > 0) {
    const t = taskByPid(model, r.pid);
    if (t) return t;
  }
  if (r.cpu !== null) return model.tasks.find((t) => t.cpu === r.cpu && t.stack.length > 0);
  return undefined;
}

export type WaitPrimitive =
  | 'mutex' | 'rt_mutex' | 'rwsem_read' | 'rwsem_write' | 'semaphore' | 'completion' | 'flush_work'
  | 'flush_workqueue' | 'page_io' | 'journal' | 'rcu_grace_period' | 'sleep';

// Innermost frame → what kind of wait it is. Names from kernel/locking/{mutex,rwsem,semaphore,rtmutex}.c,
// kernel/sched/completion.c, kernel/workqueue.c, mm/filemap.c, fs/jbd2/{transaction,journal}.c, kernel/rcu.
const WAITS: Array<[RegExp, WaitPrimitive]> = [
  [/^(?:__)?ww_mutex_lock|^__ww_mutex_lock|^(?:__)?mutex_lock|^__mutex_lock|^mutex_lock_(?:interruptible|killable|nested|io)/, 'mutex'],
  [/^rt_mutex_slowlock|^__rt_mutex_slowlock|^rt_mutex_lock|^rtlock_slowlock/, 'rt_mutex'],
  [/^rwsem_down_read_(?:slowpath|failed)|^call_rwsem_down_read_failed|^__down_read|^down_read/, 'rwsem_read'],
  [/^rwsem_down_write_(?:slowpath|failed)|^call_rwsem_down_write_failed|^__down_write|^down_write/, 'rwsem_write'],
  // kernel/locking/percpu-rwsem.c: readers and writers both sleep in percpu_rwsem_wait (not a rule:
  // its caller says which side), a writer also waits for the readers to drain in percpu_down_write
  [/^__percpu_down_read|^percpu_down_read/, 'rwsem_read'],
  [/^percpu_down_write/, 'rwsem_write'],
  [/^__down(?:_common|_interruptible|_killable|_timeout)?$|^down(?:_interruptible|_killable|_timeout)?$/, 'semaphore'],
  [/^flush_workqueue$|^__flush_workqueue|^drain_workqueue|^flush_scheduled_work|^destroy_workqueue/, 'flush_workqueue'],
  [/^__?flush_work$|^flush_work$|^__cancel_work_timer|^__cancel_work_sync|^cancel_work_sync|^cancel_delayed_work_sync|^flush_delayed_work/, 'flush_work'],
  [/wait_for_completion|^__wait_for_common|^wait_for_common/, 'completion'],
  [/^jbd2_log_wait_commit|^wait_transaction_locked|^start_this_handle|^jbd2__journal_start|^jbd2_journal_lock_updates|^jbd2_journal_commit_transaction|^jbd2_journal_stop/, 'journal'],
  [/^synchronize_(?:rcu|srcu|sched|net)|^__synchronize_srcu|^rcu_barrier|^synchronize_rcu_expedited/, 'rcu_grace_period'],
  [/wait_on_page_bit|^folio_wait_bit|^__folio_lock|^__lock_page|^folio_wait_writeback|^wait_on_page_writeback|^io_schedule|^bit_wait_io|^__wait_on_buffer|^__lock_buffer|^out_of_line_wait_on_bit|^blk_mq_get_tag|^wait_on_bit/, 'page_io'],
];

// Frames that are the mechanics of sleeping or of the primitive itself: never what to blame. Also the
// machinery that only observes a hang: the perf NMI watchdog (handle_pmi_common, *_pmu_handle_irq,
// perf_event_nmi_handler), crash/kdump stopping the other CPUs by NMI (crash_nmi_callback from
// nmi_shootdown_cpus), panic/kexec, the timer interrupt that runs the soft-lockup watchdog, and the
// idle loop (a halted CPU is waiting for work, not stuck).
// (cpus_read_lock/get_online_cpus: the CPU hotplug lock's read side, a lock primitive like down_read;
// delay loops: udelay()/ndelay() and their arch helpers are how a driver busy-waits, not what to blame;
// arm64's timer interrupt path, arch_timer_handler_* → gic_handle_irq → el1h_64_irq, like x86's apic one)
const MECHANICS = /^(?:rt_spin_lock\w*|rtlock_\w+|rt_read_lock|rt_write_lock|cpus_read_lock|get_online_cpus|arch_timer_handler_\w+|handle_percpu_devid_irq|generic_handle_domain_irq|__?handle_domain_irq|gic_handle_irq|call_on_irq_stack|do_interrupt_handler|el[01]_interrupt|el1h_64_irq\w*|el0t_64_irq\w*|el1_irq|percpu_rwsem_wait|__percpu_down_read|percpu_down_read|percpu_down_write|rcuwait_wait_event|delay_tsc|delay_loop|delay_halt\w*|__delay|__const_udelay|__udelay|__ndelay|udelay|ndelay|mdelay|__schedule|schedule|schedule_timeout|schedule_preempt_disabled|schedule_hrtimeout|io_schedule_timeout|__switch_to|__switch_to_asm|context_switch|preempt_schedule\w*|___preempt_schedule\w*|irqentry_exit\w*|do_nanosleep|bit_wait|__wait_on_bit|wait_woken|prepare_to_wait|finish_wait|osq_lock|mutex_spin_on_owner|rwsem_optimistic_spin|lock_acquire|lock_release|__lock_acquire|_raw_spin_\w+|do_raw_spin_\w+|native_queued_spin_lock_slowpath|queued_spin_lock_slowpath|__pv_queued_spin_lock_slowpath|rwsem_down_\w+|call_rwsem_\w+|__down\w*|down\w*|__mutex_lock\w*|mutex_lock\w*|__rt_mutex\w*|rt_mutex\w*|ww_mutex\w*|__ww_mutex\w*|wait_for_completion\w*|__wait_for_common|wait_for_common|__flush_work|flush_work|__flush_workqueue|flush_workqueue|folio_wait_bit\w*|wait_on_page_bit\w*|io_schedule|__folio_lock|__lock_page\w*|synchronize_\w+|__synchronize_srcu|rcu_barrier|rcu_\w+|do_wait_for_common|wait_transaction_locked|__wait_rcu_gp|__cond_resched|_cond_resched|dump_stack\w*|show_stack|unwind_backtrace|dump_backtrace\w*|__irq_svc|__irq_usr|handle_IRQ|twd_handler|ret_from_fork\w*|kthread|worker_thread|entry_SYSCALL_64_after_hwframe|do_syscall_64|asm_\w+|sysvec_\w+|apic_timer_interrupt|irq_exit\w*|__irq_exit_rcu|hrtimer_interrupt|__hrtimer_run_queues|__sysvec_\w+|smp_apic_timer_interrupt|watchdog_timer_fn|native_safe_halt|default_idle\w*|machine_kexec|__crash_kexec|crash_kexec|panic|nmi_panic|oops_end|die|no_context|__bad_area_nosemaphore|bad_area\w*|__do_page_fault|do_page_fault|page_fault|async_page_fault|watchdog_\w+|__perf_event_overflow|perf_event_overflow|\w+_pmu_handle_irq|\w+_pmu_v\d+_handle_irq|handle_pmi_common|perf_event_nmi_handler|perf_ibs_nmi_handler|crash_nmi_callback|kdump_nmi_callback|nmi_shootdown_cpus|kdump_nmi_shootdown_cpus|native_machine_crash_shutdown|crash_save_cpu|crash_setup_regs|native_stop_other_cpus|smp_send_stop|vpanic|local_apic_timer_interrupt|__run_hrtimer|schedule_idle|acpi_safe_halt|mwait_idle_with_hints|notifier_call_chain|atomic_notifier_call_chain|notify_die|nmi_handle|default_do_nmi|do_nmi|nmi|end_repeat_nmi|exc_nmi|asm_exc_nmi|kprobe_exceptions_notify|hpet_\w+|update_process_times|tick_\w+|run_timer_softirq|__do_softirq|do_softirq\w*|call_softirq|irq_exit|smp_call_function_interrupt|generic_smp_call_function\w*|flush_smp_call_function_queue|system_call_fastpath|entry_SYSCALL_64|int_signal|ret_from_intr|retint_\w+|common_interrupt|nmi_cpu_backtrace\w*|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|do_idle|cpu_startup_entry|start_secondary|secondary_startup_64\w*|cpuidle_\w+|default_idle_call|arch_cpu_idle\w*|rest_init|start_kernel|x86_64_start_\w+|cpu_idle|poll_idle|intel_idle\w*|acpi_idle_\w+|mwait_idle\w*)$/;

export const isMechanics: (fn: string) => boolean = nameMemo((fn) => MECHANICS.test(baseName(fn)));

export interface WaitInfo {
  primitive: WaitPrimitive;
  /** The primitive frame ("__mutex_lock"). */
  at: string;
  /** Callers that took it, innermost first, mechanics removed: where it is stuck and what to blame. */
  blame: string[];
}

/** Index in WAITS of the first primitive a (base) frame name matches, -1 for none. */
const waitIndex: (fn: string) => number = nameMemo((fn) => WAITS.findIndex(([re]) => re.test(fn)));

/** The first primitive other than `prim`, completion and page I/O that a name matches (the outer wait). */
function outerWait(fn: string, prim: WaitPrimitive): number {
  const i = waitIndex(fn);
  if (i < 0) return -1;
  const p = WAITS[i]![1];
  if (p !== prim && p !== 'page_io' && p !== 'completion') return i;
  // the first match was excluded: look further down the list, as a full scan would
  for (let k = i + 1; k < WAITS.length; k++) {
    const [re2, p2] = WAITS[k]!;
    if (p2 !== prim && p2 !== 'page_io' && p2 !== 'completion' && re2.test(fn)) return k;
  }
  return -1;
}

/** What a blocked stack waits on, from its frames (innermost first). */
export function classifyWait(frames: readonly string[]): WaitInfo | null {
  for (let i = 0; i < frames.length && i < 40; i++) {
    const fn = baseName(frames[i]!);
    const w = waitIndex(fn);
    if (w < 0) continue;
    const prim = WAITS[w]![1];
    let primitive = prim;
    let at = fn;
    // a completion is often the inside of a bigger wait (flush_work, synchronize_rcu, jbd2 commit):
    // name the outer one when it is among the next few callers
    if (prim === 'completion' || prim === 'page_io') {
      for (let k = i + 1; k < frames.length && k <= i + 4; k++) {
        const outer = baseName(frames[k]!);
        const hit = outerWait(outer, prim);
        if (hit >= 0) {
          primitive = WAITS[hit]![1];
          at = outer;
          break;
        }
      }
    }
    const blame: string[] = [];
    for (let k = i + 1; k < frames.length && blame.length < 3; k++) {
      const b = baseName(frames[k]!);
      if (!isMechanics(b)) blame.push(b);
    }
    return { primitive, at, blame };
  }
  return null;
}

/** classifyWait(taskFrames(t, { exceptions: false })), once per task. Treat the answer as read-only. */
export function waitOf(t: Task): WaitInfo | null {
  return waitFrom(t, factsOf(t));
}

/** waitOf(t) given factsOf(t) (loops over factsOfTasks). */
export function waitFrom(t: Task, f: TaskFacts): WaitInfo | null {
  let w = f.wait;
  if (w === undefined) {
    // the pass already knows whether any of the first 40 names is a wait: most stacks are not
    w = f.waitAt < 0 ? null : classifyWait(noExcOf(f, t));
    f.wait = w;
  }
  return w;
}

/** classifyWait(taskFrames(t)) (exception RIPs included): the same answer as waitOf without one. */
export function waitWithExceptionsOf(t: Task): WaitInfo | null {
  return hasExceptionFn(t) ? classifyWait(taskFrames(t)) : waitOf(t);
}

const WAIT_WORDS: Record<WaitPrimitive, string> = {
  mutex: 'mutex',
  rt_mutex: 'rt_mutex',
  rwsem_read: 'rw_semaphore (read)',
  rwsem_write: 'rw_semaphore (write)',
  semaphore: 'semaphore',
  completion: 'completion',
  flush_work: 'work item flush',
  flush_workqueue: 'workqueue flush',
  page_io: 'page/buffer I/O',
  journal: 'jbd2 journal',
  rcu_grace_period: 'RCU grace period',
  sleep: 'sleep',
};

export function waitWords(p: WaitPrimitive): string {
  return WAIT_WORDS[p];
}

/** Confirm commands per primitive (crash(8) and sysrq). */
export function nextStepsFor(p: WaitPrimitive, pid: number | null): string[] {
  const bt = pid !== null ? `crash> bt -f ${pid}` : 'crash> bt -a';
  switch (p) {
    case 'mutex':
      return [`${bt}   (find the mutex address in the __mutex_lock frame)`, 'crash> struct mutex <address>   (owner field, low bits masked, is the holder)', 'crash> foreach UN bt'];
    case 'rt_mutex':
      return [bt, 'crash> struct rt_mutex_base <address>', 'crash> foreach UN bt'];
    case 'rwsem_read':
    case 'rwsem_write':
      return [`${bt}   (rw_semaphore address in the rwsem_down_* frame)`, 'crash> struct rw_semaphore <address>', 'crash> list rwsem_waiter.list -s rwsem_waiter.task,type -h <address>.wait_list'];
    case 'semaphore':
      return [bt, 'crash> struct semaphore <address>', 'crash> foreach UN bt'];
    case 'completion':
      return [bt, 'crash> struct completion <address>', 'crash> foreach bt   (who is expected to call complete())'];
    case 'flush_work':
    case 'flush_workqueue':
      return ['echo t > /proc/sysrq-trigger   (look for the kworker running the flushed work)', 'crash> foreach kworker bt', 'crash> bt -a'];
    case 'page_io':
      return ['crash> foreach UN bt   (who holds the page lock or owns the I/O)', 'cat /sys/block/*/inflight', 'crash> dev -d'];
    case 'journal':
      return ['crash> foreach jbd2 bt   (the commit thread)', 'crash> foreach UN bt', 'cat /proc/fs/jbd2/*/info'];
    case 'rcu_grace_period':
      return ['crash> bt -a   (a CPU stuck with preemption or irqs off holds the grace period)', 'dmesg | grep -i "rcu.*stall"'];
    default:
      return ['crash> foreach UN bt', 'echo w > /proc/sysrq-trigger'];
  }
}

// Spin-wait paths of spinlocks and rwlocks (kernel/locking/qspinlock.c, spinlock_debug.c, qrwlock.c).
const SPIN_RE = /^(?:native_queued_spin_lock_slowpath|queued_spin_lock_slowpath|__pv_queued_spin_lock_slowpath|pv_queued_spin_lock_slowpath|do_raw_spin_lock|_raw_spin_lock\w*|_spin_lock\w*|__raw_spin_lock\w*|queued_read_lock_slowpath|queued_write_lock_slowpath|_raw_read_lock\w*|_raw_write_lock\w*|arch_spin_lock|__ticket_spin_lock|raw_spin_lock\w*|spin_lock\w*)$/;

const spinName: (fn: string) => boolean = nameMemo((fn) => SPIN_RE.test(baseName(fn)));

/** Every name SPIN_RE accepts contains "_lock": most frames are rejected without a lookup. */
export function isSpinFrame(fn: string): boolean {
  return fn.includes('_lock') && spinName(fn);
}

export interface SpinInfo {
  /** Lock address from RDI of the exception frame interrupted in the slow path (x86-64 first argument). */
  address: string | null;
  exception: ExceptionFrame | null;
  at: string;
}

/** Is this stack spinning on a lock? Looks at exception RIPs and the innermost frames of each segment. */
export function spinInfo(t: Task): SpinInfo | null {
  return spinInfoFrom(t, factsOf(t));
}

/** spinInfo(t) given factsOf(t). */
export function spinInfoFrom(_t: Task, f: TaskFacts): SpinInfo | null {
  return f.spin;
}


// a kernel data pointer: 64-bit (ffff...), or 32-bit arm lowmem/vmalloc with the 3G/1G split (c0000000 up)
const KERNEL_PTR_RE = /^(?:ffff[0-9a-f]{12}|[c-f][0-9a-f]{7})$/;
// MIPS kernel addresses start at 0x80000000 (kseg0)
const MIPS_KERNEL_PTR_RE = /^[89a-f][0-9a-f]{7}$/;

/**
 * The first-argument register of an exception frame, the lock of a spin slow path: RDI on x86_64, x0
 * on arm64, r0 on 32-bit arm, a0 ($4) on MIPS. `lock` is its value (lower-case) when it is a kernel
 * pointer of that architecture, else null.
 */
export function firstArg(exc: ExceptionFrame): { reg: 'RDI' | 'x0' | 'r0' | 'a0'; lock: string | null } | null {
  const r = exc.registers;
  const [reg, raw] = r.RDI !== undefined ? ['RDI', r.RDI] as const : r.X0 !== undefined ? ['x0', r.X0] as const
    : r.R0 !== undefined ? ['r0', r.R0] as const : r.A0 !== undefined ? ['a0', r.A0] as const : [null, undefined];
  if (reg === null || raw === undefined) return null;
  const v = raw.toLowerCase();
  return { reg, lock: KERNEL_PTR_RE.test(v) || (reg === 'a0' && MIPS_KERNEL_PTR_RE.test(v)) ? v : null };
}

/**
 * The first spin frame among the exception RIP and the innermost four kept frames of a segment
 * (old all-"?" NMI stacks end with the interrupted function: then the first two and the last two of
 * the frames that are not "+0x0" function pointers). Plain loops: it runs on every segment.
 */
function spinTop(seg: StackSegment): string | null {
  const exc = seg.exception;
  if (exc?.fn && isSpinFrame(exc.fn)) return exc.fn;
  const frames = seg.frames;
  let reliable = false;
  for (const f of frames) {
    if (!f.unreliable) {
      reliable = true;
      break;
    }
  }
  if (reliable) {
    let n = 0;
    for (let i = 0; i < frames.length && n < 4; i++) {
      const f = frames[i]!;
      if (f.unreliable) continue;
      n++;
      if (f.fn && isSpinFrame(f.fn)) return f.fn;
    }
    return null;
  }
  const pool: number[] = [];
  for (let i = 0; i < frames.length; i++) if (frames[i]!.offset !== 0) pool.push(i);
  const picks = pool.length <= 4 ? pool : [pool[0]!, pool[1]!, pool[pool.length - 2]!, pool[pool.length - 1]!];
  for (const i of picks) {
    const fn = frames[i]!.fn;
    if (fn && isSpinFrame(fn)) return fn;
  }
  return null;
}

/** Caller frames outside mechanics, spin and entry code: where a CPU is stuck and what to blame. */
export function blameFrames(frames: readonly string[], n = 3): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const b = baseName(f);
    if (isMechanics(b) || isSpinFrame(b) || out.includes(b)) continue;
    out.push(b);
    if (out.length >= n) break;
  }
  return out;
}

// Lock acquisitions by name: an rwsem taken for reading (kernel/locking/rwsem.c down_read*, the
// mmap_lock and percpu-rwsem wrappers) and the exclusive ones (down_write*, mutexes, spinlocks).
const READ_ACQUIRE_RE = /^(?:down_read(?:_killable|_interruptible|_nested|_non_owner|_trylock)?|__down_read\w{0,24}|rwsem_down_read\w{0,24}|mmap_read_lock\w{0,16}|percpu_down_read\w{0,16}|__percpu_down_read\w{0,16})$/;
const EXCLUSIVE_ACQUIRE_RE = /^(?:down_write\w{0,24}|__down_write\w{0,24}|rwsem_down_write\w{0,24}|mmap_write_lock\w{0,16}|percpu_down_write|mutex_lock\w{0,24}|__mutex_lock\w{0,24}|_raw_spin_lock\w{0,16}|rt_mutex_lock\w{0,16}|down|down_interruptible|down_killable|down_timeout)$/;

/**
 * Whether the innermost lock acquisition on the task's stack (below lockdep's own frames) takes an
 * rwsem for reading: a second read hold of an rwsem the task already holds for reading does not block
 * by itself (only a writer queued in between makes it wait), unlike a mutex taken twice.
 */
export function acquiresForRead(t: Task | null | undefined): boolean {
  if (!t) return false;
  for (const f of taskFrames(t)) {
    const b = baseName(f);
    if (READ_ACQUIRE_RE.test(b)) return true;
    if (EXCLUSIVE_ACQUIRE_RE.test(b)) return false;
  }
  return false;
}

/**
 * The tasks the paste shows blocked: the tasks of hung-task reports, and every task with a stack in
 * D state (sysrq-w, crash `ps`/`foreach UN`, ps listings). Input order, each once.
 */
export function blockedTasks(model: TraceModel): Task[] {
  const out = new Set<Task>();
  for (const r of model.reports) {
    if (r.kind !== 'hung_task') continue;
    const t = reportTask(model, r);
    if (t) out.add(t);
  }
  for (const t of model.tasks) if (t.state === 'D' && t.stack.length > 0) out.add(t);
  return [...out];
}
