// A fast lane for the bulk of a crash `foreach bt` / `bt -a`: one task's backtrace read straight from
// the pasted text, without a normalised Line object and string per line. A 10k-task foreach bt is
// ~265k lines and ~176k frames; building, normalising and dispatching a Line for each of them was most
// of the parser's time and of its garbage (every Line survives until the parse ends, so every
// scavenge copies it).
//
// The lane is exact or absent: it accepts a block only when every line of it is one of the plain
// shapes below, with nothing normalisation would change but runs of spaces, and the result is the
// Task the crash-bt recognizer would build from the normalised lines (analyzers/parse/crash/
// bt-recognizer.ts holds the rules; this file follows them line for line). Anything else (a decorated
// or mangled line, `bt -t` text symbols, arm64 "PC:" blocks, a blank line inside a backtrace, a
// headerless `#0` after frames, names over the recognizer's length limits) returns null, and the
// block goes through normalisation and the recognizers as before.

import type { ExceptionFrame, Frame, Registers, Task } from '../../model/trace-model.ts';
import { buildSegments, type BtItem } from './bt-segments.ts';
import { BT_HEADER, BT_NOISE, continuesBt, exceptionFrame, frameWithOffset, intern, MARKER, markerKind } from './bt-recognizer.ts';
import { readRegistersRaw } from './text-shapes.ts';

/** Whether [start, cut) is free of everything normalisation rewrites inside a line (see LineScan). */
export interface CleanCheck {
  clean(start: number, cut: number): boolean;
  /** Whether two spaces in a row start in [first, last). */
  doubleSpace(first: number, last: number): boolean;
  /** The line [start, cut) trimmed with runs of spaces made one, or null when normalizeLine must see it. */
  plain(start: number, cut: number): string | null;
}

export interface FastBlock {
  task: Task;
  /** The header line's normalised text (what a recognizer peeking at it must see). */
  header: string;
  /** Input lines the block covers (header included). */
  lineCount: number;
  /** Offset of the first character after the block's last line and its newline. */
  end: number;
}

const MAX_LINE_CHARS = 4096; // normalize.ts MAX_LINE_CHARS: longer lines are cut there, so not ours
const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
const MONTH_INITIALS = new Set([...'JFMASOND'].map((ch) => ch.charCodeAt(0)));

/**
 * The block whose header line is [start, lineEnd) (line number `no`), or null when the lane cannot
 * be sure. `task.state` is left null: it depends on the crash command seen before, which the
 * dispatcher knows when it reaches the block.
 */
