// Titles in syzkaller's style ("INFO: task hung in FUNC", "possible deadlock in FUNC", ...), computed
// from the text of one report the way syzkaller's pkg/report/linux.go does it: take the report's
// lines (same printk caller context, up to the next report), find the stack part the report kind
// names (Call Trace / RIP / the lockdep "at:" line) and pick the guilty frame with its skip rules.
// Bounded: at most WINDOW lines after the header are read.

import type { DetectorKind } from '../model/trace-model.ts';
import { matchDetector } from '../parse/console/detector-header.ts';
import { hangFrame, skipMatcher, stallFrame, stripPrefixes } from './syz-frames.ts';

interface TextLine { text: string; ctx?: string }

const WINDOW = 3000;
// frame as syzkaller reads it: optional PCs, then NAME followed by '.' or '+' ("fn.isra.0+0x" → "fn")
const FRAME_RE = /^ {0,64}(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] ){0,2}([A-Za-z0-9_]{1,256})[.+]/;
const RIP_RE = /(?:IP|NIP|pc |PC is at):? (?:(?:\d{1,5}:)?(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}){0,2}([A-Za-z0-9_]{1,256})[.+]|(?:\d{1,5}:)?0x[0-9a-f]{1,16}|(?:\d{1,5}:)?\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}\[< *\(null\)>\] {1,8}\(null\)|\d{1,5}: {1,8}\(null\))/;
// 32-bit ARM unwinder: "[<80117f44>] (fn) from [<80de347c>] (caller+0xe4/0x138)": this frame, then its caller
const ARM_FRAME_RE = /^ {0,8}\[<?(?:0x)?[0-9a-f]{1,16}>?\] \(([A-Za-z0-9_.]{1,256})\) from \[<?(?:0x)?[0-9a-f]{1,16}>?\] \(([A-Za-z0-9_]{1,256})[.+]/;
const SHOULD_FAIL_RE = /^ {0,4}(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,4})?should_fail(?:slab)?(?:\.[a-z0-9.]{1,40})?\+0x/;
const STACK_START_RE = /Call [Tt]race|Allocated:|Allocated by task \d|Freed:|Freed by task \d|[^k] backtrace(?: \(crc [0-9a-f]{0,16}\))?:|Backtrace:|Uninit was stored to memory at/;

export interface SyzTitle { title: string; frame: string | null }

/** The lines syzkaller would consider part of the report that starts at lines[start]. */
function reportText(lines: readonly TextLine[], start: number): string[] {
  const head = lines[start]!;
  // a prefix the normaliser did not strip ("syzkaller login: [ 417.7][ C1] rcu: ...") still names the context
  const ctx = head.ctx ?? /\]\[ {0,8}([TC]\d{1,10})\]/.exec(head.text.slice(0, 200))?.[1] ?? '';
  const callerCtx = /^[TC]/.test(ctx);
  const out: string[] = [head.text];
  let cpuTraceback = false;
  for (let j = start + 1; j < lines.length && j < start + WINDOW; j++) {
    const l = lines[j]!;
    const lctx = l.ctx ?? '';
    if (callerCtx ? lctx !== ctx && !(cpuTraceback && lctx[0] === 'C') : lctx !== ctx) continue;
    const t = l.text;
    // console-only logs end the report at the next one; with a caller context the lines are already
    // one task's or CPU's, so (as syzkaller does) the report runs on
    if (!callerCtx) {
      const hit = matchDetector(t);
      if (hit && hit.kind !== 'panic' && hit.kind !== 'nmi_backtrace') break;
    }
    if (t.includes('Disabling lock debugging due to kernel taint')) continue;
    if (t.endsWith('(unreliable)')) continue; // powerpc's "?" frames: not part of the report's stack
    if (t.includes('Sending NMI from CPU')) cpuTraceback = true;
    if (out.length > 22 && (t.includes('Kernel panic - not syncing') ||
        t.includes('WARNING: possible circular locking dependency detected'))) break;
    out.push(t.length > 2000 ? t.slice(0, 2000) : t);
  }
  return out;
}

