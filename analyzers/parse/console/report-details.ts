// Report-specific lines inside a console block: lockdep lock lists and scenario tables, RCU stall
// CPU/task lines, workqueue pool dumps, the atomic-sleep context lines. Each function looks at one
// line and updates the report; returns true when it used the line.

import type { LockdepInfo, NetdevWait, Report } from '../../model/trace-model.ts';
import { parseLockLine } from './lock-line.ts';
import { parseFrameLine } from './frame-line.ts';

export interface DetailState {
  lockMode: 'none' | 'acquire' | 'holding' | 'chain' | 'scenario' | 'heldBy' | 'frames';
  scenarioCol: number;
  scenarioSteps: Array<{ text: string; lead: number }>;
  wq: WorkqueueDump | null;
  /** Inside a "Showing busy workqueues and worker pools:" section. */
  wqDump?: boolean;
  wantPreemptFrame: boolean;
  /** After a "ref_tracker: netdev@... has N/M users at" line: its stack follows. */
  refTracker?: boolean;
}

export function newDetailState(): DetailState {
  return { lockMode: 'none', scenarioCol: -1, scenarioSteps: [], wq: null, wantPreemptFrame: false };
}

export function emptyLockdep(): LockdepInfo {
  return { acquiring: null, acquirer: null, held: [], chain: [], scenario: [], heldBy: [] };
}

const ACQUIRE_RE = /^(.{1,64})\/(\d{1,10}) (?:\[[\w\[\]:]{0,60}\] )?(?:is trying to acquire(?: lock)?|just changed the state of lock|takes|is trying to release lock)/;
const HELD_BY_RE = /^(\d{1,6}|no) locks? held by (.{1,64})\/(\d{1,10})[:.]/;
const CHAIN_RE = /^-> #(\d{1,3}) /;

function lockdepOf(r: Report): LockdepInfo {
  r.lockdep ??= emptyLockdep();
  return r.lockdep;
}

// lockdep.c prints the two-CPU tables in fixed shapes: print_circular_lock_scenario
// (CPU0, CPU1, CPU1, CPU0) and print_irq_lock_scenario (CPU0, CPU1 x3, CPU0 x2). When the paste lost
// the column indentation (chat and normalisation collapse blanks), the shape decides the column.
const SHAPES: Record<number, number[]> = { 4: [0, 1, 1, 0], 6: [0, 1, 1, 1, 0, 0] };

function assignScenario(ld: LockdepInfo, st: DetailState): void {
  const cols = ld.scenario;
  for (const c of cols) c.steps = [];
  const byIndent = st.scenarioCol > 0 && st.scenarioSteps.some((x) => x.lead >= st.scenarioCol - 4);
  const shape = SHAPES[st.scenarioSteps.length];
  st.scenarioSteps.forEach((x, k) => {
    let col = 0;
    if (cols.length > 1) col = byIndent ? (x.lead >= st.scenarioCol - 4 ? 1 : 0) : shape ? shape[k]! : 0;
    cols[Math.min(col, cols.length - 1)]!.steps.push(x.text);
  });
}