export function readFastBlock(text: string, start: number, no: number, scan: CleanCheck): FastBlock | null {
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0) lineEnd = text.length;
  const header = plainText(start, lineEnd, scan);
  if (header === null) return null;
  const h = BT_HEADER.exec(header);
  if (h === null) return null;
  const task: Task = {
    key: `raw:bt:${no}`,
    pid: Number(h[1]),
    comm: h[4],
    task: h[2],
    cpu: h[3] !== '-' ? Number(h[3]) : null,
    state: null,
    stack: [],
    sources: ['crash-bt'],
    lines: [no],
    kthread: false,
  };
  const items: BtItem[] = [];
  // register pairs (name, value, ...) per register block, made into one object at the end (registersOf)
  let regs: { pairs: string[]; lines: number[] } | null = null;
  const blocks: Array<{ exception: ExceptionFrame; pairs: string[] }> = [];
  let sawFrame = false;
  // lowest and highest "#N [sp]" since the last marker, as positions in the text
  let lowStart = -1;
  let lowEnd = -1;
  let highStart = -1;
  let highEnd = -1;
  let n = no;
  let end = lineEnd; // end of the last line of the block
  let pos = lineEnd + 1;
  const len = text.length;
  while (pos <= len && end < len) {
    let e = text.indexOf('\n', pos);
    if (e < 0) e = len;
    const ln = n + 1;
    if (e - pos > MAX_LINE_CHARS || !scan.clean(pos, e)) return null;
    let first = pos;
    while (first < e && text.charCodeAt(first) === 32) first++;
    if (first === e) {
      // a blank line: the block ends here unless what follows (after at most three blanks) continues
      // the backtrace; that case (double-spaced pastes) is left to the recognizer
      const verdict = afterBlank(text, e, scan, sawFrame);
      if (verdict === null) return null;
      break;
    }
    let last = e - 1;
    while (text.charCodeAt(last) === 32) last--;
    const c = text.charCodeAt(first);
    if (c === 35) {
      // '#': a frame; "#0 " after frames starts another (headerless) bt: the recognizer's business
      if (sawFrame && text.charCodeAt(first + 1) === 48 && text.charCodeAt(first + 2) === 32) return null;
      // not a frame as it stands: maybe the first half of a frame line a chat client wrapped, which
      // normalisation joins with the next line (line-passes.ts joinWrapped): the recognizer's business
      const f = readFrame(text, first, last, ln, scan);
      if (f === null) return null;
      items.push(f);
      sawFrame = true;
      regs = null;
      if (lowStart < 0 || hexBeforeAt(text, spStart, spEnd, lowStart, lowEnd)) {
        lowStart = spStart;
        lowEnd = spEnd;
      }
      if (highStart < 0 || hexBeforeAt(text, highStart, highEnd, spStart, spEnd)) {
        highStart = spStart;
        highEnd = spEnd;
      }
    } else if (c === 91) {
      // '[': only "[exception RIP: fn+off]"; text symbols (`bt -t`) and other brackets are not ours
      if (!text.startsWith('[exception RIP: ', first)) return null;
      const close = text.indexOf(']', first + 16);
      if (close < 0 || close > last || close === first + 16 || close - first - 16 > 256) return null;
      if (scan.doubleSpace(first, close)) return null;
      const exception: ExceptionFrame = exceptionFrame(text.slice(first + 16, close), ln);
      items.push({ kind: 'exception', exception });
      const pairs: string[] = [];
      blocks.push({ exception, pairs });
      regs = { pairs, lines: exception.lines };
    } else if (c === 45) {
      // '-': "--- <NMI exception stack> ---"
      if (scan.doubleSpace(first, last)) return null;
      const m = MARKER.exec(text.slice(first, last + 1));
      if (m === null) return null;
      items.push({ kind: 'marker', marker: markerKind(m[1]) });
      regs = null;
      lowStart = highStart = -1; // the task's own stack is the part after the last marker
    } else if (c >= 65 && c <= 90) {
      // a syslog date ("Nov 17 05:56:07 host kernel:"): normalisation strips it
      if (MONTH_INITIALS.has(c) && MONTHS.has(text.slice(first, first + 3))) return null;
      if (c === 80) {
        if (text.startsWith('PID:', first)) {
          const next = plainText(pos, e, scan);
          if (next !== null && BT_HEADER.test(next)) break; // the next task's header
          return null;
        }
        if (text.startsWith('PC:', first)) return null; // arm64 exception block
      }
      if (c === 83 && text.startsWith('START:', first)) return null; // `bt -t`
      // registers after an exception header belong to it; a block with no header (the user-space
      // context of a syscall, seed 004) is read and dropped, as the recognizer does
      const pairs: string[] = regs === null ? [] : regs.pairs;
      if (!readRegistersRaw(text, first, last, pairs)) break; // neither a register line nor noise: the block ends
      if (regs === null) regs = { pairs, lines: [] };
      regs.lines.push(ln);
    } else if ((c >= 48 && c <= 57) || c === 126 || c === 60 || c === 62 || c === 124 || c === 42) {
      return null; // a gutter number, a fence, a quote, a bullet: normalisation rewrites these
    } else {
      let s = text.slice(first, last + 1);
      if (scan.doubleSpace(first, last)) s = s.replace(/ {2,}/g, ' ');
      if (!BT_NOISE.test(s)) break; // "...", "bt: ...", stack words, source lines stay in the block
    }
    n = ln;
    end = e;
    pos = e + 1;
  }
  for (const b of blocks) {
    b.exception.registers = registersOf(b.pairs);
    const rip = b.exception.registers.RIP;
    if (rip) b.exception.address = rip;
  }
  task.stack = buildSegments(items);
  if (lowStart >= 0 && highStart >= 0) task.spRange = { low: text.slice(lowStart, lowEnd), high: text.slice(highStart, highEnd) };
  return { task, header, lineCount: n - no + 1, end: Math.min(end + 1, len + 1) };
}

