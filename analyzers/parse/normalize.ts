// Normalisation: undo what chat clients and blogs do to a pasted trace, line by line, keeping each
// line's ORIGINAL 1-based number so a reply can quote evidence. Every step is an anchored, bounded
// regex or a single character scan per line, so the whole pass is linear in the input.
//
// The output text of a line is trimmed and runs of whitespace are collapsed to one space. Lines that
// become empty because of what we stripped (a fence, a lone "-", a gutter number, a "//" comment
// between trace lines) are dropped; lines that were blank in the input stay as "" (block separators).

import type { Task } from '../model/trace-model.ts';
import type { Line } from './recognizer.ts';
import { BARE_NUMBER, dropDoubleSpacing, joinWrapped, mayBeWrappedHalf } from './line-passes.ts';
import { readFastBlock } from './crash/bt-fast.ts';

/** Characters kept per input line; the rest of a longer line is cut (and noted). */
export const MAX_LINE_CHARS = 4096;

/**
 * A normalised line; `ctx` is the printk caller id ("T1234" or "C3") when the line carried one, `ts`
 * the kernel's uptime stamp in seconds ("[  760.247152]") when it had one.
 * `fast` marks a crash backtrace read by the fast lane (crash/bt-fast.ts): the line stands for the
 * whole block, its text is the block's header line, and `fast` indexes NormalizedText.fast.
 */
export type NormalizedLine = Line & { ctx?: string; ts?: number; fast?: number };

export interface NormalizedText {
  lines: NormalizedLine[];
  notes: string[];
  /** Tasks of the backtraces the fast lane read, each standing behind one `fast` line. */
  fast: Task[];
  /** Input lines inside those blocks that have no line of their own (lineCount = lines + hidden). */
  hidden: number;
}

export interface NormalizeOptions {
  /** Read plain crash backtraces through the fast lane (default true). */
  fastBt?: boolean;
}