/** Lines of lockdep reports; also "N locks held by" lists, which hung-task reports print too. */
export function lockdepLine(r: Report, st: DetailState, raw: string, no: number): boolean {
  const t = raw.trim();
  const isLockdep = r.kind.startsWith('lockdep');
  const hb = HELD_BY_RE.exec(t);
  if (hb) {
    const ld = lockdepOf(r);
    if (ld.heldBy.length >= 4096) return true;
    ld.heldBy.push({ comm: hb[2]!, pid: Number(hb[3]), locks: [], line: no });
    st.lockMode = 'heldBy';
    return true;
  }
  if (st.lockMode === 'heldBy' && /^#\d{1,4}:/.test(t)) {
    const l = parseLockLine(t, no);
    const ld = lockdepOf(r);
    const owner = ld.heldBy.at(-1);
    if (l && owner && owner.locks.length < 64) {
      l.task = `${owner.comm}/${owner.pid}`;
      owner.locks.push(l);
    }
    return true;
  }
  if (!isLockdep) return false;
  const ld = lockdepOf(r);
  // "inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage." (kernel/locking/lockdep.c print_usage_bug):
  // the state the lock class was seen in before, then the one this task's acquisition adds
  const us = /^inconsistent \{([A-Z_-]{1,24})\} -> \{([A-Z_-]{1,24})\} usage/.exec(t);
  if (us) {
    r.details.usage = { before: us[1]!, now: us[2]!, line: no };
    return true;
  }
  const aq = ACQUIRE_RE.exec(t);
  if (aq) {
    ld.acquirer = { comm: aq[1]!, pid: Number(aq[2]) };
    st.lockMode = 'acquire';
    return true;
  }
  if (t.startsWith('but task is already holding lock') || t.startsWith('but this lock took another') ||
      t.startsWith('but this lock was taken by another') || t.startsWith('which would create a new lock dependency')) {
    st.lockMode = 'holding';
    return true;
  }
  if (t.startsWith('the existing dependency chain') || t.startsWith('the dependencies between')) {
    st.lockMode = 'chain';
    return true;
  }
  if (t.startsWith('Possible unsafe locking scenario') || t.startsWith('Possible interrupt unsafe locking scenario')) {
    st.lockMode = 'scenario';
    st.scenarioCol = -1;
    return true;
  }
  if (t.startsWith('other info that might help') || t.startsWith('*** DEADLOCK ***') || t.startsWith('stack backtrace:')) {
    st.lockMode = 'none';
    return true;
  }
  const ch = CHAIN_RE.exec(t);
  if (ch && st.lockMode === 'chain') {
    const lock = parseLockLine(t.slice(ch[0].length), no);
    if (lock && ld.chain.length < 64) ld.chain.push({ index: Number(ch[1]), lock, frames: [] });
    return true;
  }
  switch (st.lockMode) {
    case 'acquire': {
      const l = parseLockLine(t, no);
      if (l) {
        ld.acquiring = l;
        if (ld.acquirer) l.task = `${ld.acquirer.comm}/${ld.acquirer.pid}`;
        st.lockMode = 'none';
        return true;
      }
      return false;
    }
    case 'holding': {
      const l = parseLockLine(t, no);
      if (l) {
        ld.held.push(l);
        st.lockMode = 'none';
        return true;
      }
      return false;
    }
    case 'chain': {
      const entry = ld.chain.at(-1);
      const f = parseFrameLine(t);
      if (entry && f && entry.frames.length < 256) {
        entry.frames.push({ ...f, context: 'process', line: no });
        return true;
      }
      return false;
    }
    case 'scenario': {
      if (t === '') return true;
      const c1 = raw.indexOf('CPU1');
      if (/^CPU0\b/.test(t)) {
        ld.scenario = [{ cpu: 'CPU0', steps: [] }];
        st.scenarioSteps = [];
        if (c1 > 0) {
          st.scenarioCol = c1;
          ld.scenario.push({ cpu: 'CPU1', steps: [] });
        }
        return true;
      }
      if (/^-{4}/.test(t)) return true;
      if (ld.scenario.length === 0) return false;
      if (st.scenarioSteps.length >= 32) {
        st.lockMode = 'none'; // lockdep's tables have at most a handful of rows
        return false;
      }
      st.scenarioSteps.push({ text: t.slice(0, 200), lead: raw.length - raw.trimStart().length });
      assignScenario(ld, st);
      return true;
    }
    default:
      return false;
  }
}

