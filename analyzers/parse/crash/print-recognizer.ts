// crash `p` (print) results that name a task: "p (struct task_struct *)0xffff8b93cdcf8000" prints
// "$1 = (struct task_struct *) 0xffff8b93cdcf8000"; a later "p $1.pid" prints "$2 = 12862" (seed 003),
// which ties the task address to pid 12862. "p ((struct task_struct *)ADDR)->pid" does it in one go,
// and "p *(struct mutex *)ADDR" prints a struct dump.

import type { Recognizer } from '../recognizer.ts';
import { crashSession } from './session.ts';
import { addDump } from './struct-recognizer.ts';
import { scanFields } from './struct-fields.ts';
import { hex, stripPrompt } from './text-shapes.ts';

const PRINT = /^p(?:rint)?(?: -[xd])? (.{1,256})$/;
const RESULT = /^\$(\d{1,6}) = (.{0,512})$/;
const POINTER = /^\(struct (\w{1,64}) \*\) (?:0x)?([0-9a-f]{6,16})\b/;

interface Var {
  type: string;
  address: string;
}

export const crashPrintRecognizer: Recognizer = {
  name: 'crash-print',
  starts(lines, i) {
    return PRINT.test(stripPrompt(lines[i].text)) && RESULT.test(lines[i + 1]?.text ?? '');
  },
  consume(lines, i, model) {
    const expr = (PRINT.exec(stripPrompt(lines[i].text))?.[1] ?? '').trim();
    const res = RESULT.exec(lines[i + 1].text);
    if (!res) return i + 1;
    const session = crashSession(model);
    session.lastCommand = expr ? `p ${expr}` : null;
    const vars = session.vars;
    const value = res[2].trim();
    const ptr = POINTER.exec(value);
    if (ptr) {
      vars.set(res[1], { type: ptr[1], address: ptr[2] });
      return i + 2;
    }
    const target = targetOf(expr, vars);
    const member = /(?:\.|->)(\w{1,64})\)?$/.exec(expr)?.[1] ?? null;
    if (value === '{') {
      const scan = scanFields(lines, i + 2, 1);
      const type = /\(struct (\w{1,64}) \*\)/.exec(expr)?.[1] ?? target?.type ?? 'unknown';
      addDump(model, lines, { type, address: target?.address ?? null, fields: scan.fields, line: lines[i].no, endLine: lines[scan.end - 1]?.no ?? lines[i + 1].no });
      return Math.max(scan.end, i + 2);
    }
    if (target && target.type === 'task_struct' && member === 'pid' && /^\d{1,10}$/.test(value)) {
      model.bindings.push({ task: target.address, pid: Number(value), line: lines[i + 1].no });
    }
    return i + 2;
  },
};

/** The object an expression reads from: "$1.pid" → $1's pointer; "((struct task_struct *)0xADDR)->pid" → ADDR. */
function targetOf(expr: string, vars: Map<string, Var>): Var | null {
  const v = /^\*?\(?\$(\d{1,6})/.exec(expr);
  if (v) return vars.get(v[1]) ?? null;
  const cast = /\(struct (\w{1,64}) \*\) ?(?:0x)?([0-9a-fA-F]{6,16})/.exec(expr);
  if (cast) return { type: cast[1], address: hex(cast[2]) ?? cast[2] };
  return null;
}
