// crash struct dumps: `struct mutex ADDR`, `mutex_waiter ADDR`, `spinlock_t ADDR`, `rw_semaphore ADDR`,
// `task_struct.stack ADDR` (member form), with or without the "crash> " prompt, and a pasted dump
// whose command line is missing ("struct mutex {" followed by "name = value" lines).

import type { StructDump, TraceModel } from '../../model/trace-model.ts';
import { addFormat, type Line, type Recognizer } from '../recognizer.ts';
import { crashSession } from './session.ts';
import { scanFields } from './struct-fields.ts';
import { hex, stripPrompt } from './text-shapes.ts';

// "struct mutex ffff880035acf1e0", "mutex_waiter 0xffff8800506d3b50", "task_struct.stack ffff...", a "-x"
// or "-d" flag after the address or before it ("struct rw_semaphore -x ADDR": crash takes options anywhere)
const COMMAND = /^(?:(?:struct|union) )?([A-Za-z_]\w{0,63})(?:\.([\w.,]{1,256}))? (?:-[xd] )?(?:0x)?([0-9a-fA-F]{6,16})(?: -[xdo])?$/;
// "struct mutex -x pci_rescan_remove_lock": a global named by its symbol; its address comes from a
// `sym NAME` answer printed just before ("ffffffffb2c5f6a0 (d) pci_rescan_remove_lock")
const SYMBOL_COMMAND = /^(?:(?:struct|union) )([A-Za-z_]\w{0,63}) (?:-[xd] )?([A-Za-z_]\w{0,127})(?: -[xd])?$/;
const SYM_ANSWER = /^([0-9a-f]{8,16}) \([A-Za-z]\) ([A-Za-z_]\w{0,127})$/;

/** The command's type and address: an address given, or a symbol whose `sym` answer is among the 8 lines before. */
function dumpCommand(lines: readonly Line[], i: number): { type: string; members: string | undefined; address: string | null; symbol: string | null } | null {
  const text = stripPrompt(lines[i]!.text);
  const cmd = COMMAND.exec(text);
  if (cmd) return NOT_TYPES.has(cmd[1]!) ? null : { type: cmd[1]!, members: cmd[2], address: hex(cmd[3]), symbol: null };
  const sym = SYMBOL_COMMAND.exec(text);
  if (!sym || NOT_TYPES.has(sym[1]!)) return null;
  let address: string | null = null;
  for (let k = i - 1; k >= 0 && k >= i - 8; k--) {
    const a = SYM_ANSWER.exec(lines[k]!.text);
    if (a && a[2] === sym[2]) {
      address = a[1]!;
      break;
    }
  }
  return { type: sym[1]!, members: undefined, address, symbol: sym[2]! };
}

