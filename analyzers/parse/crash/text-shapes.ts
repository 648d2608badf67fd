// Small shared shapes of crash(8) output: prompts, hex addresses, frames, register lines.

import type { Context, Frame, Registers } from '../../model/trace-model.ts';

/** "crash> bt 491" → "bt 491"; a line without the prompt is returned as is (commands may be pasted bare). */
export function stripPrompt(text: string): string {
  if (text.startsWith('crash>')) return text.slice(6).trimStart();
  const c = text.charCodeAt(0);
  if (c !== 91 && c !== 35 && c !== 36) return text; // only "[", "#", "$" can open a shell prompt
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
  // "NAME: value NAME: value ..." (normalised text: single spaces). Hand-scanned: it runs on every
  // register line of every backtrace, and a regex per pair showed up in the profile.
  let from = 0;
  for (;;) {
    const colon = text.indexOf(': ', from);
    if (colon < 0) return;
    const nameStart = text.lastIndexOf(' ', colon - 1) + 1;
    let valueEnd = text.indexOf(' ', colon + 2);
    if (valueEnd < 0) valueEnd = text.length;
    if (isRegisterName(text, nameStart, colon) && isHex(text, colon + 2, valueEnd)) {
      into[text.slice(nameStart, colon)] = text.slice(colon + 2, valueEnd).toLowerCase();
    }
    from = valueEnd;
  }
}

function isRegisterName(t: string, a: number, b: number): boolean {
  if (b - a < 2 || b - a > 10) return false;
  const c0 = t.charCodeAt(a);
  if (c0 < 65 || c0 > 90) return false;
  for (let k = a + 1; k < b; k++) {
    const c = t.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function isHex(t: string, a: number, b: number): boolean {
  if (b - a < 1 || b - a > 16) return false;
  for (let k = a; k < b; k++) {
    const c = t.charCodeAt(k) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