/** RCU stall lines (kernel/rcu/tree_stall.h print_cpu_stall_info, print_other_cpu_stall). */
export function rcuLine(r: Report, raw: string, no: number): boolean {
  const t = raw.replace(/^rcu:\s?/, '').trim();
  const d = r.details as {
    stalledCpus?: number[]; stalledTasks?: number[]; detectedBy?: number; jiffies?: number;
    starved?: { kthread: string; jiffies: number; state: string | null; cpu: number | null; line: number };
    lines?: number[];
  };
  const push = (k: 'stalledCpus' | 'stalledTasks', v: number): void => {
    const arr = (d[k] ??= []);
    if (arr.length < 512 && !arr.includes(v)) arr.push(v);
  };
  let used = false;
  const cpu = /^(\d{1,5})-?[^\s:]{0,12}: \(/.exec(t);
  if (cpu) {
    push('stalledCpus', Number(cpu[1]));
    // v5.x+ marks a CPU line whose CPU was idle the whole time (print_cpu_stall_info): not a holder
    if (t.includes('(false positive?)')) ((d as { falsePositive?: number[] }).falsePositive ??= []).push(Number(cpu[1]));
    used = true;
  }
  // "rcu: Possible timer handling issue on cpu=9 timer-softirq=..." / "kthread timer wakeup didn't happen"
  if (t.includes("timer wakeup didn't happen") || t.startsWith('Possible timer handling issue')) {
    (d as { timerIssue?: number }).timerIssue = no;
    used = true;
  }
  // "{ 3 5 }" (CPU stalls), "{ 5-.... 7-O... P1234 }" (expedited stalls, kernel/rcu/tree_exp.h: each CPU
  // with four state flags, each blocking task as P<pid>, read below)
  const braces = /\{ ?([^{}]{1,400}?) ?\}/.exec(t);
  if (braces && (t.includes('stall') || t.startsWith('{'))) {
    for (const n of braces[1]!.split(/ +/)) {
      const c = /^(\d{1,5})(?:-[.ONDo]{1,4})?$/.exec(n);
      if (c) push('stalledCpus', Number(c[1]));
      else if (/^P\d{1,10}$/.test(n)) push('stalledTasks', Number(n.slice(1)));
    }
    used = true;
  }
  if (t.includes('Tasks blocked on') || /^P\d{1,10}/.test(t)) {
    const re = /\bP(\d{1,10})\b/g;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = re.exec(t)) && n++ < 256) push('stalledTasks', Number(m[1]));
    used = true;
  }
  const by = /\(detected by (\d{1,5}), t=(\d{1,12}) jiffies/.exec(t) ?? /\(t=(\d{1,12}) jiffies/.exec(t);
  if (by) {
    if (by.length === 3) {
      d.detectedBy = Number(by[1]);
      d.jiffies = Number(by[2]);
    } else d.jiffies = Number(by[1]);
    // the grace period's number ("g=311205", "g311205" before v4.19 printed it as "g=6120945 c=6120944"):
    // the stall is reported again every few periods while that same grace period lasts
    const g = /jiffies,? g=(-?\d{1,20})/.exec(t);
    if (g) (d as { gp?: string }).gp = g[1]!;
    used = true;
  }
  const sv = /^(\w{1,20}) kthread starved for (\d{1,12}) jiffies!(?:.*?(RCU_GP_\w{1,30}))?(?:.*?->cpu=(\d{1,5}))?/.exec(t.slice(0, 300));
  if (sv) {
    d.starved = { kthread: sv[1]!, jiffies: Number(sv[2]), state: sv[3] ?? null, cpu: sv[4] ? Number(sv[4]) : null, line: no };
    used = true;
  }
  if (used && (d.lines ??= []).length < 512) d.lines.push(no);
  return used;
}

/** Workqueue watchdog dump (kernel/workqueue.c show_all_workqueues / show_pwq). */
/**
 * One workqueue of show_workqueue_state (kernel/workqueue.c, "Showing busy workqueues and worker
 * pools:" from the workqueue watchdog or sysrq-t): work in flight with its worker's pid, work pending,
 * and work "inactive" ("delayed" before v5.15): queued but held back because the pool workqueue
 * already runs max_active items. maxActive is the N of the last "active=M/N" seen: 1 for an ordered
 * workqueue, which runs one item at a time.
 */
export interface WorkqueueDump {
  name: string;
  /** pool: the worker pool of the "pwq N:" line above the entry (the pool id), when printed */
  inFlight: Array<{ pid: number; fn: string; pool?: number }>;
  pending: string[];
  inactive: string[];
  maxActive: number | null;
  line: number;
  /** the pool of the last "pwq N:" line read (the entries that follow run in it) */
  pool?: number;
}

export function workqueueLine(r: Report, st: DetailState, raw: string, no: number): boolean {
  const t = raw.trim();
  const d = r.details as {
    workqueues?: WorkqueueDump[];
    pools?: Array<{ id: number; cpus: string; hungSeconds: number | null; idle: number[]; manager?: number; line: number }>;
  };
  const wq = /^workqueue ([\w/:.\-]{1,64}): flags=/.exec(t);
  if (wq && (d.workqueues?.length ?? 0) < 512) {
    st.wq = { name: wq[1]!, inFlight: [], pending: [], inactive: [], maxActive: null, line: no };
    (d.workqueues ??= []).push(st.wq);
    return true;
  }
  if (/^pwq \d{1,6}: cpus=/.test(t)) {
    const act = / active=\d{1,6}\/(\d{1,6})/.exec(t);
    if (st.wq && act) st.wq.maxActive = Number(act[1]);
    if (st.wq) st.wq.pool = Number(/^pwq (\d{1,6})/.exec(t)![1]);
    return true;
  }
  if (st.wq && t.startsWith('in-flight:')) {
    const re = /(\d{1,10}):([\w.]{1,128})/g;
    let m: RegExpExecArray | null;
    let n = 0;
    while ((m = re.exec(t)) && n++ < 256) st.wq.inFlight.push(st.wq.pool !== undefined ? { pid: Number(m[1]), fn: m[2]!, pool: st.wq.pool } : { pid: Number(m[1]), fn: m[2]! });
    return true;
  }
  if (st.wq && (t.startsWith('pending:') || t.startsWith('inactive:') || t.startsWith('delayed:'))) {
    for (const fn of t.slice(t.indexOf(':') + 1).split(',').slice(0, 256)) {
      // "fxcam_frame_done_work [fxcam]", "BAR(4312)" (a flush barrier), "2*vmstat_update"
      const name = fn.trim().replace(/ BAR\(\d+\)$/, '').replace(/ \[\S{1,64}\]$/, '').replace(/^\d{1,6}\*/, '');
      if (!name) continue;
      if (t.startsWith('pending:')) st.wq.pending.push(name);
      else st.wq.inactive.push(name);
    }
    return true;
  }
  const pool = /^pool (\d{1,6}): cpus=(\S{1,64})(?: .*?hung=(\d{1,10})s)?.*?(?:idle: ([\d ]{1,400}))?$/.exec(t.slice(0, 600));
  if (pool && (d.pools?.length ?? 0) < 512) {
    const manager = / manager: (\d{1,10})/.exec(t);
    (d.pools ??= []).push({
      id: Number(pool[1]),
      cpus: pool[2]!,
      hungSeconds: pool[3] ? Number(pool[3]) : null,
      idle: pool[4] ? pool[4].trim().split(/ +/).map(Number) : [],
      ...(manager ? { manager: Number(manager[1]) } : {}),
      line: no,
    });
    return true;
  }
  return false;
}

/** "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0" and "Preemption disabled at:". */
export function atomicLine(r: Report, st: DetailState, raw: string, no: number): boolean {
  const t = raw.trim();
  const d = r.details as Record<string, unknown>;
  const m = /^in_atomic\(\): (\d{1,4}), irqs_disabled\(\): (\d{1,4}),.*?pid: (\d{1,10}), name: (.{1,64})$/.exec(t.slice(0, 300));
  if (m) {
    d.inAtomic = Number(m[1]);
    d.irqsDisabled = Number(m[2]);
    r.pid ??= Number(m[3]);
    r.comm ??= m[4]!;
    return true;
  }
  const pc = /^preempt_count: ([0-9a-f]{1,8}), expected: ([0-9a-f]{1,8})/.exec(t);
  if (pc) {
    d.preemptCount = pc[1];
    return true;
  }
  if (t.startsWith('Preemption disabled at:')) {
    st.wantPreemptFrame = true;
    const f = parseFrameLine(t.slice(23));
    if (f) {
      d.preemptionDisabledAt = f.fn;
      st.wantPreemptFrame = false;
    }
    return true;
  }
  if (st.wantPreemptFrame) {
    st.wantPreemptFrame = false;
    const f = parseFrameLine(t);
    if (f) {
      d.preemptionDisabledAt = f.fn;
      (d as { preemptionDisabledLine?: number }).preemptionDisabledLine = no;
      return true;
    }
  }
  return false;
}

/**
 * CONFIG_DEBUG_SPINLOCK's spin_dump (kernel/locking/spinlock_debug.c), the line after "BUG: spinlock
 * lockup suspected / recursion / wrong owner ... on CPU#N, comm/pid":
 *   " lock: 0xffff880428e3c0a8, .magic: dead4ead, .owner: kworker/0:1H/412, .owner_cpu: 0"
 * The lock is %pS: a heap lock prints as an address (0x... since v4.15, bare hex before), a static one
 * as its symbol ("logbuf_lock+0x0/0x20"). No owner prints "<none>/-1" and owner_cpu -1.
 */
export function spinDumpLine(r: Report, text: string, no: number): boolean {
  const k = text.indexOf('lock: ');
  if (k < 0 || !text.includes('.owner:')) return false;
  const m = /^lock: (\S.{0,159}?), \.magic: ([0-9a-fA-F]{1,8}), \.owner: (.{1,64}?)\/(-?\d{1,10}), \.owner_cpu: (-?\d{1,5})/.exec(text.slice(k));
  if (!m) return false;
  const raw = m[1]!;
  const hexed = /^(?:0x)?([0-9a-f]{8,16})$/.exec(raw);
  const owner = m[3] === '<none>' || Number(m[4]) < 0 ? null : { comm: m[3]!, pid: Number(m[4]) };
  r.details.spinDump = {
    lock: hexed ? hexed[1] : null,
    lockName: hexed ? null : raw.replace(/\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}(?: \[\S{1,64}\])?$/, ''),
    magic: m[2]!.toLowerCase(),
    owner,
    ownerCpu: Number(m[5]) >= 0 ? Number(m[5]) : null,
    line: no,
  };
  return true;
}