const NOT_TYPES = new Set(['rd', 'wr', 'bt', 'kmem', 'search', 'dis', 'sym', 'list', 'tree', 'p', 'print', 'eval', 'files', 'vtop', 'ptov', 'task', 'set', 'waitq', 'irq', 'timer', 'ps', 'net', 'mod', 'x', 'l']);
const OPENER = /^(?:struct|union) ([A-Za-z_]\w{0,63}) \{$/;
const FIELD = /^[A-Za-z_][\w.]{0,127} = /;

export const crashStructRecognizer: Recognizer = {
  name: 'crash-struct',
  starts(lines, i) {
    const next = lines[i + 1]?.text ?? '';
    if (offsetCommand(stripPrompt(lines[i].text)) && OPENER.test(next) && OFFSET_LINE.test(lines[i + 2]?.text ?? '')) return true;
    const cmd = dumpCommand(lines, i);
    if (cmd) return (cmd.symbol === null && /^typedef .*\{$/.test(next)) || (OPENER.test(next) && (cmd.symbol === null || FIELD.test(lines[i + 2]?.text ?? ''))) || FIELD.test(next);
    return OPENER.test(lines[i].text) && FIELD.test(next);
  },
  consume(lines, i, model) {
    const offsets = offsetCommand(stripPrompt(lines[i].text));
    if (offsets && OPENER.test(lines[i + 1]?.text ?? '')) return memberOffsets(lines, i, model, offsets);
    const cmd = dumpCommand(lines, i);
    let type: string | null = null;
    let address: string | null = null;
    let from = i;
    if (cmd) {
      type = cmd.type;
      crashSession(model).lastCommand = null;
      address = cmd.address;
      from = i + 1;
    } else {
      type = OPENER.exec(lines[i].text)?.[1] ?? null;
    }
    const scan = scanFields(lines, from);
    const dump: StructDump = { type: type ?? 'unknown', address, fields: scan.fields, line: lines[i].no, endLine: lines[Math.max(from, scan.end - 1)]?.no ?? lines[i].no };
    if (cmd?.symbol) dump.symbol = cmd.symbol;
    if (cmd && / -x(?: |$)/.test(stripPrompt(lines[i].text))) dump.hex = true;
    addDump(model, lines, dump);
    if (cmd?.members && address) for (const member of cmd.members.split(',')) nestedLock(model, dump, member);
    return Math.max(scan.end, i + 1);
  },
};

// "struct zbd_device.cfg_mutex -o ffff8f0ac7a1e000" (or the flag after the address): the container's address
const OFFSET_COMMAND = /^(?:(?:struct|union) )?([A-Za-z_]\w{0,63})(?:\.[\w.,]{1,256})? (?:-o (?:0x)?([0-9a-fA-F]{6,16})|(?:0x)?([0-9a-fA-F]{6,16}) -o)$/;

function offsetCommand(cmd: string): string | null {
  const m = OFFSET_COMMAND.exec(cmd);
  return m && !NOT_TYPES.has(m[1]!) ? hex(m[2] ?? m[3]!) : null;
}

// "  [ffff8f0ac7a1e2b0] struct mutex cfg_mutex;" (an embedded member; pointers, "*name", are slots, not objects)
const OFFSET_LINE = /^\[(?:0x)?([0-9a-f]{6,16})\] (?:struct |union )?([A-Za-z_]\w{0,63}) ([A-Za-z_]\w{0,63});$/;

/**
 * `struct zbd_device.cfg_mutex -o ADDR` prints where each member lives. A lock embedded in a driver's
 * structure is dumped through its container ("struct zbd_device.cfg_mutex,disk ADDR"), which gives
 * its fields but not its own address; the two together make the lock's own dump.
 */
function memberOffsets(lines: readonly Line[], i: number, model: TraceModel, container: string): number {
  const session = crashSession(model);
  session.lastCommand = null;
  let j = i + 2;
  for (; j < lines.length && j < i + 200; j++) {
    const m = OFFSET_LINE.exec(lines[j]!.text);
    if (!m) break;
    const info = { address: m[1]!, type: m[2]! };
    (session.members ??= new Map()).set(`${container}|${m[3]}`, info);
    for (const s of model.structs) if (s.address === container) nestedLock(model, s, m[3]!);
  }
  if (lines[j]?.text === '}') j++;
  return Math.max(j, i + 1);
}

/** The dump of `member` of `container` as a struct of its own, when its address and fields are known. */
function nestedLock(model: TraceModel, container: StructDump, member: string): void {
  const info = container.address ? crashSession(model).members?.get(`${container.address}|${member}`) : undefined;
  if (!info || model.structs.some((s) => s.address === info.address && s.type === info.type)) return;
  const prefix = `${member}.`;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(container.fields)) if (k.startsWith(prefix)) fields[k.slice(prefix.length)] = v;
  if (Object.keys(fields).length === 0) return;
  addDump(model, [], { type: info.type, address: info.address, fields, line: container.line, endLine: container.endLine });
}

/** Adds a dump with at least one value (type definitions have none) and the pid binding a task_struct dump gives. */
export function addDump(model: TraceModel, _lines: readonly Line[], dump: StructDump): void {
  if (Object.keys(dump.fields).length === 0) return;
  if (/spinlock|rwlock/.test(dump.type)) addLockAliases(dump.fields);
  model.structs.push(dump);
  addFormat(model, 'crash-struct');
  if (dump.type === 'task_struct' && dump.address && /^\d{1,10}$/.test(dump.fields.pid ?? '')) {
    model.bindings.push({ task: dump.address, pid: Number(dump.fields.pid), line: dump.line });
  }
}

// A spinlock's value sits under different paths across kernels ("slock", "raw_lock.slock",
// "rlock.raw_lock.tickets.head", "raw_lock.val.counter"); expose the leaf names too, so readers can
// ask for "slock" or "tickets.head" without knowing the layout. Existing keys are never overwritten.
function addLockAliases(fields: Record<string, string>): void {
  for (const leaf of ['slock', 'head_tail', 'tickets.head', 'tickets.tail', 'val.counter', 'locked', 'pending']) {
    if (fields[leaf] !== undefined) continue;
    const key = Object.keys(fields).find((k) => k.endsWith(`.${leaf}`));
    if (key) fields[leaf] = fields[key];
  }
}
