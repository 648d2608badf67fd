// crash `bt`, `bt -a`, `bt PID`, `foreach bt`: one block per task, from the "PID: N TASK: X CPU: N
// COMMAND: "c"" header (or a bare "#0 [sp] fn at addr" when the header was not pasted) to the first
// line that is not part of a backtrace. Elided parts ("...") and crash warnings stay inside the block.

import type { ExceptionFrame, Frame, Registers, Task } from '../../model/trace-model.ts';
import { addFormat, type Line, type Recognizer } from '../recognizer.ts';
import { buildSegments, type BtItem } from './bt-segments.ts';
import { crashSession, stateFromCommand } from './session.ts';
import { frame, hexBefore, isRegisterLine, readRegisters } from './text-shapes.ts';

export const BT_HEADER = /^PID: (\d{1,10}) TASK: ([0-9a-f]{1,16})(?: \(\d+ of \d+\))? CPU: (\d{1,5}|-) ?COMMAND: "([^"]{0,64})"/;
const FRAME = /^#(\d{1,5}) \[([0-9a-f]{1,16})\] (\S{1,256}) at ([0-9a-f]{1,16})(?: \[([^\]\s]{1,64})\])?/;
const EXCEPTION = /^\[exception RIP: ([^\]]{1,256})\]/;
const TEXT_SYMBOL = /^\[([0-9a-f]{6,16})\] (\S{1,256}) at ([0-9a-f]{6,16})(?: \[([^\]\s]{1,64})\])?$/;
// `bt -t` opens with the task's saved instruction: "START: __schedule at ffffffff8168b1e5"
const START = /^START: (\S{1,256}) (?:\(\S{1,64}\) )?at ([0-9a-f]{6,16})$/;
export const MARKER = /^--- <([^>]{1,48})> ---/;
// Lines a backtrace may carry that we skip without ending the block.
export const BT_NOISE = /^(?:\.{3}|bt: |[0-9a-f]{8,16}: |\/\S{1,512}: \d{1,7}$)/;

export const crashBtRecognizer: Recognizer = {
  name: 'crash-bt',
  starts(lines, i) {
    const t = lines[i].text;
    return BT_HEADER.test(t) || /^#0 \[[0-9a-f]{1,16}\] \S/.test(t);
  },
  consume(lines, i, model) {
    const header = BT_HEADER.exec(lines[i].text);
    const task: Task = {
      key: `raw:bt:${lines[i].no}`,
      pid: header ? Number(header[1]) : null,
      comm: header ? header[4] : null,
      task: header ? header[2] : null,
      cpu: header && header[3] !== '-' ? Number(header[3]) : null,
      state: header ? stateFromCommand(crashSession(model).lastCommand) : null,
      stack: [],
      sources: ['crash-bt'],
      lines: [lines[i].no],
      kthread: false,
    };
    let j = header ? i + 1 : i;
    const items: BtItem[] = [];
    let regs: { registers: Registers; lines: number[] } | null = null; // register block being read
    let sawFrame = false;
    let spLow: string | null = null;
    let spHigh: string | null = null;
    for (; j < lines.length; j++) {
      if (lines[j].text === '') {
        // Some pastes are double-spaced (seed 001's `bt 491`): a blank line ends the block only
        // when what follows is not more of the same backtrace.
        const k = skipBlank(lines, j);
        if (k < lines.length && continuesBt(lines[k].text) && !(lines[k].text.startsWith('#0 ') && sawFrame)) {
          j = k - 1;
          continue;
        }
        break;
      }
      const { text, no } = lines[j];
      const c0 = text.charCodeAt(0);
      if (c0 === 35) {
        // '#': a frame
        const f = parseFrame(text, no);
        if (f) {
          if (text.startsWith('#0 ') && sawFrame) break; // a new headerless bt
          items.push(f);
          sawFrame = true;
          regs = null;
          const sp = text.slice(text.indexOf('[') + 1, text.indexOf(']'));
          if (spLow === null || hexBefore(sp, spLow)) spLow = sp;
          if (spHigh === null || hexBefore(spHigh, sp)) spHigh = sp;
          continue;
        }
      } else if (c0 === 91) {
        // `bt -t`/`-T` (every text symbol found on the stack, not a verified call chain):
        // "[ffff88017b5bbb58] schedule at ffffffff8168b759"
        const ts = TEXT_SYMBOL.exec(text);
        if (ts) {
          const f = frame(ts[2], ts[3], ts[4] ?? null, no);
          f.unreliable = true;
          items.push(f);
          sawFrame = true;
          regs = null;
          continue;
        }
        // '[': "[exception RIP: fn+off]"
        const e = EXCEPTION.exec(text);
        if (e) {
          const exception = exceptionFrame(e[1], no);
          items.push({ kind: 'exception', exception });
          regs = { registers: exception.registers, lines: exception.lines };
          continue;
        }
      } else if (c0 === 45) {
        // '-': "--- <NMI exception stack> ---"
        const m = MARKER.exec(text);
        if (m) {
          items.push({ kind: 'marker', marker: markerKind(m[1]) });
          regs = null;
          spLow = spHigh = null; // the task's own stack is the part after the last marker
          continue;
        }
      } else if (c0 >= 65 && c0 <= 90) {
        if (c0 === 80 && BT_HEADER.test(text)) break; // 'P': the next task's header
        const st = c0 === 83 ? START.exec(text) : null;
        if (st) {
          items.push(frame(st[1], st[2], null, no));
          sawFrame = true;
          regs = null;
          continue;
        }
        // arm64: "PC: ffff80001043f0b8  [arch_cpu_idle+16]" opens the interrupted context's registers
        const pc = c0 === 80 && !regs ? /^PC: ([0-9a-f]{1,16}) \[([^\]]{1,256})\]/.exec(text) : null;
        if (pc) {
          const exception = exceptionFrame(pc[2], no);
          exception.address = pc[1];
          items.push({ kind: 'exception', exception });
          regs = { registers: exception.registers, lines: exception.lines };
          readRegisters(text, regs.registers);
          continue;
        }
        if (isRegisterLine(text)) {
          // Registers after an exception header belong to it; a register block after the last frame
          // with no header is the user-space context of a syscall (seed 004), which we skip.
          if (!regs) regs = { registers: {}, lines: [] };
          readRegisters(text, regs.registers);
          regs.lines.push(no);
          continue;
        }
      }
      if (BT_NOISE.test(text)) continue;
      break;
    }
    for (const it of items) {
      if ('kind' in it && it.kind === 'exception') {
        const rip = it.exception.registers.RIP;
        if (rip) it.exception.address = rip;
      }
    }
    task.stack = buildSegments(items);
    if (spLow !== null && spHigh !== null) task.spRange = { low: spLow, high: spHigh };
    if (task.stack.length > 0 || header) {
      model.tasks.push(task);
      addFormat(model, 'crash-bt');
    }
    return Math.max(j, i + 1);
  },
};