const NETDEV_WAIT_RE = /unregister_netdevice: waiting for (\S{1,32}) to become free\. Usage count = (-?\d{1,10})/;
// lib/ref_tracker.c: "%s@%pK has %d/%d users at\n%s\n" (the stack, 4-space indented, follows); since
// v6.4 with the "ref_tracker: " prefix. dir->name is "netdev" for a net_device's tracker.
const REF_TRACKER_RE = /^(?:ref_tracker: )?(\w{1,32})@(?:0x)?([0-9a-f]{1,16}|\(?ptrval\)?) has (\d{1,10})\/(\d{1,10}) users at$/;
const MAX_TRACKERS = 16;
const MAX_TRACKER_FRAMES = 32;

/**
 * The header of a 'netdev_unregister' report: its device and usage count into details.netdev. The
 * line has no stack and names no task: its printk caller id ("[T8123]", `ctx`) is the task that
 * unregisters the device and waits for its references.
 */
export function netdevHeader(r: Report, ctx: string | null): void {
  const m = NETDEV_WAIT_RE.exec(r.header);
  const wait: NetdevWait = { device: m?.[1] ?? r.message ?? '?', usage: m ? Number(m[2]) : null, trackers: [] };
  r.details.netdev = wait;
  if (ctx?.startsWith('T')) r.pid = Number(ctx.slice(1));
}

