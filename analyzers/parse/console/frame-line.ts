// Line-level parsers for console stack dumps (dump_stack/show_stack output, arch/x86/kernel/dumpstack.c).
// Every regex here is anchored and bounded so a hostile 64 MiB line costs linear time.

import type { Context } from '../../model/trace-model.ts';

export interface ParsedFrame {
  fn: string;
  offset: number | null;
  size: number | null;
  address: string | null;
  module: string | null;
  unreliable: boolean;
}

// "[<ffffffff814f8464>]" (old x86), "[c000000000123456]" (powerpc), "[<0>]" (/proc/PID/stack).
const PC_RE = /^\[<?(?:0x)?([0-9a-f]{1,16})>?\]\s{0,4}/;
// "fn+0x1ec/0x250 [mod]" / "fn.isra.0+0x12/0x40" / "fn+0x12" ; arm64 appends " (T)" / " (P)".
const SYM_RE = /^([A-Za-z_$.][\w.$]{0,255})\+0x([0-9a-f]{1,16})(?:\/0x([0-9a-f]{1,16}))?(?:\s{1,4}\[([\w.-]{1,64})\])?/;
// syzkaller-symbolized inline frame: "__mutex_lock_common kernel/locking/mutex.c:680 [inline]".
const INLINE_RE = /^([A-Za-z_][\w.]{0,255}) [\w./-]{1,255}\.[chS]:\d{1,7}(?::\d{1,5})? \[inline\]/;

// 32-bit ARM unwinder (arch/arm/kernel/traps.c dump_backtrace_entry): "[<pc>] (fn) from [<lr>] (caller+0x../0x..)"
// (a module function names its module inside the parentheses: "(rs485x_tx_work [rs485x])")
const ARM_RE = /^\(([A-Za-z_$.][\w.$]{0,255})(?: \[([\w.-]{1,64})\])?\) from \[<?(?:0x)?[0-9a-f]{1,16}>?\] \([A-Za-z_$.][\w.$]{0,255}\+0x[0-9a-f]{1,16}\/0x[0-9a-f]{1,16}(?: \[[\w.-]{1,64}\])?\)/;

/** Context markers the x86 unwinder prints between stacks (dumpstack.c: "<IRQ>", "</IRQ>", "<NMI>", "<<EOE>>", "<EOI>", "<TASK>"). */
const MARKER_RE = /^<{1,2}(\/?)(IRQ|NMI|EOI|EOE|TASK|SOFTIRQ)>{1,2}\s{0,8}/;

export interface MarkerSplit {
  /** Context switched to by the markers on this line (null: no marker). */
  context: Context | null;
  rest: string;
}

/** Strip leading context markers; returns the context the stack continues in after them. */
export function splitMarkers(text: string): MarkerSplit {
  let t = text.trimStart();
  let context: Context | null = null;
  for (let k = 0; k < 4; k++) {
    const m = MARKER_RE.exec(t);
    if (!m) break;
    const closing = m[1] === '/';
    switch (m[2]) {
      case 'NMI':
        context = closing ? 'process' : 'nmi';
        break;
      case 'EOE': // old kernels: end of the NMI/exception stack
      case 'EOI': // old kernels: end of the IRQ stack
      case 'TASK':
        context = 'process';
        break;
      case 'IRQ':
        context = closing ? 'process' : 'hardirq';
        break;
      case 'SOFTIRQ':
        context = closing ? 'hardirq' : 'softirq';
        break;
    }
    t = t.slice(m[0].length);
  }
  return { context, rest: t };
}

/** Parse one stack frame line (markers already stripped, leading blanks allowed). */
export function parseFrameLine(text: string): ParsedFrame | null {
  let t = text.trimStart();
  let address: string | null = null;
  for (let k = 0; k < 2; k++) {
    const m = PC_RE.exec(t);
    if (!m) break;
    address ??= m[1] ?? null;
    t = t.slice(m[0].length);
  }
  let unreliable = false;
  if (t.startsWith('? ')) {
    unreliable = true;
    t = t.slice(2).trimStart();
  }
  const m = SYM_RE.exec(t);
  if (m) {
    if (t.endsWith('(unreliable)')) unreliable = true; // powerpc show_stack
    return {
      fn: m[1]!,
      offset: parseInt(m[2]!, 16),
      size: m[3] ? parseInt(m[3], 16) : null,
      address: address && /^0+$/.test(address) ? null : address,
      module: m[4] ?? null,
      unreliable,
    };
  }
  const am = ARM_RE.exec(t);
  if (am) return { fn: am[1]!, offset: null, size: null, address: address && /^0+$/.test(address) ? null : address, module: am[2] ?? null, unreliable };
  const im = INLINE_RE.exec(t);
  if (im) return { fn: im[1]!, offset: null, size: null, address: null, module: null, unreliable };
  return null;
}

/** "RIP: 0010:fn+0x1ec/0x250 [mod]" or old "RIP: 0010:[<ffffffff8101c0e5>]  [<ffffffff8101c0e5>] fn+0x15/0x20". */
export interface ParsedRip {
  fn: string;
  offset: number | null;
  address: string | null;
  module: string | null;
  cs: string | null;
}

const RIP_HEAD_RE = /^(?:RIP|EIP|IP|NIP): {0,2}(?:([0-9a-f]{4}):)?/;

export function parseRipLine(text: string): ParsedRip | null {
  const t = text.trimStart();
  const h = RIP_HEAD_RE.exec(t);
  if (!h) return null;
  const rest = t.slice(h[0].length);
  const f = parseFrameLine(rest);
  if (!f) {
    // "RIP: 0010:0x7f12..." user-space RIP, or "RIP: 0033:0x4567" : keep the address only
    const a = /^(?:\[<)?(?:0x)?([0-9a-f]{1,16})/.exec(rest);
    if (!a) return null;
    return { fn: '', offset: null, address: a[1]!, module: null, cs: h[1] ?? null };
  }
  return { fn: f.fn, offset: f.offset, address: f.address, module: f.module, cs: h[1] ?? null };
}

const REG_LINE_RE = /^(?:RSP|RAX|RDX|RBP|R10|R13|R8|FS|CS|CR2|DR0|DR3|EAX|ESI|DS|CR0|ESP|EFLAGS|R11|R14|R9|R12|R15|RBX|RCX|RSI|RDI):/;
const REG_PAIR_RE = /([A-Z][A-Z0-9_]{0,7}): {0,4}(?:([0-9a-f]{4}):)?([0-9a-f]{1,16})\b/g;

/** Is this a register dump line ("RSP: 0018:ffffc900 EFLAGS: 00000202", "RAX: ... RBX: ...")? */
export function isRegisterLine(text: string): boolean {
  return REG_LINE_RE.test(text.trimStart());
}

/** Add the registers of one dump line to `regs` (upper-case names, lower-case hex, no 0x). EFLAGS also as RFLAGS. */
export function parseRegisters(text: string, regs: Record<string, string>): void {
  const t = text.trimStart().slice(0, 400);
  REG_PAIR_RE.lastIndex = 0;
  for (let m = REG_PAIR_RE.exec(t); m; m = REG_PAIR_RE.exec(t)) {
    const name = m[1]!;
    const val = m[3]!.toLowerCase();
    if (name === 'RSP' && m[2]) regs.SS = m[2];
    regs[name] = val;
    if (name === 'EFLAGS') regs.RFLAGS = val;
  }
}
