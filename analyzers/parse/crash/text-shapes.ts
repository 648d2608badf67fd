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

/** a < b for lower-case hex numbers printed at the same width (crash prints them at full width); shorter is smaller. */
export function hexBefore(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
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
  // "NAME: value NAME: value ..." (normalised text: single spaces). Hand-scanned in one pass: it runs
  // on every register line of every backtrace. A pair is a name (2-10 of [A-Z0-9_], a letter first)
  // right after a space or the line start, ": ", then 1-16 hex digits up to the next space or the end.
  const n = text.length;
  let nameStart = 0; // just after the last space seen
  let k = 0;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 32) {
      nameStart = k + 1;
      k++;
      continue;
    }
    if (c !== 58 || text.charCodeAt(k + 1) !== 32) {
      k++;
      continue;
    }
    // ": " at k; the value runs from k + 2 to the next space
    const colon = k;
    let valueEnd = colon + 2;
    let upper = false;
    let hex = true;
    for (; valueEnd < n; valueEnd++) {
      const v = text.charCodeAt(valueEnd);
      if (v === 32) break;
      if (v >= 65 && v <= 70) upper = true;
      else if (!((v >= 48 && v <= 57) || (v >= 97 && v <= 102))) hex = false;
    }
    const len = valueEnd - colon - 2;
    if (hex && len >= 1 && len <= 16) {
      const name = registerName(text, nameStart, colon);
      if (name !== null) {
        const value = text.slice(colon + 2, valueEnd);
        into[name] = upper ? value.toLowerCase() : value;
      }
    }
    // the next name starts after the space that ends this value
    nameStart = valueEnd + 1;
    k = valueEnd + 1;
  }
}

/**
 * isRegisterLine + readRegisters on a raw line [first, last] (trimmed) whose runs of spaces stand for
 * one space (the fast lane, bt-fast.ts, reads the pasted text without normalising it): false, with
 * nothing read, when the normalised line would not be a register line. The pairs are pushed on `out`
 * (name, value, name, value...) in the order readRegisters stores them; values are slices of `text`.
 * Same pairing as readRegisters: a word ending in ":" is a name, the word after it its value; a pair
 * that is not NAME (2-10 of [A-Z0-9_], a letter first) + 1-16 hex digits is skipped, value included.
 */
export function readRegistersRaw(text: string, first: number, last: number, out: string[]): boolean {
  // isRegisterLine: /^[A-Z][A-Z0-9_]{0,9}: [0-9a-fA-F]{1,16}(?: |$)/ on the normalised line
  let k = first;
  const c0 = text.charCodeAt(k);
  if (c0 < 65 || c0 > 90) return false;
  k++;
  while (k <= last && k - first <= 10 && isNameChar(text.charCodeAt(k))) k++;
  if (k - first > 10 || text.charCodeAt(k) !== 58 || text.charCodeAt(k + 1) !== 32) return false;
  k += 2;
  while (text.charCodeAt(k) === 32) k++;
  const v0 = k;
  while (k <= last && isHexChar(text.charCodeAt(k))) k++;
  if (k === v0 || k - v0 > 16 || (k <= last && text.charCodeAt(k) !== 32)) return false;
  // the pairs
  let p = first;
  while (p <= last) {
    const w0 = p;
    while (p <= last && text.charCodeAt(p) !== 32) p++;
    const w1 = p; // word [w0, w1)
    while (p <= last && text.charCodeAt(p) === 32) p++;
    if (text.charCodeAt(w1 - 1) !== 58 || w1 > last) continue; // not "NAME:", or nothing after it
    const x0 = p;
    while (p <= last && text.charCodeAt(p) !== 32) p++;
    const x1 = p; // the value word [x0, x1)
    while (p <= last && text.charCodeAt(p) === 32) p++;
    const len = x1 - x0;
    if (len < 1 || len > 16) continue;
    let upper = false;
    let hex = true;
    for (let q = x0; q < x1; q++) {
      const v = text.charCodeAt(q);
      if (v >= 65 && v <= 70) upper = true;
      else if (!((v >= 48 && v <= 57) || (v >= 97 && v <= 102))) {
        hex = false;
        break;
      }
    }
    if (!hex) continue;
    const name = registerName(text, w0, w1 - 1);
    if (name === null) continue;
    const value = text.slice(x0, x1);
    out.push(name, upper ? value.toLowerCase() : value);
  }
  return true;
}

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isHexChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

// Register names seen so far, keyed by their base-37 code: one string per name for every register
// object (the same property key each time) instead of a fresh slice per pair.
const REGISTER_NAMES = new Map<number, string>();

function registerName(t: string, a: number, b: number): string | null {
  if (b - a < 2 || b - a > 10) return null;
  const c0 = t.charCodeAt(a);
  if (c0 < 65 || c0 > 90) return null;
  let code = 0;
  for (let k = a; k < b; k++) {
    const c = t.charCodeAt(k);
    let d: number;
    if (c >= 65 && c <= 90) d = c - 64; // 1..26
    else if (c >= 48 && c <= 57) d = c - 21; // 27..36
    else if (c === 95) d = 37;
    else return null;
    code = code * 38 + d;
  }
  let name = REGISTER_NAMES.get(code);
  if (name === undefined) {
    name = t.slice(a, b);
    if (REGISTER_NAMES.size < 4096) REGISTER_NAMES.set(code, name);
  }
  return name;
}
