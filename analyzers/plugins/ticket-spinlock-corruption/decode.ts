// Decoding a dumped spinlock word.
// * x86 2.6.32-era ticket lock (arch/x86/include/asm/spinlock.h, __ticket_spin_lock): one 32-bit
//   `slock` (NR_CPUS >= 256) = Next (high 16 bits) | Owner (low 16 bits). Lock does `lock xaddl
//   0x10000` (takes ticket = old Next) then spins until Owner == its ticket; unlock increments Owner.
//   With NR_CPUS < 256 the halves are bytes (xaddw 0x0100).
// * 2.6.37..4.1 ticket lock: arch_spinlock_t { head_tail; tickets { head (owner), tail (next) } },
//   tail advanced by TICKET_LOCK_INC per ticket (1, or 2 with paravirt spinlocks, whose low bit of
//   tail is the slowpath flag).
// * qspinlock (x86 since 4.2): val = tail(cpu+1, idx) << 16 | pending << 8 | locked. It queues
//   waiters in per-CPU MCS nodes and has no ticket order to check. Only its byte values can be
//   judged: the locked byte is 0, 1 (_Q_LOCKED_VAL) or 3 (_Q_SLOW_VAL, paravirt), the pending byte 0
//   or 1 (kernel/locking/qspinlock.c); anything else is not a lock word at all (freed memory: SLUB's
//   POISON_FREE is 0x6b).

import type { StructDump } from '../../model/trace-model.ts';

export type SpinlockKind = 'ticket-slock' | 'ticket-head-tail' | 'qspinlock' | 'unknown';

export interface SpinlockDecode {
  kind: SpinlockKind;
  raw: string;
  owner: number | null; // ticket being served (head)
  next: number | null; // next ticket to hand out (tail)
  inc: number;
  width: number; // bits of each half
  /** Tickets handed out and not yet served, holder included: (next - owner) / inc. */
  outstanding: number | null;
  /** why the word cannot be a lock (qspinlock byte values), or null */
  impossible?: string | null;
  text: string; // human decode
}

/** A dumped number; `hex`: the dump was printed with -x, so its numbers are hex without the 0x. */
function num(v: string | undefined, hex: boolean): number | null {
  if (v === undefined) return null;
  const s = v.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(s)) return parseInt(s, 16);
  if (hex && /^[0-9a-f]{1,16}$/.test(s)) return parseInt(s, 16);
  if (/^-?\d+$/.test(s)) return Number(s);
  return null;
}

function field(s: StructDump, ...names: string[]): string | undefined {
  for (const n of names) {
    for (const [k, v] of Object.entries(s.fields)) if (k === n || k.endsWith(`.${n}`)) return v;
  }
  return undefined;
}

