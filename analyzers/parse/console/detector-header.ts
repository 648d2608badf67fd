// Detector headers: the first line of each kernel report (hung task, lockups, RCU stalls, lockdep,
// spinlock debug, workqueue watchdog, atomic-sleep checks, panics, oopses). Texts as printed by
// kernel/hung_task.c, kernel/watchdog*.c, kernel/rcu/tree_stall.h, kernel/locking/lockdep.c,
// kernel/locking/spinlock_debug.c, kernel/workqueue.c, kernel/sched/core.c and the oops paths.
// Matching is by indexOf plus short anchored regexes: bounded work per line.

import type { DetectorKind } from '../../model/trace-model.ts';

export interface DetectorHit {
  kind: DetectorKind;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  seconds: number | null;
  message: string | null;
}

/** Hung-task blocker line (hung_task.c debug_show_blocker, v6.15+), not a report of its own. */
export interface BlockerHit {
  waiterComm: string;
  waiterPid: number;
  primitive: string;
  ownerComm: string;
  ownerPid: number;
  /** The owner's "<reader>" tag (v6.16+ rw-semaphores): the owner field then only names the last reader. */
  ownerReader: boolean;
}

function hit(kind: DetectorKind, extra: Partial<DetectorHit> = {}): DetectorHit {
  return { kind, cpu: null, pid: null, comm: null, seconds: null, message: null, ...extra };
}

/** "comm:pid" → [comm, pid] (comm may itself contain ':'). */
function commPid(s: string, sep = ':'): [string, number] | null {
  const k = s.lastIndexOf(sep);
  if (k <= 0) return null;
  const pid = Number(s.slice(k + 1));
  if (!Number.isInteger(pid) || pid < 0) return null;
  return [s.slice(0, k), pid];
}