type Part = RegExp | 'stack';

/** Itanium C++ mangling of a plain function ("_Z8fakeNameiii" → "fakeName"); anything else unchanged. */
export function demangle(fn: string): string {
  const m = /^_Z(\d{1,3})/.exec(fn);
  if (!m) return fn;
  const len = Number(m[1]);
  const name = fn.slice(m[0].length, m[0].length + len);
  return name.length === len && /^[A-Za-z_]\w*$/.test(name) ? name : fn;
}

/** syzkaller's stack walk: match each part in order, collect (non-skipped) frames; 'stack' reads frames. */
function walk(text: readonly string[], parts: readonly Part[], skip: (f: string) => boolean): string[] | null {
  const frames: string[] = [];
  let corrupted = false;
  let p = 0;
  let j = 0;
  const add = (fn: string | undefined): void => {
    if (!fn) return;
    const name = stripPrefixes(demangle(fn));
    if (!skip(name)) frames.push(name);
  };
  while (p < parts.length) {
    const part = parts[p]!;
    if (part === 'stack') {
      for (; j < text.length; j++) {
        const ln = text[j]!;
        // fault-injection stacks interleave with reports: syzkaller marks the report corrupted
        if (SHOULD_FAIL_RE.test(ln)) {
          corrupted = true;
          j++;
          break;
        }
        if (STACK_START_RE.test(ln)) {
          j++;
          break;
        }
        const next = parts[p + 1];
        if (next && next !== 'stack') {
          const m = next.exec(ln);
          if (m) {
            add(m[1]);
            p++;
            j++;
            break;
          }
        }
        const fm = FRAME_RE.exec(ln);
        if (fm) add(fm[1]);
        else {
          const am = ARM_FRAME_RE.exec(ln);
          // both the function and its caller (the top frame is only in LR otherwise)
          if (am) {
            add(am[1]);
            add(am[2]);
          }
        }
      }
      p++;
      continue;
    }
    let found = false;
    for (; j < text.length; j++) {
      const m = part.exec(text[j]!);
      if (m) {
        add(m[1]);
        j++;
        found = true;
        break;
      }
    }
    if (!found) j = text.length;
    p++;
  }
  return corrupted ? null : frames;
}

function pick(text: readonly string[], parts: readonly Part[], extra: readonly string[],
  extractor: (f: readonly string[]) => string, parts2?: readonly Part[]): string {
  const skip = skipMatcher(extra);
  const w1 = walk(text, parts, skip);
  if (w1 === null) return 'corrupted';
  const f1 = extractor(w1);
  if (f1 || !parts2) return f1 || 'corrupted';
  return extractor(walk(text, parts2, skip) ?? []) || 'corrupted';
}

const first = (f: readonly string[]): string => f[0] ?? '';
const CALL_TRACE = /Call [Tt]race:|Backtrace:/;
const AT_RE = /at: (?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8})?([A-Za-z0-9_]{1,256})[.+]/;

/** The lockdep "at: FUNC" after the line containing `after` (syzkaller's report regexps). */
function lockdepAt(text: readonly string[], after: string, pcRequired = false): string | null {
  let k = 1;
  for (; k < text.length && !text[k]!.includes(after); k++);
  if (after === '') k = 0;
  for (let j = k + 1; j < text.length; j++) {
    const ln = text[j]!;
    let at = ln.indexOf('at:');
    while (at >= 0) {
      const rest = ln.slice(at + 3, at + 300);
      const m = (pcRequired ? /^ ?(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8})?([A-Za-z0-9_]{1,256})[.+]/ : /^ (?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8})?([A-Za-z0-9_]{1,256})[.+]/).exec(rest);
      if (m) return m[1]!;
      at = ln.indexOf('at:', at + 3);
    }
  }
  return null;
}

function headerFrom(text: string, marker: string): string {
  const k = text.indexOf(marker);
  return (k >= 0 ? text.slice(k) : text).trim();
}