export function decodeSpinlock(s: StructDump, opts: { pvTickets?: boolean } = {}): SpinlockDecode {
  const hex = s.hex === true;
  const head = num(field(s, 'tickets.head'), hex);
  const tail = num(field(s, 'tickets.tail'), hex);
  if (head !== null && tail !== null) {
    const inc = opts.pvTickets ? 2 : 1;
    // with paravirt tickets the low bit of tail is TICKET_SLOWPATH_FLAG, not part of the count
    const out = ((inc === 2 ? tail & 0xfffe : tail) - head + 0x10000) & 0xffff;
    return {
      kind: 'ticket-head-tail', raw: `head=${head} tail=${tail}`, owner: head, next: tail, inc, width: 16,
      outstanding: Math.floor(out / inc),
      text: `ticket lock: head (owner) = ${head}, tail (next) = ${tail}${inc === 2 ? ' (TICKET_LOCK_INC 2)' : ''}`,
    };
  }
  const val = num(field(s, 'val.counter', 'val'), hex);
  if (val !== null && (field(s, 'locked') !== undefined || field(s, 'val.counter') !== undefined || field(s, 'locked_pending') !== undefined || field(s, 'tail') !== undefined)) {
    const locked = val & 0xff;
    const pendingByte = (val >> 8) & 0xff;
    const pending = pendingByte & 1;
    const tailCpu = (val >>> 18) - 1;
    const hex = (n: number): string => `0x${n.toString(16)}`;
    const bad = [locked !== 0 && locked !== 1 && locked !== 3 ? `locked byte ${hex(locked)}` : '', pendingByte > 1 ? `pending byte ${hex(pendingByte)}` : ''].filter(Boolean);
    const poison = locked === 0x6b || pendingByte === 0x6b;
    return {
      kind: 'qspinlock', raw: String(val), owner: null, next: null, inc: 1, width: 0, outstanding: null,
      text: bad.length > 0
        ? `qspinlock word ${hex(val)}: ${bad.join(' and ')} ${bad.length > 1 ? 'are' : 'is'} impossible (locked is 0, 1 or 3, pending 0 or 1)${poison ? '; 0x6b is SLUB\'s POISON_FREE: the memory was freed' : ''}`
        : `qspinlock (not a ticket lock): locked=${locked}, pending=${pending}, ${tailCpu >= 0 ? `queue tail on CPU ${tailCpu}` : 'no queued waiter'}; queued locks have no ticket order to check`,
      impossible: bad.length > 0 ? `${bad.join(' and ')} cannot occur in a qspinlock${poison ? ' (slab poison 0x6b: a freed object)' : ''}` : null,
    };
  }
  const slock = num(field(s, 'slock'), hex);
  if (slock !== null) {
    const v = slock >>> 0;
    // 16-bit halves when the word uses the upper half (NR_CPUS >= 256 kernels, the distro default)
    const width = v > 0xffff ? 16 : 8;
    const mask = width === 16 ? 0xffff : 0xff;
    const owner = v & mask;
    const next = (v >>> width) & mask;
    const out = (next - owner + mask + 1) & mask;
    return {
      kind: 'ticket-slock', raw: String(slock), owner, next, inc: 1, width, outstanding: out,
      text: `slock = ${slock} = 0x${v.toString(16).padStart(8, '0')}: Next = ${next}, Owner = ${owner} (${width}-bit halves)`,
    };
  }
  return { kind: 'unknown', raw: '', owner: null, next: null, inc: 1, width: 0, outstanding: null, text: 'no lock word in the dump' };
}

/**
 * A CPU spinning on a ticket lock has already taken its ticket (the dump is read after its xadd), so
 * Next counts it: k spinners need at least k outstanding tickets (Next - Owner >= k). Fewer means a
 * spinner's ticket is behind Owner: Owner can only grow, so that ticket is never served. Owner ran
 * past Next: the lock was unlocked more often than locked, or re-initialised while held.
 */
export function ticketVerdict(d: SpinlockDecode, spinners: number): { corrupt: boolean; why: string } | null {
  if (d.kind === 'qspinlock') return d.impossible && spinners > 0 ? { corrupt: true, why: 'no CPU can ever release a lock in that state, so the spinner never gets it' } : null;
  if ((d.kind !== 'ticket-slock' && d.kind !== 'ticket-head-tail') || d.outstanding === null || d.owner === null || d.next === null || spinners <= 0) return null;
  const half = d.width === 8 ? 0x80 : 0x8000;
  if (d.outstanding >= half) {
    return { corrupt: true, why: `Owner (${d.owner}) is ahead of Next (${d.next}): more unlocks than locks` };
  }
  if (d.outstanding < spinners) {
    const ticket = (d.next - d.inc * spinners + (d.width === 8 ? 0x100 : 0x10000)) % (d.width === 8 ? 0x100 : 0x10000);
    return {
      corrupt: true,
      why: `${spinners} CPU${spinners > 1 ? 's' : ''} spin${spinners > 1 ? '' : 's'} but only ${d.outstanding} ticket${d.outstanding === 1 ? ' is' : 's are'} outstanding: the spinner's ticket ${ticket} is behind Owner ${d.owner}, so it can never be granted`,
    };
  }
  return { corrupt: false, why: `${d.outstanding} outstanding ticket(s) for ${spinners} spinner(s): consistent (the lock is held by someone else)` };
}