// crash's x86_64 exception register block, in its order (three per line):
// RIP RSP RFLAGS / RAX RBX RCX / RDX RSI RDI / RBP R8 R9 / R10 R11 R12 / R13 R14 R15 / ORIG_RAX CS SS
const X86_64 = ['RIP', 'RSP', 'RFLAGS', 'RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15', 'ORIG_RAX', 'CS', 'SS'];

/**
 * The Registers object of a block's pairs: the same keys, order and values as storing them one by one
 * (a later value of a name replaces the earlier one, which keeps its place). Stored one by one under
 * computed names, an object past a dozen properties goes to dictionary mode: ~1 KB per x86_64 block
 * (21 registers), 9 MB of a 10k-task foreach bt's model that every scavenge copies. crash's usual
 * x86_64 block is built as one literal instead (21 in-object fields, ~200 bytes).
 */
function registersOf(pairs: readonly string[]): Registers {
  if (pairs.length === 42) {
    let same = true;
    for (let k = 0; k < 21; k++) {
      if (pairs[2 * k] !== X86_64[k]) {
        same = false;
        break;
      }
    }
    if (same) {
      const p = pairs;
      return {
        RIP: p[1]!, RSP: p[3]!, RFLAGS: p[5]!, RAX: p[7]!, RBX: p[9]!, RCX: p[11]!, RDX: p[13]!, RSI: p[15]!, RDI: p[17]!, RBP: p[19]!, R8: p[21]!,
        R9: p[23]!, R10: p[25]!, R11: p[27]!, R12: p[29]!, R13: p[31]!, R14: p[33]!, R15: p[35]!, ORIG_RAX: p[37]!, CS: p[39]!, SS: p[41]!,
      };
    }
  }
  const r: Registers = {};
  for (let k = 0; k + 1 < pairs.length; k += 2) r[pairs[k]!] = pairs[k + 1]!;
  return r;
}

/**
 * After a blank line ending at `e`: true when the block ends (what follows is not more of this
 * backtrace, or is the next task's header), null when the lane cannot tell or the recognizer would
 * carry the block on across the blank lines.
 */
function afterBlank(text: string, e: number, scan: CleanCheck, sawFrame: boolean): true | null {
  let pos = e + 1;
  let blanks = 1;
  const len = text.length;
  while (pos <= len) {
    if (pos === len) return true; // the input ends
    let f = text.indexOf('\n', pos);
    if (f < 0) f = len;
    if (f - pos > MAX_LINE_CHARS || !scan.clean(pos, f)) return null;
    let first = pos;
    while (first < f && text.charCodeAt(first) === 32) first++;
    if (first === f) {
      if (++blanks > 3) return true; // the recognizer looks three blank lines ahead at most
      pos = f + 1;
      continue;
    }
    const u = plainText(pos, f, scan);
    if (u === null) return null;
    if (BT_HEADER.test(u)) return true;
    if (continuesBt(u) && !(u.startsWith('#0 ') && sawFrame)) return null;
    return true;
  }
  return true;
}

/** The normalised text of a plain line (LineScan.plain), or null when it needs normalizeLine. */
function plainText(start: number, end: number, scan: CleanCheck): string | null {
  return end - start > MAX_LINE_CHARS ? null : scan.plain(start, end);
}

// lower-case hex digits by char code (a table load instead of two range tests per character)
const HEX = new Uint8Array(128);
for (const ch of '0123456789abcdef') HEX[ch.charCodeAt(0)] = 1;

