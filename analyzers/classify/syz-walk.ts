// syzkaller's way of reading one report (google/syzkaller pkg/report: extractDescription,
// extractStackFrameImpl), re-expressed: the report's lines (same printk caller context, up to the
// next report), then "parts" matched in order (a header regex, "Call Trace:", a RIP line, or 'stack'
// = frames until the next stack) collecting frame names that the skip list lets through.
// Bounded: at most WINDOW lines after the header are read; every regex is anchored or bounded.

import { matchDetector } from '../parse/console/detector-header.ts';
import { isForeignLine } from '../parse/console/foreign-line.ts';
import { skipMatcher, stripPrefixes } from './syz-frames.ts';

export interface TextLine { text: string; ctx?: string }

export const WINDOW = 3000;
// frame as syzkaller reads it: optional PCs, then NAME followed by '.' or '+' ("fn.isra.0+0x" → "fn")
export const FRAME_RE = /^ {0,64}(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] ){0,2}([A-Za-z0-9_]{1,256})[.+]/;
export const RIP_RE = /(?:IP|NIP|pc |PC is at):? (?:(?:\d{1,5}:)?(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}){0,2}([A-Za-z0-9_]{1,256})[.+]|(?:\d{1,5}:)?0x[0-9a-f]{1,16}|(?:\d{1,5}:)?\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}\[< *\(null\)>\] {1,8}\(null\)|\d{1,5}: {1,8}\(null\))/;
// 32-bit ARM unwinder: "[<80117f44>] (fn) from [<80de347c>] (caller+0xe4/0x138)": this frame, then its caller
export const ARM_FRAME_RE = /^ {0,8}\[<?(?:0x)?[0-9a-f]{1,16}>?\] \(([A-Za-z0-9_.]{1,256})\) from \[<?(?:0x)?[0-9a-f]{1,16}>?\] \(([A-Za-z0-9_]{1,256})[.+]/;
export const SHOULD_FAIL_RE = /^ {0,4}(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,4})?should_fail(?:slab)?(?:\.[a-z0-9.]{1,40})?\+0x/;
export const STACK_START_RE = /Call [Tt]race|Allocated:|Allocated by task \d|Freed:|Freed by task \d|[^k] backtrace(?: \(crc [0-9a-f]{0,16}\))?:|Backtrace:|Uninit was stored to memory at/;

export interface SyzTitle { title: string; frame: string | null }

// Headers that do not start a new report inside another one (linux.go reportStartIgnores): a
// double fault while handling a fault, arm's die() banner "Internal error:" printed right after
// "Unable to handle kernel ..."/"Unhandled fault:", x86's "invalid opcode: 0000" after "kernel BUG at".
const CONTINUES_REPORT = /invalid opcode: 0000|PANIC: double fault|Internal error:|unregister_netdevice: waiting for/;
const INFO_WITH_STACK = /vmalloc: allocation failure:|FAULT_INJECTION: forcing a failure|FAULT_FLAG_ALLOW_RETRY missing/;

/** The lines syzkaller would consider part of the report that starts at lines[start]. */
export function reportText(lines: readonly TextLine[], start: number): string[] {
  const head = lines[start]!;
  // a prefix the normaliser did not strip ("syzkaller login: [ 417.7][ C1] rcu: ...") still names the context
  const ctx = head.ctx ?? /\]\[ {0,8}([TC]\d{1,10})\]/.exec(head.text.slice(0, 200))?.[1] ?? '';
  const callerCtx = /^[TC]/.test(ctx);
  const out: string[] = [head.text];
  let cpuTraceback = false;
  // KMSAN reports have no "Call Trace:" and fewer lines before the panic_on_kmsan panic
  // (linux.go reportMinLines: 16 for "BUG: KMSAN:", 22 otherwise)
  const minLines = head.text.includes('BUG: KMSAN:') ? 16 : 22;
  for (let j = start + 1; j < lines.length && j < start + WINDOW; j++) {
    const l = lines[j]!;
    const lctx = l.ctx ?? '';
    if (callerCtx ? lctx !== ctx && !(cpuTraceback && lctx[0] === 'C') : lctx !== ctx) continue;
    const t = l.text;
    if (isForeignLine(t)) break; // a crash or /proc paste after the report is not part of it
    // console-only logs end the report at the next one; with a caller context the lines are already
    // one task's or CPU's, so (as syzkaller does) the report runs on
    if (!callerCtx) {
      const hit = matchDetector(t);
      if (hit && hit.kind !== 'panic' && hit.kind !== 'nmi_backtrace' && !CONTINUES_REPORT.test(t)) break;
      // a fault-injection or allocation-failure dump with its own stack interleaves: syzkaller
      // (linux.go infoMessagesWithStack) ends the report text there
      if (INFO_WITH_STACK.test(t)) break;
    }
    if (t.includes('Disabling lock debugging due to kernel taint')) continue;
    if (t.endsWith('(unreliable)')) continue; // powerpc's "?" frames: not part of the report's stack
    if (t.includes('Sending NMI from CPU')) cpuTraceback = true;
    if (out.length > minLines && (t.includes('Kernel panic - not syncing') ||
        t.includes('WARNING: possible circular locking dependency detected'))) break;
    out.push(t.length > 2000 ? t.slice(0, 2000) : t);
  }
  return out;
}