// Characters that stand for a space in pastes (NBSP and friends) or carry nothing (zero-width).
const ODD_CHARS = /[\x00-\x08\x0b-\x1f\x7f\t\u00a0\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\ufffd]/;
const ENTITY = /&(lt|gt|amp|quot|apos|nbsp|#39|#x27);/g;
const ENTITY_VALUES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', '#39': "'", '#x27': "'" };

// What a trace line starts with; used to decide whether a leading "* ", "- " or "12: " is decoration.
const TRACE_START = /^(?:\[|#\d|PID:|crash>|<|\? |RIP:|R[A-Z0-9]{1,3}:|---|Call Trace|CPU:|INFO:|BUG:|WARNING:|Kernel panic|watchdog:|rcu:|NMI |\S{1,128}\+0x[0-9a-f]{1,16}\/)/;
// crash `ps` row: "> 4790 2 1 ffff88003570de20 UN ..." (the ">" marks an active task; not a quote).
const CRASH_PS_ROW = /^\s*\d{1,10}\s+\d{1,10}\s+(?:\d{1,5}|-)\s+[0-9a-f]{8,16}\s/;

const UPTIME_PREFIX = /^\[\s{0,12}\d{1,10}\.\d{1,9}\]/; // [  760.247152]
const TIMESTAMP_PREFIXES: RegExp[] = [
  UPTIME_PREFIX,
  /^\[\s{0,8}[TC]\d{1,10}\]/, // [T1234] [C3]
  /^<\d>/, // printk level
  /^[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d{1,9})? \S{1,64} kernel: ?/, // Nov 17 05:56:07 host kernel: (journalctl -o short-precise: 05:56:07.774410)
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? \S{1,64} kernel: ?/, // ISO syslog
  /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d \d{4}\]/, // dmesg -T
];

export function normalize(input: string, opts: NormalizeOptions = {}): NormalizedText {
  const notes: string[] = [];
  let text = typeof input === 'string' ? input : String(input ?? '');
  if (text.indexOf('\n') < 0 && text.indexOf('\r') >= 0) text = text.replace(/\r/g, '\n'); // old Mac CR-only
  const mangled = looksMangled(text);
  const stats = { truncated: 0, controls: 0 };
  const out: NormalizedLine[] = [];
  const caller: { ctx?: string; ts?: number } = {};
  const scan = new LineScan(text, mangled);
  const cont = new Continuation();
  const halves: number[] = []; // indexes in `out` of the lines joinWrapped must look at
  const fastScan = opts.fastBt !== false && !mangled ? scan : null;
  const fast: Task[] = [];
  let hidden = 0;
  let start = 0;
  let no = 0;
  while (start <= text.length) {
    if (fastScan !== null && startsPid(text, start) && cont.idle() && mayStartBlock(out)) {
      const block = readFastBlock(text, start, no + 1, fastScan);
      if (block !== null) {
        out.push({ no: no + 1, text: block.header, fast: fast.length });
        fast.push(block.task);
        hidden += block.lineCount - 1;
        no += block.lineCount;
        if (block.end > text.length) break;
        start = block.end;
        continue;
      }
    }
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    no++;
    const cut = Math.min(end, start + MAX_LINE_CHARS);
    if (end - start > MAX_LINE_CHARS) stats.truncated++;
    // journalctl -o json: the record's MESSAGE is the line (its own newlines make lines of their own)
    if (text.charCodeAt(start) === 123 && text.startsWith('{"', start)) {
      const msg = journalMessage(text.slice(start, cut));
      if (msg !== null) {
        for (const part of msg.split('\n')) {
          caller.ctx = undefined;
          caller.ts = undefined;
          const res = normalizeLine(part, mangled, true, stats, caller);
          if (res !== null && res !== '') out.push({ no, text: res });
        }
        if (end === text.length) break;
        start = end + 1;
        continue;
      }
    }
    const plain = scan.plain(start, cut);
    if (plain !== null) {
      const ctx = cont.next(plain, undefined, indented(text, start, cut));
      if (mayBeWrappedHalf(plain)) halves.push(out.length);
      out.push(ctx ? { no, text: plain, ctx } : { no, text: plain });
    } else {
      caller.ctx = undefined;
      caller.ts = undefined;
      const res = normalizeLine(text.slice(start, cut), mangled, true, stats, caller);
      const ctx = cont.next(res, caller.ctx, indented(text, start, cut));
      if (res !== null) {
        // rsyslog's "#012" is a newline inside one message (powerpc's "--- interrupt: ... \n LR = ..."):
        // its parts are lines of their own, with the same line number
        const parts = res.indexOf('#012') >= 0 ? res.split('#012').map((x) => x.trim()).filter((x) => x !== '') : [res];
        for (const part of parts) {
          if (mayBeWrappedHalf(part)) halves.push(out.length);
          const line: NormalizedLine = ctx ? { no, text: part, ctx } : { no, text: part };
          if (caller.ts !== undefined) line.ts = caller.ts;
          out.push(line);
        }
      }
    }
    if (end === text.length) break;
    start = end + 1;
  }
  if (stats.truncated > 0) notes.push(`${stats.truncated} line(s) longer than ${MAX_LINE_CHARS} characters were cut to ${MAX_LINE_CHARS}`);
  if (stats.controls > 0) {
    const ratio = stats.controls / Math.max(1, Math.min(text.length, no * MAX_LINE_CHARS));
    notes.push(ratio > 0.05 ? `input looks binary (${stats.controls} control bytes removed); parsed as text` : `${stats.controls} control byte(s) removed`);
  }
  const spaced = dropDoubleSpacing(out, hidden);
  // a double-spaced paste moves the blank lines the fast lane's blocks ended at: read it again without
  if (spaced !== out && fast.length > 0) return normalize(input, { ...opts, fastBt: false });
  if (spaced !== out) notes.push('double-spaced paste: the blank line after every line was ignored');
  // dropping the double spacing moves the lines: then joinWrapped looks at every line
  return { lines: spaced === out ? joinWrapped(out, halves) : joinWrapped(spaced), notes, fast, hidden };
}

/** "PID:" after optional spaces at `start`: the only line a fast-lane block can start at. */
function startsPid(text: string, start: number): boolean {
  let k = start;
  while (text.charCodeAt(k) === 32) k++;
  return text.charCodeAt(k) === 80 && text.charCodeAt(k + 1) === 73 && text.charCodeAt(k + 2) === 68 && text.charCodeAt(k + 3) === 58;
}

/**
 * A block read by the fast lane must be one the dispatcher reaches fresh at its header: after a blank
 * line, a crash prompt (its recognizer takes that one line), another fast block, or at the start.
 * Anywhere else an earlier block may run on into it; parse() also checks that no recognizer did.
 */
function mayStartBlock(out: readonly NormalizedLine[]): boolean {
  if (out.length === 0) return true;
  const prev = out[out.length - 1];
  return prev.text === '' || prev.fast !== undefined || prev.text.startsWith('crash> ');
}

/**
 * With CONFIG_PRINTK_CALLER every record carries "[T1234]" or "[C3]", but a record of several lines
 * (lockdep's "\nbut task is already holding lock:\n", "-> #2 (...):") has the prefix on its first line
 * only: dmesg indents the following lines by the prefix's width (23 columns for "[ 2231.600412][T20311] "),
 * other tools by 15 or by nothing at all, and a record that starts with "\n" leaves the prefix alone on
 * its line. Those continuation lines belong to the caller of the line above: without its id the
 * console block, which follows one caller through interleaved output, would skip them.
 *
 * A line without a prefix takes the id of the last caller-id line when it is indented (any width) or
 * when that prefixed line was empty (the record's text starts on the next line, maybe unindented after
 * a chat client trimmed it). Blank lines are passed over; an unindented line ends the record.
 */
class Continuation {
  private ctx: string | undefined = undefined;
  private bare = false; // the last caller-id line carried nothing but its prefix

  /** The caller id for a line whose normalised text is `text` (null: dropped) and own id `own`. */
  /** No caller id is carried over: a line without its own id gets none. */
  idle(): boolean {
    return this.ctx === undefined;
  }

  next(text: string | null, own: string | undefined, indentedLine: boolean): string | undefined {
    if (own !== undefined) {
      this.ctx = own;
      this.bare = text === null || text === '';
      return own;
    }
    if (text === null || text === '' || this.ctx === undefined) return undefined;
    if (indentedLine || this.bare) {
      this.bare = false;
      return this.ctx;
    }
    this.ctx = undefined;
    return undefined;
  }
}

/** Whether the raw line [start, cut) starts with white space, also inside a "> " or "| " chat quote. */
function indented(text: string, start: number, cut: number): boolean {
  if (start >= cut) return false;
  const c = text.charCodeAt(start);
  if (c === 32 || c === 9 || c === 0xa0) return true;
  if ((c === 62 || c === 124) && start + 2 < cut) {
    const d = text.charCodeAt(start + 1);
    const e = text.charCodeAt(start + 2);
    return (d === 32 || d === 9 || d === 0xa0) && (e === 32 || e === 9 || e === 0xa0);
  }
  return false;
}

// Anything but printable ASCII: control characters, tabs, CR, NBSP and the other ODD_CHARS, bullets.
// ("&" and "`" are looked for with indexOf: a smaller class scans faster.)
const NOT_PLAIN = /[^\n -~]/g;

/**
 * Most lines of a large paste (every frame and register line of a `foreach bt`) carry none of the
 * decorations normalizeLine undoes. LineScan keeps, for the whole text, the next position of each
 * thing that needs normalizeLine (found by one native scan each, moving forward only: linear), so a
 * plain line costs a trim by index and one slice. A per-line trim, indexOf calls and replace were a
 * third of the parser's time on a 10k-task foreach bt.
 */
class LineScan {
  // For each thing, its next position at or after `from` ([from, at) holds none): a query anywhere in
  // [from, at] is answered without a scan. The main loop and the fast lane (which looks a few lines
  // ahead) share one LineScan, so the text is scanned once for each thing.
  private oddFrom = 0;
  private oddAt = -1;
  private commentFrom = 0;
  private commentAt = -1;
  private entityFrom = 0;
  private entityAt = -1;
  private backtickFrom = 0;
  private backtickAt = -1;
  private questionFrom = 0;
  private questionAt = -1;
  private doubleFrom = 0;
  private doubleAt = -1;

  constructor(
    private readonly text: string,
    private readonly mangled: boolean,
  ) {}

  /** Whether [start, cut) holds nothing normalizeLine would rewrite inside a line (odd characters, a
   * comment, an entity, a backtick; "?" in a mangled paste). The first character is the caller's. */
  clean(start: number, cut: number): boolean {
    const text = this.text;
    if (start < this.oddFrom || this.oddAt < start) {
      NOT_PLAIN.lastIndex = start;
      const m = NOT_PLAIN.exec(text);
      this.oddAt = m ? m.index : Number.POSITIVE_INFINITY;
      this.oddFrom = start;
    }
    if (this.oddAt < cut) return false;
    if (start < this.commentFrom || this.commentAt < start) {
      this.commentAt = position(text.indexOf('//', start));
      this.commentFrom = start;
    }
    if (this.commentAt < cut) return false;
    if (start < this.entityFrom || this.entityAt < start) {
      this.entityAt = position(text.indexOf('&', start));
      this.entityFrom = start;
    }
    if (this.entityAt < cut) return false;
    if (start < this.backtickFrom || this.backtickAt < start) {
      this.backtickAt = position(text.indexOf('`', start));
      this.backtickFrom = start;
    }
    if (this.backtickAt < cut) return false;
    if (this.mangled) {
      if (start < this.questionFrom || this.questionAt < start) {
        this.questionAt = position(text.indexOf('?', start));
        this.questionFrom = start;
      }
      if (this.questionAt < cut) return false;
    }
    return true;
  }

  /** Whether two spaces in a row start in [first, last). */
  doubleSpace(first: number, last: number): boolean {
    if (first < this.doubleFrom || this.doubleAt < first) {
      this.doubleAt = position(this.text.indexOf('  ', first));
      this.doubleFrom = first;
    }
    return this.doubleAt < last;
  }

  /** The line [start, cut) trimmed with its runs of spaces collapsed, or null when it needs normalizeLine. */
  plain(start: number, cut: number): string | null {
    if (!this.clean(start, cut)) return null;
    const text = this.text;
    let first = start;
    while (first < cut && text.charCodeAt(first) === 32) first++;
    if (first === cut) return '';
    let last = cut - 1;
    while (text.charCodeAt(last) === 32) last--;
    // first characters that may open a fence, quote, bullet, gutter number, timestamp or syslog prefix
    // ("[exception RIP: ...]" and "[<addr>]" cannot be a timestamp: "[" + a lower-case letter or "<")
    const c = text.charCodeAt(first);
    if (c === 91) {
      const d = text.charCodeAt(first + 1);
      if (!((d >= 97 && d <= 122) || d === 60)) return null;
    } else if (c === 126 || c === 60 || (c >= 48 && c <= 57) || DECORATION_START.has(c) || (MONTH_INITIALS.has(c) && MONTHS.has(text.slice(first, first + 3)))) return null;
    const s = text.slice(first, last + 1);
    return this.doubleSpace(first, last) ? s.replace(/ {2,}/g, ' ') : s;
  }
}

function position(k: number): number {
  return k < 0 ? Number.POSITIVE_INFINITY : k;
}

/**
 * Pastes that went through a lossy copy (seed 001) show "?" where spaces were: "[? 760.247152]",
 * "PID: 2635?? TASK:", "?#0 [", "??? [exception RIP:". Decide once per input, because a real console
 * "?" (an unreliable frame) must survive in clean pastes.
 */
function looksMangled(text: string): boolean {
  let hits = 0;
  for (let k = text.indexOf('?'); k >= 0; k = text.indexOf('?', k + 1)) {
    const before = text.charCodeAt(k - 1);
    const after = text.charCodeAt(k + 1);
    // "??", "[? ", "]?", "?#0"
    if (after === 63 || (before === 91 && after === 32) || before === 93 || (after === 35 && text.charCodeAt(k + 2) >= 48 && text.charCodeAt(k + 2) <= 57)) {
      if (++hits >= 3) return true;
    }
  }
  return false;
}

function normalizeLine(raw: string, mangled: boolean, odd: boolean, stats: { controls: number }, caller: { ctx?: string; ts?: number }): string | null {
  let s = raw;
  if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  // terminal logs (`script`, `tmux capture-pane -e`, `dmesg --color=always`): ANSI escape sequences
  // (colors, erase-line, window titles) carry nothing, and a backspace takes back the character before
  if (odd && s.indexOf('\x1b') >= 0) s = s.replace(ANSI_RE, '');
  if (odd && s.indexOf('\b') >= 0) s = applyBackspaces(s);
  // a line-number gutter ended by a tab ("cat -n", code blocks copied with their numbers from Jira,
  // Confluence or GitHub): told apart from a trace's own leading numbers only before tabs become spaces
  if (odd && s.indexOf('\t') > 0) {
    const g = /^ {0,6}\d{1,6}\t(?=.)/.exec(s);
    if (g) s = s.slice(g[0].length);
  }
  if (odd && ODD_CHARS.test(s)) s = cleanChars(s, stats);
  // rsyslog writes control characters as '#' and three octal digits (its default
  // $EscapeControlCharactersOnReceive): the tab that indents RCU stall lines becomes "#011"
  // ("#01117-....: (5250 ticks this GP)" is "\t17-...."); crash never numbers a frame "#011"
  if (s.indexOf('#011') >= 0) s = s.replace(/#011/g, ' ');
  if (s.indexOf('&') >= 0) s = s.replace(ENTITY, (_m, name: string) => ENTITY_VALUES[name] ?? _m);
  s = s.trim();
  if (s === '') return '';
  // Each decoration is looked for only when the first character allows it (fastLine sends here only
  // the lines that may carry one).
  let c = s.charCodeAt(0);
  if ((c === 96 || c === 126) && (s.startsWith('```') || s.startsWith('~~~'))) {
    // "```", "```bash": a fence line; "```PID: 1 TASK: ..." (chat glues the fence to the text): keep the text
    const rest = s.slice(3).trim();
    if (/^[\w+#.-]{0,20}$/.test(rest)) return null;
    s = rest;
    c = s.charCodeAt(0);
  }
  if (s.endsWith('```')) {
    s = s.slice(0, -3).trimEnd();
    if (s === '') return null;
  }
  // an inline code span around the whole line: "`crash> bt -a`"
  if (c === 96 && s.length > 2 && s.endsWith('`') && s.indexOf('`', 1) === s.length - 1) {
    s = s.slice(1, -1).trim();
    c = s.charCodeAt(0);
  }
  if (DECORATION_START.has(c)) s = stripQuotesAndBullets(s);
  if (mangled && s.indexOf('?') >= 0) s = unmangleQuestionMarks(s).trim();
  c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    // A bare number is a line-number gutter printed as its own block (seed 003), unless it is the pid
    // a loop echoed before `cat /proc/$pid/stack`; the second pass decides, knowing the next line.
    if (/^\d{1,6}$/.test(s)) return BARE_NUMBER + s;
    const gutter = /^\d{1,5} ?\| ?/.exec(s) ?? /^\d{1,5}[:.] /.exec(s); // "12 | x", "12: x", "12. x" (numbered list)
    if (gutter && (gutter[0].includes('|') || TRACE_START.test(s.slice(gutter[0].length)))) s = s.slice(gutter[0].length);
  }
  if (s === '-') return null; // a "-" line between every line (seed 004)
  c = s.charCodeAt(0);
  if (c === 91 || c === 60 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90 && MONTH_INITIALS.has(c) && MONTHS.has(s.slice(0, 3)))) s = stripTimestamps(s, caller);
  const comment = s.indexOf('//');
  if (comment === 0) return null; // an author's comment line inside a trace (seed 001)
  if (comment > 0 && /\s/.test(s.charAt(comment - 1))) s = s.slice(0, comment); // "ps row\t//stuck"
  if (s.indexOf('  ') >= 0 || s.indexOf('\t') >= 0) s = s.replace(/\s+/g, ' ');
  s = s.trim();
  return s === '' ? null : s;
}


// CSI sequences ("\x1b[01;32m", "\x1b[K"), OSC titles ("\x1b]0;user@host: ~\x07"), two-character escapes
const ANSI_RE = /\x1b\[[0-9;?]{0,32}[ -\/]{0,4}[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

function applyBackspaces(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 8) out = out.slice(0, -1);
    else out += s[i];
  }
  return out;
}

/**
 * `journalctl -o json` (one JSON object per line, the log line in MESSAGE) and `-o json-pretty`'s
 * "MESSAGE" lines: the message is the line. A MESSAGE journald stored as a byte array (not UTF-8
 * clean) is decoded byte by byte. null when the line is not such a record.
 */
export function journalMessage(line: string): string | null {
  const k = line.indexOf('"MESSAGE"');
  if (k < 0 || line.length > MAX_LINE_CHARS) return null;
  try {
    const v: unknown = JSON.parse(line);
    const m = (v as { MESSAGE?: unknown }).MESSAGE;
    if (typeof m === 'string') return m;
    if (Array.isArray(m) && m.every((x) => typeof x === 'number')) return String.fromCharCode(...(m as number[]).slice(0, MAX_LINE_CHARS));
  } catch {
    return null;
  }
  return null;
}

// •, ◦, ▪, ‣, ●, ·, >, |, *, -
const DECORATION_START = new Set([0x2022, 0x25e6, 0x25aa, 0x2023, 0x25cf, 0xb7, 62, 124, 42, 45]);
const MONTH_INITIALS = new Set([...'JFMASOND'].map((ch) => ch.charCodeAt(0)));
const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

function cleanChars(s: string, stats: { controls: number }): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 9 || c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000) out += ' ';
    else if (c === 0xfffd) out += '?';
    else if (c < 0x20 || c === 0x7f) stats.controls++;
    else if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || c === 0xfeff) continue;
    else out += s[i];
  }
  return out;
}

