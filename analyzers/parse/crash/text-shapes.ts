// Small shared shapes of crash(8) output: prompts, hex addresses, frames, register lines.

import type { Context, Frame, Registers } from '../../model/trace-model.ts';

/** "crash> bt 491" → "bt 491"; a line without the prompt is returned as is (commands may be pasted bare). */
export function stripPrompt(text: string): string {
  if (text.startsWith('crash>')) return text.slice(6).trimStart();
  const shell = /^(?:\[[^\]]{1,80}\][#$]|[#$]) ?/.exec(text); // "[root@localhost ~]# cat /proc/1/stack"
  return shell ? text.slice(shell[0].length) : text;
}

/** "0xFFFF88..." or "ffff88..." → "ffff88..."; null when not hex. */
export function hex(value: string | undefined | null): string | null {
  if (!value) return null;
  const m = /^(?:0x)?([0-9a-fA-F]{1,16})$/.exec(value);
  return m ? m[1].toLowerCase() : null;
}

export function frame(fn: string, address: string | null, module: string | null, line: number, context: Context = 'process'): Frame {
  return { fn, offset: null, size: null, address, module, unreliable: false, context, line };
}

// crash register lines: "RIP: ffffffffbc15677c  RSP: ffffa3b342ac3dd0  RFLAGS: 00000202",
// "ORIG_RAX: ffffffffffffff13  CS: 0010  SS: 0018". Names are upper case, values hex.
const REGISTER_LINE = /^[A-Z][A-Z0-9_]{0,9}: [0-9a-fA-F]{1,16}(?: |$)/;

export function isRegisterLine(text: string): boolean {
  return REGISTER_LINE.test(text);
}

/** Adds every "NAME: value" pair of a register line to `into`. */
export function readRegisters(text: string, into: Registers): void {
  // "NAME: value NAME: value ..." (normalised text: single spaces); hand-split, it runs on every register line
  const parts = text.split(' ');
  for (let k = 0; k + 1 < parts.length; k++) {
    const name = parts[k];
    if (name.length < 3 || name.charCodeAt(name.length - 1) !== 58) continue;
    const key = name.slice(0, -1);
    const value = parts[k + 1];
    if (/^[A-Z][A-Z0-9_]{0,9}$/.test(key) && /^[0-9a-fA-F]{1,16}$/.test(value)) {
      into[key] = value.toLowerCase();
      k++;
    }
  }
}
