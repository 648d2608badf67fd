// The cheap "is this a kernel trace?" gate in front of the analyzer, so ordinary chat never gets a
// reply. Linear: looks at the first `scanBytes` of the text, one bounded, anchored test per line
// (no regex with nested quantifiers on unbounded input). The analyzer makes the real decision.

export interface TraceDetection {
  isTrace: boolean;
  /** Which signals fired ("detector", "crash-header", "frames:3"...), for logs and tests. */
  signals: string[];
}

// Detector headers printed by the kernel's watchdogs and lock checkers (kernel/hung_task.c,
// kernel/watchdog.c, kernel/rcu/tree_stall.h, kernel/locking/lockdep.c, kernel/workqueue.c,
// kernel/sched/core.c, kernel/panic.c). Substrings, matched case-sensitively as printed.
const DETECTORS = [
  'blocked for more than',
  'soft lockup - CPU#',
  'Watchdog detected hard LOCKUP',
  'hard LOCKUP',
  'self-detected stall on CPU',
  'detected stalls on CPUs/tasks',
  'detected stall on CPU',
  'rcu_sched detected stalls',
  'possible circular locking dependency',
  'possible recursive locking detected',
  'inconsistent lock state',
  'BUG: spinlock',
  'workqueue lockup',
  'BUG: workqueue lockup',
  'scheduling while atomic',
  'sleeping function called from invalid context',
  'Kernel panic - not syncing',
  'BUG: unable to handle',
  'general protection fault',
  'NMI backtrace for cpu',
  'kernel BUG at ',
  'Unable to handle kernel',
  'BUG: KASAN:',
  'Oops: 0',
];

// `PID: 4790   TASK: ffff88003570de20  CPU: 1   COMMAND: "kworker/1:2"` (crash bt / foreach bt)
const CRASH_HEADER = /^[\s>|•*-]{0,8}PID:\s{0,8}\d{1,9}\s{1,8}TASK:\s{0,8}(?:0x)?[0-9a-f]{6,16}/;
// ` #3 [ffff8800358f7d30] flush_workqueue at ffffffff8108f3cc` (crash frame)
const CRASH_FRAME = /^[\s>|•*-]{0,8}#\d{1,5}\s{0,4}\[[0-9a-f]{6,16}\]\s{1,4}[A-Za-z_.][\w.]{0,120}\s{1,4}at\s{1,4}[0-9a-f]{6,16}/;
// `[<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0` (old console, /proc/PID/stack)
const OLD_FRAME = /\[<(?:0x)?[0-9a-f]{6,16}>\]\s{0,4}(?:\?\s{0,4})?[A-Za-z_.][\w.]{0,120}\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}/;
// ` flush_workqueue+0x11c/0x3a0 [mod]` (new console frames, possibly `?`-prefixed)
const NEW_FRAME = /^[\s>|•*?-]{0,12}[A-Za-z_.][\w.]{0,120}\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}(?:\s|$)/;

/** Normalises what chat does to a line, cheaply: NBSP → space, HTML entities for `<>`. */
function clean(line: string): string {
  let s = line.length > 400 ? line.slice(0, 400) : line;
  if (s.includes('\u00a0')) s = s.replaceAll('\u00a0', ' ');
  if (s.includes('&')) s = s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  // A line-number gutter ("12 | ", "12: ") in front of a pasted line.
  const g = /^\s{0,4}\d{1,6}\s{0,2}[|:]\s?/.exec(s);
  return g ? s.slice(g[0].length) : s;
}

export function detectTrace(text: string, scanBytes = 64 * 1024): TraceDetection {
  const head = text.length > scanBytes ? text.slice(0, scanBytes) : text;
  const signals = new Set<string>();
  let frames = 0;
  let start = 0;
  while (start <= head.length) {
    let end = head.indexOf('\n', start);
    if (end < 0) end = head.length;
    const line = clean(head.slice(start, end));
    start = end + 1;
    if (line.trim() === '') continue;
    if (line.includes('Call Trace:')) signals.add('call-trace');
    if (CRASH_HEADER.test(line)) signals.add('crash-header');
    if (CRASH_FRAME.test(line) || OLD_FRAME.test(line) || NEW_FRAME.test(line)) frames++;
    if (line.length < 400) {
      for (const d of DETECTORS) {
        if (line.includes(d)) {
          signals.add('detector');
          break;
        }
      }
    }
  }
  if (frames > 0) signals.add(`frames:${frames}`);
  // One frame-looking line in chat ("see foo+0x10/0x20") is not a paste; two or more, or any header, is.
  const isTrace = signals.has('detector') || signals.has('crash-header') || signals.has('call-trace') || frames >= 2;
  return { isTrace, signals: [...signals] };
}
