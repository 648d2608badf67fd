// crash `bt`, `bt -a`, `bt PID`, `foreach bt`: one block per task, from the "PID: N TASK: X CPU: N
// COMMAND: "c"" header (or a bare "#0 [sp] fn at addr" when the header was not pasted) to the first
// line that is not part of a backtrace. Elided parts ("...") and crash warnings stay inside the block.

import type { ExceptionFrame, Registers, Task } from '../../model/trace-model.ts';
import { addFormat, type Line, type Recognizer } from '../recognizer.ts';
import { buildSegments, type BtItem } from './bt-segments.ts';
import { crashSession, stateFromCommand } from './session.ts';
import { frame, isRegisterLine, readRegisters } from './text-shapes.ts';

export const BT_HEADER = /^PID: (\d{1,10}) TASK: ([0-9a-f]{1,16})(?: \(\d+ of \d+\))? CPU: (\d{1,5}|-) ?COMMAND: "([^"]{0,64})"/;
const FRAME = /^#(\d{1,5}) \[([0-9a-f]{1,16})\] (\S{1,256}) at ([0-9a-f]{1,16})(?: \[([^\]\s]{1,64})\])?/;
const EXCEPTION = /^\[exception RIP: ([^\]]{1,256})\]/;
const MARKER = /^--- <([^>]{1,48})> ---/;
// Lines a backtrace may carry that we skip without ending the block.
const BT_NOISE = /^(?:\.{3}|bt: |[0-9a-f]{8,16}: |\/\S{1,512}: \d{1,7}$)/;

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
    for (; j < lines.length; j++) {
      if (lines[j].text === '') {
        // Some pastes are double-spaced (seed 001's `bt 491`): a blank line ends the block only
        // when what follows is not more of the same backtrace.
        const k = skipBlank(lines, j);
        if (k < lines.length && continuesBt(lines[k].text) && !(FRAME.exec(lines[k].text)?.[1] === '0' && items.some((it) => it.kind === 'frame'))) {
          j = k - 1;
          continue;
        }
        break;
      }
      const { text, no } = lines[j];
      const c0 = text.charCodeAt(0);
      if (c0 === 35) {
        // '#': a frame
        const f = FRAME.exec(text);
        if (f) {
          if (f[1] === '0' && items.some((it) => it.kind === 'frame')) break; // a new headerless bt
          items.push({ kind: 'frame', frame: frame(f[3], f[4], f[5] ?? null, no) });
          regs = null;
          continue;
        }
      } else if (c0 === 91) {
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
          const name = m[1].toUpperCase().replace(/\s/g, '');
          const marker = name.includes('SOFTIRQ') ? 'softirq' : name.includes('IRQ') ? 'irq' : 'nmi';
          items.push({ kind: 'marker', marker });
          regs = null;
          continue;
        }
      } else if (c0 >= 65 && c0 <= 90) {
        if (c0 === 80 && BT_HEADER.test(text)) break; // 'P': the next task's header
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
      if (it.kind === 'exception') {
        const rip = it.exception.registers.RIP;
        if (rip) it.exception.address = rip;
      }
    }
    task.stack = buildSegments(items);
    if (task.stack.length > 0 || header) {
      model.tasks.push(task);
      addFormat(model, 'crash-bt');
    }
    return Math.max(j, i + 1);
  },
};

function skipBlank(lines: readonly Line[], j: number): number {
  let k = j;
  while (k < lines.length && k - j < 3 && lines[k].text === '') k++;
  return k;
}

function continuesBt(text: string): boolean {
  return FRAME.test(text) || EXCEPTION.test(text) || MARKER.test(text) || isRegisterLine(text) || text === '...';
}

function exceptionFrame(spec: string, line: number): ExceptionFrame {
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