export type Part = RegExp | 'stack';

/** The frame a part regex captured: its first group that took part in the match (alternations). */
const captured = (m: RegExpExecArray): string | undefined => m[1] ?? m[2] ?? m[3];

/** Itanium C++ mangling of a plain function ("_Z8fakeNameiii" → "fakeName"); anything else unchanged. */
export function demangle(fn: string): string {
  const m = /^_Z(\d{1,3})/.exec(fn);
  if (!m) return fn;
  const len = Number(m[1]);
  const name = fn.slice(m[0].length, m[0].length + len);
  return name.length === len && /^[A-Za-z_]\w*$/.test(name) ? name : fn;
}

/** syzkaller's stack walk: match each part in order, collect (non-skipped) frames; 'stack' reads frames. */
export function walk(text: readonly string[], parts: readonly Part[], skip: (f: string) => boolean): string[] | null {
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
            add(captured(m));
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
      // syzkaller checks the fault-injection lines while looking for a header part too
      if (SHOULD_FAIL_RE.test(text[j]!)) {
        corrupted = true;
        j++;
        break;
      }
      const m = part.exec(text[j]!);
      if (m) {
        add(captured(m));
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

export function pick(text: readonly string[], parts: readonly Part[], extra: readonly string[],
  extractor: (f: readonly string[]) => string, parts2?: readonly Part[]): string {
  const skip = skipMatcher(extra);
  const w1 = walk(text, parts, skip);
  if (w1 === null) return 'corrupted';
  const f1 = extractor(w1);
  if (f1 || !parts2) return f1 || 'corrupted';
  return extractor(walk(text, parts2, skip) ?? []) || 'corrupted';
}

export const first = (f: readonly string[]): string => f[0] ?? '';
export const CALL_TRACE = /Call [Tt]race:|Backtrace:/;
export const AT_RE = /at: (?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8})?([A-Za-z0-9_]{1,256})[.+]/;

/** The lockdep "at: FUNC" after the line containing `after` (syzkaller's report regexps). */
export function lockdepAt(text: readonly string[], after: string, pcRequired = false): string | null {
  let k = 1;
  for (; k < text.length && !text[k]!.includes(after); k++);
  if (after === '') k = 0;
  // "... is trying to release lock (&dev->cmd_mutex) at:" with the PC and function on the next line
  if (pcRequired && after !== '' && k < text.length && text[k]!.trimEnd().endsWith(' at:')) {
    const m = /^ ?\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}([A-Za-z0-9_]{1,256})[.+]/.exec(text[k + 1] ?? '');
    if (m) return m[1]!;
  }
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

export function headerFrom(text: string, marker: string): string {
  const k = text.indexOf(marker);
  return (k >= 0 ? text.slice(k) : text).trim();
}

/** First line index > from whose text includes `needle`, or -1. */
export function lineWith(text: readonly string[], needle: string, from = 0): number {
  for (let j = from + 1; j < text.length; j++) if (text[j]!.includes(needle)) return j;
  return -1;
}

/** A raw "at: FUNC" on a line after `from` (syzkaller's report regexps: no skipping). */
export function rawAt(text: readonly string[], from: number, pcRequired: boolean): string | null {
  const re = pcRequired ? /at: \[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}([A-Za-z0-9_]{1,256})[.+]/ : AT_RE;
  for (let j = from + 1; j < text.length; j++) {
    const m = re.exec(text[j]!);
    if (m) return m[1]!;
  }
  return null;
}