/** syzkaller-style title for the report whose header is lines[start]; null when the kind has no rule. */
export function syzTitle(lines: readonly TextLine[], start: number, kind: DetectorKind): SyzTitle | null {
  const text = reportText(lines, start);
  const head = text[0]!;
  const done = (prefix: string, frame: string): SyzTitle => ({ title: `${prefix}${frame}`, frame: frame === 'corrupted' ? null : frame });
  switch (kind) {
    case 'hung_task':
      if (head.includes("can't die")) {
        return done("INFO: task can't die in ", pick(text, [CALL_TRACE, 'stack'], ['schedule'], first));
      }
      return done('INFO: task hung in ', pick(text, [CALL_TRACE, 'stack'], [], hangFrame));
    case 'soft_lockup':
      return done('BUG: soft lockup in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], stallFrame));
    case 'hard_lockup':
      return done('BUG: hard lockup in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], stallFrame));
    case 'rcu_stall':
      return done('INFO: rcu detected stall in ', pick(text, [/apic_timer_interrupt/, RIP_RE, 'stack'],
        ['apic_timer_interrupt', 'rcu'], stallFrame, [/apic_timer_interrupt|Exception stack|el1h_64_irq/, 'stack']));
    case 'lockdep_circular':
    case 'lockdep_recursive':
    case 'lockdep_irq_inconsistent':
      return lockdepTitle(text, head);
    case 'lockdep_other': {
      const marker = head.includes('WARNING:') ? 'WARNING:' : 'BUG:';
      const what = head.includes('held lock freed') ? 'held lock freed' : head.includes('bad unlock balance') ? 'bad unlock balance'
        : head.includes('still has locks held') ? 'still has locks held' : null;
      if (!what) return { title: headerFrom(head, marker), frame: null };
      const fn = what === 'bad unlock balance' ? lockdepAt(text, 'is trying to release lock', true) : lockdepAt(text, '', true);
      return fn ? done(`${marker} ${what} in `, fn) : { title: headerFrom(head, marker), frame: null };
    }
    case 'spinlock_recursion':
    case 'spinlock_lockup': {
      const m = /BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/.exec(head);
      return done(`BUG: ${m?.[1] ?? 'spinlock'} ${m?.[2] ?? (kind === 'spinlock_lockup' ? 'lockup suspected' : 'recursion')} in `,
        pick(text, [CALL_TRACE, 'stack'], ['spin_', '_lock', '_unlock'], first));
    }
    case 'workqueue_lockup':
      return { title: 'BUG: workqueue lockup', frame: null };
    case 'sleeping_in_atomic':
      return done('BUG: sleeping function called from invalid context in ', pick(text, [CALL_TRACE, 'stack'], [], first));
    case 'scheduling_while_atomic':
      return done('BUG: scheduling while atomic in ', pick(text, [CALL_TRACE, 'stack'], ['schedule'], first));
    case 'panic': {
      const msg = headerFrom(head, 'Kernel panic - not syncing').slice(26).replace(/^:\s?/, '').trim();
      if (msg.startsWith('hung_task: blocked tasks')) return { title: 'kernel panic: hung_task: blocked tasks', frame: null };
      return { title: `kernel panic: ${msg}`, frame: null };
    }
    case 'oops':
      return oopsTitle(text, head);
    default:
      return null;
  }
}

function oopsTitle(text: readonly string[], head: string): SyzTitle {
  const withFrame = (prefix: string, frame: string): SyzTitle => ({ title: prefix + frame, frame: frame === 'corrupted' ? null : frame });
  if (head.includes('general protection fault')) return withFrame('general protection fault in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  if (/BUG: (?:unable to handle kernel NULL pointer|kernel NULL pointer|Kernel NULL pointer)/.test(head)) {
    return withFrame('BUG: unable to handle kernel NULL pointer dereference in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  }
  if (/BUG: (?:unable to handle kernel paging request|unable to handle page fault for address)/.test(head)) {
    return withFrame('BUG: unable to handle kernel paging request in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  }
  const kasan = /BUG: KASAN: ([a-z-]{1,40}) in ([A-Za-z0-9_]{1,256})/.exec(head);
  if (kasan) {
    const rw = text.slice(0, 20).map((l) => /(Read|Write) of size/.exec(l)?.[1]).find(Boolean);
    const fn = pick(text, [/BUG: KASAN: (?:[a-z-]+) in ([A-Za-z0-9_]+)[.+]/, CALL_TRACE, 'stack'], [], first);
    return withFrame(`KASAN: ${kasan[1]} ${rw ?? ''}${rw ? ' ' : ''}in `, fn);
  }
  const kb = /kernel BUG at (.{1,200})$/.exec(head);
  if (kb) return { title: `kernel BUG at ${kb[1]}`, frame: null };
  if (/WARNING: .* at [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} /.test(head)) {
    const f = pick(text, [RIP_RE, 'stack'], [], first);
    const g = f === 'corrupted' ? pick(text, [CALL_TRACE, 'stack'], [], first) : f;
    return withFrame('WARNING in ', g);
  }
  for (const mk of ['BUG:', 'WARNING:', 'INFO:', 'UBSAN:', 'general protection fault', 'kernel BUG', 'Internal error: Oops', 'divide error:', 'stack segment:', 'Unable to handle kernel', 'PANIC: double fault']) {
    if (head.includes(mk)) return { title: headerFrom(head, mk).slice(0, 200), frame: null };
  }
  return { title: head.trim().slice(0, 200), frame: null };
}

/** First line index > from whose text includes `needle`, or -1. */
function lineWith(text: readonly string[], needle: string, from = 0): number {
  for (let j = from + 1; j < text.length; j++) if (text[j]!.includes(needle)) return j;
  return -1;
}

/** A raw "at: FUNC" on a line after `from` (syzkaller's report regexps: no skipping). */
function rawAt(text: readonly string[], from: number, pcRequired: boolean): string | null {
  const re = pcRequired ? /at: \[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}([A-Za-z0-9_]{1,256})[.+]/ : AT_RE;
  for (let j = from + 1; j < text.length; j++) {
    const m = re.exec(text[j]!);
    if (m) return m[1]!;
  }
  return null;
}

function lockdepTitle(text: readonly string[], head: string): SyzTitle {
  const marker = head.includes('WARNING:') ? 'WARNING:' : head.includes('INFO:') ? 'INFO:' : 'BUG:';
  const fallback: SyzTitle = { title: headerFrom(head, marker), frame: null };
  const old = marker === 'INFO:';
  const named = (prefix: string, fn: string | null): SyzTitle => (fn ? { title: prefix + fn, frame: fn } : fallback);
  if (head.includes('circular locking dependency')) {
    const k = lineWith(text, 'is trying to acquire lock');
    if (k < 0) return fallback;
    if (old) return named('possible deadlock in ', rawAt(text, k, true));
    // the lock being taken, the lock held, then the dependency chain's frames; workqueue
    // helpers take pseudo-locks of work items and never name the culprit
    const fn = pick(text, [AT_RE, AT_RE, 'stack'], ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'], first);
    return { title: `possible deadlock in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  if (head.includes('irq lock inversion')) {
    const k = lineWith(text, 'just changed the state of lock');
    return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, old));
  }
  if (/-safe -> \w{0,12}-unsafe lock order/.test(head)) {
    if (old) {
      const k = lineWith(text, 'is trying to acquire');
      return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, true));
    }
    const fn = pick(text, [/which became .* at:/, 'stack'], [], first);
    return { title: `possible deadlock in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  if (head.includes('recursive locking')) {
    const k = lineWith(text, 'is trying to acquire lock');
    return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, old));
  }
  if (head.includes('inconsistent lock state')) {
    const k = lineWith(text, 'takes');
    if (k < 0 || rawAt(text, k, old) === null) return fallback;
    if (old) return named('inconsistent lock state in ', rawAt(text, k, true));
    const fn = pick(text, [CALL_TRACE, 'stack'], [], first);
    return { title: `inconsistent lock state in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  return fallback;
}