function stripQuotesAndBullets(input: string): string {
  let s = input;
  for (let k = 0; k < 6; k++) {
    const before = s;
    if (/^[•◦▪‣●·]/.test(s)) s = s.slice(1).trimStart();
    else if (/^> ?/.test(s) && !CRASH_PS_ROW.test(s.slice(1))) s = s.slice(1).trimStart();
    else if (/^\| /.test(s) || s === '|') s = s.slice(1).trimStart();
    else if (/^[*-] /.test(s) && TRACE_START.test(s.slice(2).trimStart())) s = s.slice(2).trimStart();
    if (s === before) break;
  }
  return s;
}

/** "?" that touches a non-space character, or runs of "??", were spaces; a lone " ? " is a console unreliable-frame mark. */
function unmangleQuestionMarks(s: string): string {
  let out = '';
  let i = 0;
  const n = s.length;
  while (i < n) {
    const ch = s[i];
    if (ch !== '?') {
      out += ch;
      i++;
      continue;
    }
    let j = i;
    while (j < n && s[j] === '?') j++;
    const left = i > 0 ? s[i - 1] : ' ';
    const right = j < n ? s[j] : ' ';
    const lone = j - i === 1 && left === ' ' && right === ' ' && out.trim() !== '';
    out += lone ? '?' : ' '.repeat(j - i);
    i = j;
  }
  return out;
}

/**
 * Strips the prefixes; a printk caller id ("[T1234]" task, "[C3]" CPU) is kept in `caller.ctx`, the
 * uptime stamp in `caller.ts` (how long a periodic message has been silent is evidence: netdev-unregister-wait).
 */
function stripTimestamps(input: string, caller: { ctx?: string; ts?: number }): string {
  let s = input;
  for (let k = 0; k < 4; k++) {
    let hit = false;
    for (const re of TIMESTAMP_PREFIXES) {
      const m = re.exec(s);
      if (m) {
        const id = /^\[\s*([TC]\d{1,10})\]$/.exec(m[0]);
        if (id) caller.ctx = id[1];
        else if (re === UPTIME_PREFIX) caller.ts = Number(m[0].slice(1, -1));
        s = s.slice(m[0].length).trimStart();
        hit = true;
        break;
      }
    }
    if (!hit) break;
  }
  return s;
}