// v6.15+ mutex, v6.16+ semaphore and rw-semaphore (with "<reader>"/"<writer>" role tags); some vendor
// kernels append "(T123)" to the comm:pid.
// kernel/hung_task.c debug_show_blocker (v6.15+): "... is blocked on a mutex likely owned by task Y:2.",
// "... <writer> blocked on an rw-semaphore likely owned by task Y:2 <reader>", and for semaphores, whose
// holder is only the last one recorded, "... blocked on a semaphore likely last held by task Y:2"
const BLOCKER_RE = /task (.{1,64}?):(\d{1,10})(?:\(T\d{1,10}\))?(?: <(reader|writer)>)? (?:is )?blocked on an? (mutex|rw-semaphore|semaphore|rwsem)\b.{0,40}? likely (?:owned|last held) by task (.{1,64}?):(\d{1,10})(?=\(T\d|[.\s]|$)/;

export function matchBlocker(text: string): BlockerHit | null {
  if (!text.includes('likely owned by') && !text.includes('likely last held by')) return null;
  const m = BLOCKER_RE.exec(text.slice(0, 300));
  if (!m) return null;
  const kind = m[4]!;
  const prim = kind === 'mutex' ? 'mutex' : kind === 'semaphore' ? 'semaphore'
    : m[3] === 'reader' ? 'rwsem_read' : m[3] === 'writer' ? 'rwsem_write' : 'rwsem';
  const tail = text.slice(m.index + m[0].length, m.index + m[0].length + 24);
  const ownerReader = /^(?:\(T\d{1,10}\))? <reader>/.test(tail);
  return { waiterComm: m[1]!, waiterPid: Number(m[2]), primitive: prim, ownerComm: m[5]!, ownerPid: Number(m[6]), ownerReader };
}

// Lines that contain an oops marker but are known not to be reports (cf. syzkaller's suppressions).
const NOT_A_REPORT = [
  'INFO: lockdep is turned off',
  'INFO: Stall ended before state dump start',
  'INFO: NMI handler',
  'INFO: recovery required',
  'INFO: no syscalls can create resource',
  'BUG: no syscalls can create resource',
  'WARNING: /etc/ssh/moduli',
  'WARNING: workqueue cpumask',
  'took too long',
  'is not present in /proc/kallsyms',
];

/** A marker counts at the start of the text or after a non-word character (prefixes like "rcu: ", "[ "). */
function markerAt(text: string, marker: string): number {
  const k = text.indexOf(marker);
  if (k < 0) return -1;
  if (k > 0 && /[\w]/.test(text[k - 1]!)) return -1;
  return k;
}

const LOCKDEP_BANNERS: Array<[string, DetectorKind]> = [
  ['possible circular locking dependency detected', 'lockdep_circular'],
  ['possible recursive locking detected', 'lockdep_recursive'],
  ['inconsistent lock state', 'lockdep_irq_inconsistent'],
  ['possible irq lock inversion dependency detected', 'lockdep_irq_inconsistent'],
  ['SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected', 'lockdep_irq_inconsistent'],
  ['HARDIRQ-safe -> HARDIRQ-unsafe lock order detected', 'lockdep_irq_inconsistent'],
  ['held lock freed!', 'lockdep_other'],
  ['bad unlock balance detected!', 'lockdep_other'],
  ['lock held when returning to user space', 'lockdep_other'],
  ['still has locks held!', 'lockdep_other'],
  ['Nested lock was not taken', 'lockdep_other'],
];

const ARM_DIE: Array<[string, RegExp]> = [
  ['Unhandled fault: ', /^Unhandled fault: [ -~]{1,80} \(0x[0-9a-f]{1,4}\) at 0x[0-9a-f]{1,16}/],
  ['Internal error: ', /^Internal error: [ -~]{0,80}: [0-9a-f]{1,8} \[#\d{1,5}\]/],
];

const PREFILTER_RE = /BUG|INFO:|WARNING:|LOCKUP|panic|NMI backtrace|protection fault|Oops|UBSAN:|divide error:|divide_error:|stack segment:|Unable to handle kernel|PANIC: double fault|blocked for more than|Internal error: |Unhandled fault: |unregister_netdevice: waiting/;

/** Recognise a detector header anywhere in a (normalised) line; null if the line is not one. */
export function matchDetector(raw: string): DetectorHit | null {
  const text = raw.length > 600 ? raw.slice(0, 600) : raw;
  // one pass over the line decides whether any header can be in it (most lines are frames)
  if (!PREFILTER_RE.test(text)) return null;
  const hasBug = text.includes('BUG');
  const hasInfo = text.includes('INFO:');
  const hasWarn = text.includes('WARNING:');
  for (const s of NOT_A_REPORT) if (text.includes(s)) return null;
  // "INFO: task X:1 is blocked on a mutex likely owned by task Y:2.": part of the hung-task report
  if (text.includes('likely owned by task') || text.includes('likely last held by task')) return null;

  // --- hung task (kernel/hung_task.c check_hung_task)
  let k = text.indexOf('INFO: task ');
  if (k >= 0 && !text.includes('likely owned by') && !text.includes('likely last held by')) {
    const body = text.slice(k + 11);
    const b = body.search(/ (?:blocked\b|can't die\b)/);
    if (b > 0) {
      const cp = commPid(body.slice(0, b));
      const sec = /for more than (\d{1,10}) seconds/.exec(body);
      const cantDie = body.startsWith(" can't die", b);
      if (sec || cantDie) {
        return hit('hung_task', {
          pid: cp?.[1] ?? null,
          comm: cp?.[0] ?? null,
          seconds: sec ? Number(sec[1]) : null,
          message: cantDie ? "can't die" : null,
        });
      }
    }
  }
  // "INFO: task " + a comm that itself contained a newline: the header continues on the next line
  if (k >= 0 && !text.includes('likely owned by') && !text.includes('likely last held by') && !/ (?:blocked|can't die)\b/.test(text)) return null;
  const cont = /^(.{1,40}):(\d{1,10}) blocked (?:.{0,40} )?for more than (\d{1,10}) seconds\.?$/.exec(text);
  if (cont && !text.includes('INFO:')) {
    return hit('hung_task', { comm: cont[1]!, pid: Number(cont[2]), seconds: Number(cont[3]) });
  }
  // --- soft lockup (kernel/watchdog.c watchdog_timer_fn)
  k = text.indexOf('BUG: soft lockup');
  if (k >= 0 && markerAt(text, 'BUG: soft lockup') >= 0) {
    const m = /CPU#(\d{1,5}) stuck for (\d{1,10})s!(?: \[(.{1,64})\])?/.exec(text.slice(k));
    const cp = m?.[3] ? commPid(m[3]) : null;
    return hit('soft_lockup', {
      cpu: m ? Number(m[1]) : null,
      seconds: m ? Number(m[2]) : null,
      pid: cp?.[1] ?? null,
      comm: cp?.[0] ?? null,
    });
  }
  // --- hard lockup (kernel/watchdog_perf.c / watchdog_buddy.c)
  k = text.indexOf('detected hard LOCKUP on cpu');
  if (k >= 0) {
    const m = /on cpu (\d{1,5})/.exec(text.slice(k));
    return hit('hard_lockup', { cpu: m ? Number(m[1]) : null });
  }
  // powerpc's own watchdog (arch/powerpc/kernel/watchdog.c): the stuck CPU notices itself from the
  // soft-NMI ("watchdog: CPU 19 self-detected hard LOCKUP @ fn+0x60/0x100"), or another CPU reports
  // the stuck ones ("watchdog: CPU 12 detected hard LOCKUP on other CPUs 68", first listed taken);
  // v4.13-v4.15 printed "Watchdog CPU:5 Hard LOCKUP" and "Watchdog CPU:0 detected Hard LOCKUP other CPUS:1-3"
  if (text.includes('LOCKUP') && (text.includes('watchdog: CPU ') || text.includes('Watchdog CPU:'))) {
    const self = /watchdog: CPU (\d{1,5}) self-detected hard LOCKUP/.exec(text) ?? /Watchdog CPU:(\d{1,5}) Hard LOCKUP/.exec(text);
    if (self) return hit('hard_lockup', { cpu: Number(self[1]) });
    const other = /watchdog: CPU \d{1,5} detected hard LOCKUP on other CPUs (\d{1,5})/.exec(text) ?? /Watchdog CPU:\d{1,5} detected Hard LOCKUP other CPUS:? ?(\d{1,5})/.exec(text);
    if (other) return hit('hard_lockup', { cpu: Number(other[1]) });
  }
  // --- RCU CPU stall (kernel/rcu/tree_stall.h)
  k = text.indexOf('INFO: rcu');
  if (k >= 0) {
    const m = /^INFO: rcu_?\w{0,12} (self-)?detected (?:expedited )?stall/.exec(text.slice(k));
    if (m) {
      const cpu = m[1] ? /on CPU(?: ?#?(\d{1,5}))?/.exec(text) : null;
      return hit('rcu_stall', { cpu: cpu?.[1] ? Number(cpu[1]) : null, message: m[1] ? 'self-detected' : null });
    }
  }
  // --- lockdep banners ("WARNING: ..." since v4.15, "[ INFO: ... ]" before)
  if (hasWarn || hasInfo || hasBug) {
    for (const [banner, kind] of LOCKDEP_BANNERS) {
      if (text.includes(banner)) return hit(kind);
    }
  }
  // --- spinlock debug (kernel/locking/spinlock_debug.c spin_bug / spin_dump)
  k = text.indexOf('BUG: spinlock ');
  if (k >= 0) {
    const m = /^BUG: spinlock (recursion|lockup suspected|already unlocked|bad magic|wrong owner|wrong CPU) on CPU#(\d{1,5}), (.{1,64})$/.exec(text.slice(k));
    if (m) {
      const cp = commPid(m[3]!, '/');
      const kind: DetectorKind = m[1] === 'lockup suspected' ? 'spinlock_lockup' : m[1] === 'bad magic' ? 'oops' : 'spinlock_recursion';
      return hit(kind, { cpu: Number(m[2]), pid: cp?.[1] ?? null, comm: cp?.[0] ?? null, message: `spinlock ${m[1]}` });
    }
    const m2 = /^BUG: spinlock (recursion|lockup suspected)/.exec(text.slice(k));
    if (m2) return hit(m2[1] === 'recursion' ? 'spinlock_recursion' : 'spinlock_lockup', { message: `spinlock ${m2[1]}` });
  }
  // --- workqueue watchdog (kernel/workqueue.c wq_watchdog_timer_fn)
  k = text.indexOf('BUG: workqueue lockup');
  if (k >= 0) {
    const m = /pool (.{1,120}?) stuck for (\d{1,10})s/.exec(text.slice(k));
    return hit('workqueue_lockup', { seconds: m ? Number(m[2]) : null, message: m ? `pool ${m[1]}` : null });
  }
  // --- atomic context checks (kernel/sched/core.c __schedule_bug, __might_resched)
  k = text.indexOf('BUG: scheduling while atomic: ');
  if (k >= 0) {
    const rest = text.slice(k + 30);
    const parts = /^(.{1,64})\/(\d{1,10})\/0x([0-9a-f]{1,16})/.exec(rest);
    return hit('scheduling_while_atomic', {
      comm: parts?.[1] ?? null,
      pid: parts ? Number(parts[2]) : null,
      message: parts ? `preempt_count 0x${parts[3]}` : null,
    });
  }
  // process_one_work (kernel/workqueue.c) after a work function returns with a raised preempt count
  // or a lock still held: "BUG: workqueue leaked lock or atomic: kworker/2:1/0x00000001/2207" and
  // "last function: isp_stream_work"; the atomic context it leaks is what "scheduling while atomic"
  // reports next, so it is of that family (not a crash)
  k = text.indexOf('BUG: workqueue leaked lock or atomic: ');
  if (k >= 0) {
    const parts = /^(.{1,64})\/0x([0-9a-f]{1,16})\/(\d{1,10})/.exec(text.slice(k + 38));
    return hit('workqueue_leak', { comm: parts?.[1] ?? null, pid: parts ? Number(parts[3]) : null, message: parts ? `preempt_count 0x${parts[2]}` : null });
  }
  k = text.indexOf('BUG: sleeping function called from invalid context');
  if (k >= 0) {
    const m = / at (\S{1,200})/.exec(text.slice(k));
    return hit('sleeping_in_atomic', { message: m?.[1] ?? null });
  }
  // --- panic (kernel/panic.c)
  k = text.indexOf('Kernel panic - not syncing');
  if (k >= 0) {
    let msg = text.slice(k + 26).replace(/^:\s?/, '').trim();
    // crash's `sys` prints the panic string quoted (PANIC: "Kernel panic - not syncing: ..."): drop the closing quote
    if (k > 0 && text[k - 1] === '"' && msg.endsWith('"')) msg = msg.slice(0, -1).trimEnd();
    return hit('panic', { message: msg });
  }
  // --- NMI backtraces (lib/nmi_backtrace.c): stacks of other CPUs, not a detector by itself
  k = text.indexOf('NMI backtrace for cpu ');
  if (k >= 0) {
    const m = /^NMI backtrace for cpu (\d{1,5})/.exec(text.slice(k));
    if (m) return hit('nmi_backtrace', { cpu: Number(m[1]) });
  }
  // --- net/core/dev.c netdev_wait_allrefs(_any): every 10 s while an unregistered device still has
  // references, "unregister_netdevice: waiting for %s to become free. Usage count = %d" (no stack)
  k = text.indexOf('unregister_netdevice: waiting for ');
  if (k >= 0) {
    const m = /^unregister_netdevice: waiting for (\S{1,32}) to become free\. Usage count = (-?\d{1,10})/.exec(text.slice(k));
    if (m) return hit('netdev_unregister', { message: m[1]!, seconds: null });
  }
  // --- 32/64-bit arm die(): "Internal error: %s: %x [#%d]" (the message may be empty, "Internal
  // error: : 1b [#1]", or an abort class, "synchronous external abort"), and 32-bit arm's
  // do_DataAbort "Unhandled fault: %s (0x%03x) at 0x%08lx" printed just before it. Matched with the
  // whole shape: the words alone occur in any program's output.
  for (const [mk, shape] of ARM_DIE) {
    const at = markerAt(text, mk);
    if (at >= 0 && shape.test(text.slice(at, at + 200))) return hit('oops', { cpu: null, pid: null, message: text.slice(at, at + 200) });
  }
  // --- oopses and every other "BUG:/WARNING:/INFO:" report
  const oopsMarkers = [
    'BUG:', 'WARNING:', 'INFO:', 'general protection fault', 'kernel BUG at', 'Kernel BUG',
    'Internal error: Oops', 'UBSAN:', 'divide error:', 'stack segment:', 'Unable to handle kernel',
    'PANIC: double fault', 'BUG kmalloc-',
    // x86 do_error_trap() names the trap by its handler's name in some releases ("divide_error: 0000 [#1]", v5.9)
    'divide_error:',
  ];
  for (const mk of oopsMarkers) {
    const at = markerAt(text, mk);
    if (at < 0) continue;
    const rest = text.slice(at);
    // "INFO: t" then "** replaying previous printk message **": a truncated header, the full one follows
    if ((mk === 'BUG:' || mk === 'WARNING:' || mk === 'INFO:') && rest.trim().length < mk.length + 4) return null;
    const w = /^WARNING: CPU: (\d{1,5}) PID: (\d{1,10}) at /.exec(rest);
    return hit('oops', {
      cpu: w ? Number(w[1]) : null,
      pid: w ? Number(w[2]) : null,
      message: rest.slice(0, 200),
    });
  }
  return null;
}