// FRAME without the captures parseFrame does not need, anchored so the address is whole: the match
// array of one bounded regex costs less than scanning the line by hand with charCodeAt (measured).
const FRAME_FAST = /^#\d{1,5} \[[0-9a-f]{1,16}\] ([^ ]{1,256}) at ([0-9a-f]{1,16})(?= |$)/;

/** "#5 [ffff92adf5c43e38] native_queued_spin_lock_slowpath at ffffffffbc111190 [bfq]" (runs on every frame of a foreach bt). */
function parseFrame(t: string, no: number): Frame | null {
  const m = FRAME_FAST.exec(t);
  if (m === null) return null;
  const addrEnd = m[0].length;
  let module: string | null = null;
  if (addrEnd < t.length && t.charCodeAt(addrEnd + 1) === 91) {
    const end = t.indexOf(']', addrEnd + 2);
    if (end > addrEnd + 2 && end - addrEnd - 2 <= 64) module = t.slice(addrEnd + 2, end);
  }
  return frameWithOffset(m[1], m[2], module === null ? null : intern(module), no);
}

/**
 * The Frame for a name as printed, with `bt -s` / `bt -sx` offsets ("__schedule+493",
 * "__schedule+0x1ed") moved out of the name. Shared with the fast lane (bt-fast.ts).
 */
export function frameWithOffset(printed: string, address: string, module: string | null, no: number): Frame {
  let fn = printed;
  let offset: number | null = null;
  const plus = fn.lastIndexOf('+');
  if (plus > 0) {
    const off = fn.slice(plus + 1);
    offset = /^\d{1,10}$/.test(off) ? Number(off) : /^0x[0-9a-f]{1,16}$/.test(off) ? parseInt(off, 16) : null;
    if (offset !== null) fn = fn.slice(0, plus);
  }
  // the Frame literal of text-shapes frame(), offset set in it (one object shape, no later store)
  return { fn: intern(fn), offset, size: null, address, module, unreliable: false, context: 'process', line: no };
}

/** "NMI exception stack", "IRQ stack", "soft IRQ" → the context a marker closes. */
export function markerKind(label: string): 'nmi' | 'irq' | 'softirq' {
  const name = label.toUpperCase().replace(/\s/g, '');
  return name.includes('SOFTIRQ') ? 'softirq' : name.includes('IRQ') ? 'irq' : 'nmi';
}

// Function and module names repeat across the tasks of a `foreach bt` (10k tasks share a few hundred
// names): every frame keeps the one shared string, so the sliced match strings die young instead of
// being kept (and copied by every scavenge) for each frame. Bounded: names beyond the cap are kept as is.
const NAMES = new Map<string, string>();

export function intern(s: string): string {
  const known = NAMES.get(s);
  if (known !== undefined) return known;
  if (NAMES.size >= 65536) return s;
  // a copy: the match is a slice of the pasted text, which the table must not keep alive
  const own = JSON.parse(JSON.stringify(s)) as string;
  NAMES.set(own, own);
  return own;
}

function skipBlank(lines: readonly Line[], j: number): number {
  let k = j;
  while (k < lines.length && k - j < 3 && lines[k].text === '') k++;
  return k;
}

export function continuesBt(text: string): boolean {
  return FRAME.test(text) || EXCEPTION.test(text) || MARKER.test(text) || isRegisterLine(text) || text === '...';
}

export function exceptionFrame(spec: string, line: number): ExceptionFrame {
  const m = /^(\S+?)\+(\d{1,10})$/.exec(spec.trim());
  return {
    fn: m ? m[1] : spec.trim(),
    offset: m ? Number(m[2]) : null,
    address: null,
    module: null,
    registers: {},
    context: 'process',
    line,
    lines: [line],
  };
}