function isHex(c: number): boolean {
  return c < 128 && HEX[c] === 1;
}

/**
 * "#5 [ffff92adf5c43e38] native_queued_spin_lock_slowpath at ffffffffbc111190 [bfq]" between first and
 * last (trimmed), runs of spaces standing for one. The Frame, or null when the line is not exactly that.
 */
function readFrame(text: string, first: number, last: number, line: number, scan: CleanCheck): Frame | null {
  let p = first + 1;
  const d0 = p;
  while (p <= last) {
    const c = text.charCodeAt(p);
    if (c < 48 || c > 57) break;
    p++;
  }
  if (p === d0 || p - d0 > 5 || text.charCodeAt(p) !== 32) return null;
  while (text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 91) return null;
  const a0 = ++p;
  while (p <= last && isHex(text.charCodeAt(p))) p++;
  if (p === a0 || p - a0 > 16 || text.charCodeAt(p) !== 93 || text.charCodeAt(p + 1) !== 32) return null;
  spStart = a0;
  spEnd = p;
  p += 2;
  while (text.charCodeAt(p) === 32) p++;
  const n0 = p;
  let plus = -1;
  let hash = 0;
  while (p <= last) {
    const c = text.charCodeAt(p);
    if (c === 32) break;
    if (c === 43) plus = p;
    hash = (Math.imul(hash, 31) + c) & 0x3fffffff;
    p++;
  }
  const n1 = p;
  if (n1 - n0 > 256 || p > last) return null; // "fn" with nothing after it: no " at ADDR"
  while (text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 97 || text.charCodeAt(p + 1) !== 116 || text.charCodeAt(p + 2) !== 32) return null;
  p += 3;
  while (text.charCodeAt(p) === 32) p++;
  const h0 = p;
  while (p <= last && isHex(text.charCodeAt(p))) p++;
  if (p === h0 || p - h0 > 16) return null;
  if (p <= last && text.charCodeAt(p) !== 32) return null; // the address must end at a space or the line end
  const address = text.slice(h0, p);
  let module: string | null = null;
  if (p <= last) {
    while (text.charCodeAt(p) === 32) p++;
    if (text.charCodeAt(p) === 91) {
      const close = text.indexOf(']', p + 1);
      if (close > p + 1 && close <= last && close - p - 1 <= 64) {
        if (scan.doubleSpace(p, close)) return null;
        module = intern(text.slice(p + 1, close));
      }
    }
  }
  if (plus >= 0) return frameWithOffset(text.slice(n0, n1), address, module, line);
  return { fn: internAt(text, n0, n1, hash), offset: null, size: null, address, module, unreliable: false, context: 'process', line };
}

// The stack pointer of the frame readFrame read last, as positions in the text (no string per frame).
let spStart = 0;
let spEnd = 0;

/** text[a0, a1) < text[b0, b1) as hex numbers printed at the same width (shorter is smaller). */
function hexBeforeAt(text: string, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return a1 - a0 < b1 - b0;
  for (let k = 0; k < a1 - a0; k++) {
    const x = text.charCodeAt(a0 + k);
    const y = text.charCodeAt(b0 + k);
    if (x !== y) return x < y;
  }
  return false;
}

// Function names by a hash computed while scanning them: a frame whose name was seen before costs no
// string at all (the name is compared in place), a new name is interned through the recognizer's table.
const BY_HASH = new Map<number, string[]>();

function internAt(text: string, a: number, b: number, hash: number): string {
  const bucket = BY_HASH.get(hash);
  const len = b - a;
  if (bucket !== undefined) {
    for (const s of bucket) if (s.length === len && text.startsWith(s, a)) return s;
  }
  const s = intern(text.slice(a, b));
  if (BY_HASH.size < 65536) {
    if (bucket === undefined) BY_HASH.set(hash, [s]);
    else if (bucket.length < 8) bucket.push(s);
  }
  return s;
}