/**
 * The reference tracker's report under an unregister_netdevice line: per distinct stack, how many of
 * the references still held were taken there, then that stack (one frame per line, innermost first).
 */
export function refTrackerLine(r: Report, ds: DetailState, text: string, no: number): boolean {
  const wait = r.details.netdev as NetdevWait | undefined;
  if (!wait) return false;
  const t = REF_TRACKER_RE.exec(text);
  if (t) {
    ds.refTracker = wait.trackers.length < MAX_TRACKERS;
    if (ds.refTracker) {
      const addr = /^[0-9a-f]+$/.test(t[2]!) ? t[2]! : null;
      wait.trackers.push({ dir: t[1]!, address: addr, count: Number(t[3]), total: Number(t[4]), frames: [], line: no });
    }
    return true;
  }
  if (!ds.refTracker) return false;
  if (/^(?:ref_tracker: )?\w{1,32}@\S{1,20} skipped reports about/.test(text)) {
    ds.refTracker = false;
    return true;
  }
  // the tracker prints "%pS" lines only: an "[<address>]" or "? " frame is another task's Call Trace
  // going on after the interleaved unregister line
  const f = text.startsWith('[<') || text.startsWith('? ') ? null : parseFrameLine(text);
  const cur = wait.trackers[wait.trackers.length - 1]!;
  if (!f || !f.fn || cur.frames.length >= MAX_TRACKER_FRAMES) {
    ds.refTracker = false;
    return false;
  }
  cur.frames.push(f.fn);
  return true;
}
