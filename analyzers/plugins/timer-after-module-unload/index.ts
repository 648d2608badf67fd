// timer-after-module-unload: a timer whose owner module was unloaded stays armed; when it expires,
// the timer softirq (run_timer_softirq / __run_timers / expire_timers / call_timer_fn) follows
// pointers into the freed module area (x86-64 modules live at ffffffffa0000000-ffffffffff000000) and
// faults, with the per-CPU timer base lock held (__run_timers holds base->lock while it detaches the
// timer). If anything on the fault path arms a timer (printk → fbcon cursor → add_timer → mod_timer →
// lock_timer_base), it spins on that same base lock: the CPU deadlocks on itself and the NMI
// watchdog reports a hard lockup. Seed 002 (3.10.0-514): run_timer_softirq+248, RCX ffffffffa88b53b0
// (`rd` says invalid), base lock ffff88007b90c000 in RDI of both frames.

import type { ChainLink, Finding } from '../../contract.ts';
import type { ExceptionFrame, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { spinnersOf } from '../../graph/spin.ts';
import { isKernelPointer, taskLabel } from '../../graph/resolve.ts';
import { finding, uniqLines } from '../../graph/finding-kit.ts';
import { baseName } from '../generic-helpers/index.ts';

const TIMER_RE = /^(?:run_timer_softirq|__run_timers|run_timer_base|expire_timers|call_timer_fn)$/;
// Where an expired timer's callback is called from: the timer wheel, and hrtimers
// (kernel/time/hrtimer.c __run_hrtimer, inlined into __hrtimer_run_queues)
const CALLS_CALLBACK_RE = /^(?:call_timer_fn|expire_timers|__run_timers|run_timer_softirq|__run_hrtimer|__hrtimer_run_queues|hrtimer_run_queues|hrtimer_run_softirq)$/;
// Frames that run with base->lock held: __run_timers (inlined into run_timer_softirq on 3.10) and
// expire_timers detach the expired timer under the lock; call_timer_fn runs the callback after
// the lock was dropped (kernel/time/timer.c), so a fault there does not hold it.
const HOLDS_BASE_RE = /^(?:run_timer_softirq|__run_timers|run_timer_base|expire_timers)$/;
const ARM_RE = /^(?:lock_timer_base|mod_timer|__mod_timer|add_timer|add_timer_on|del_timer|timer_reduce|mod_timer_pending)$/;
const GPRS = [
  'RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15',
  ...Array.from({ length: 31 }, (_, i) => `X${i}`), // arm64
];

const CHECKLIST = [
  'Find the module that owned the timer (the faulting address is in the module area: match it against the module load addresses of this boot, e.g. `mod` in crash or the unload log).',
  'In its exit path every timer must be stopped with del_timer_sync() / timer_shutdown_sync() (timer_delete_sync on new kernels), not del_timer(), and before the memory holding it is freed.',
  'Check for re-arming after deletion: a timer callback, workqueue or softirq that calls mod_timer() again after the exit path deleted it (timer_shutdown_sync prevents re-arming).',
  'Check error paths of init/probe: an add_timer()/mod_timer() without the matching delete when a later step fails leaves an armed timer behind when the module is removed.',
];

/** Module-area pointer of x86-64 (MODULES_VADDR .. MODULES_END). */
export function inModuleArea(hex: string): boolean {
  if (!/^ffffffff[0-9a-f]{8}$/.test(hex)) return false;
  const v = BigInt(`0x${hex}`);
  return v >= 0xffffffffa0000000n && v < 0xffffffffff000000n;
}

/**
 * A module's memory: x86-64's module area, or the range a /proc/modules row in the paste gave a
 * module (any architecture). `name` is the module when a row says which.
 */
function moduleAddress(model: TraceModel, hex: string): { name: string | null } | null {
  const v = /^[0-9a-f]{8,16}$/.test(hex) ? BigInt(`0x${hex}`) : null;
  if (v === null) return null;
  for (const m of model.modules ?? []) {
    const base = BigInt(`0x${m.base}`);
    if (v >= base && v < base + BigInt(m.size)) return { name: m.name };
  }
  return inModuleArea(hex) ? { name: null } : null;
}

function formerOwner(model: TraceModel, hex: string): string {
  const name = moduleAddress(model, hex)?.name;
  return name ? `in ${name}'s memory per /proc/modules${model.lastUnloaded?.name === name ? ', last unloaded' : ''}` : 'module area';
}

function badPointer(model: TraceModel, exc: ExceptionFrame): { reg: string; value: string; invalidLine: number | null } | null {
  const invalid = new Map(model.invalidAddresses.map((a) => [a.address, a.line]));
  let moduleHit: { reg: string; value: string; invalidLine: number | null } | null = null;
  for (const r of GPRS) {
    const v = exc.registers[r]?.toLowerCase();
    if (!v) continue;
    if (invalid.has(v)) return { reg: r, value: v, invalidLine: invalid.get(v)! };
    if (!moduleHit && moduleAddress(model, v)) moduleHit = { reg: r, value: v, invalidLine: null };
  }
  if (moduleHit) return moduleHit;
  // registers trimmed from the paste: the oops line still names the faulting address
  for (const r of model.reports) {
    if (r.kind !== 'oops') continue;
    const m = /(?:for address|paging request at(?: virtual address)?|dereference at(?: virtual address)?)[:\s]+(?:0x)?([0-9a-f]{16})\b/i.exec(r.header);
    if (m && moduleAddress(model, m[1]!.toLowerCase())) return { reg: 'fault address', value: m[1]!.toLowerCase(), invalidLine: null };
  }
  return null;
}

const MAX_FINDINGS = 4;

/**
 * The callback itself is gone: the interrupted code's address has no symbol, lies in a module's
 * memory, and the first reliable frame under it is where expired timers' callbacks are called from
 * (an instruction fetch from freed module text; CR2 is that address).
 */
function goneCallback(model: TraceModel, t: TraceModel['tasks'][number], seg: TraceModel['tasks'][number]['stack'][number]): Finding | null {
  const exc = seg.exception;
  if (!exc || exc.fn || !exc.address) return null;
  const where = moduleAddress(model, exc.address.toLowerCase());
  if (!where) return null;
  const caller = seg.frames.find((f) => !f.unreliable && f.fn);
  if (!caller || !CALLS_CALLBACK_RE.test(baseName(caller.fn))) return null;
  const label = taskLabel(t);
  const cpu = t.cpu !== null ? `CPU ${t.cpu}` : label;
  const owner = where.name ?? model.lastUnloaded?.name ?? null;
  const unloaded = model.lastUnloaded ? ` [last unloaded: ${model.lastUnloaded.name}]` : '';
  return finding({
    pattern: 'timer-after-module-unload',
    confidence: model.lastUnloaded || where.name ? 0.8 : 0.65,
    headline: `${cpu}: ${baseName(caller.fn)} called a timer callback at ${exc.address}, in ${where.name ? `${where.name}'s former memory` : 'the module area'} with no symbol${unloaded}: a timer of an unloaded module${owner ? ` (${owner})` : ''} fired`,
    blockingChain: [],
    cycle: false,
    suspectLock: null,
    keyFrames: [baseName(caller.fn)],
    checklist: CHECKLIST,
    nextSteps: [
      `crash> sym ${exc.address}   (no symbol: the owning module was unloaded)`,
      'crash> mod   (loaded modules; compare with the address)',
      'crash> log | grep -i -e unload -e rmmod -e "module"',
      `crash> dis -l ${baseName(caller.fn)}`,
    ],
  });
}

export function timerFindings(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  for (const t of model.tasks) {
    if (out.length >= MAX_FINDINGS) break;
    t.stack.forEach((seg, i) => {
      const gone = goneCallback(model, t, seg);
      if (gone) {
        out.push(gone);
        return;
      }
      const exc = seg.exception;
      if (!exc || !TIMER_RE.test(baseName(exc.fn))) return;
      const bad = badPointer(model, exc);
      if (!bad) return;
      // the spin that follows: an inner segment (the fault handler's nested code) in the timer-arming path
      const holdsBase = HOLDS_BASE_RE.test(baseName(exc.fn));
      const spin = holdsBase
        ? spinnersOf(t).find((s) => s.segment < i && (ARM_RE.test(s.taker ?? '') || t.stack[s.segment]!.frames.slice(0, 6).some((f) => ARM_RE.test(baseName(f.fn)))))
        : undefined;
      const label = taskLabel(t);
      const cpu = t.cpu !== null ? `CPU ${t.cpu}` : label;
      const at = `${baseName(exc.fn)}${exc.offset !== null ? `+${exc.offset}` : ''}`;
      const baseLock = spin?.lock ?? (holdsBase && isKernelPointer(exc.registers.RDI) ? exc.registers.RDI! : null);
      const sameBase = spin && exc.registers.RDI?.toLowerCase() === spin.lock;
      const chain: ChainLink[] = [];
      if (spin) {
        chain.push({
          task: label,
          waitsOn: `timer base lock ${spin.lock} (${spin.via ?? spin.at} from ${spin.taker ?? 'lock_timer_base'})`,
          primitive: 'spinlock',
          lock: spin.lock,
          heldBy: label,
          evidence: `the page-fault path of ${at} arms a timer and spins on ${spin.lock} (RDI); ${at} ${sameBase ? `had the same base (RDI ${spin.lock}) and` : ''} holds that timer base lock while running expired timers`.replace('  ', ' '),
          lines: uniqLines(spin.exception.lines.slice(0, 2), exc.lines.slice(0, 2)),
        });
      }
      out.push(finding({
        pattern: 'timer-after-module-unload',
        confidence: spin ? (bad.invalidLine ? 0.93 : 0.85) : (bad.invalidLine ? 0.75 : 0.6),
        headline: `${cpu}: ${at} faulted on ${bad.value} (${bad.reg}, ${bad.invalidLine ? 'invalid address' : formerOwner(model, bad.value)}): a timer of an unloaded module fired${spin ? `, and the fault path spins on the timer base lock ${spin.lock} it already holds` : ''}`,
        blockingChain: chain,
        cycle: !!spin,
        suspectLock: baseLock ? {
          primitive: 'spinlock', address: baseLock, name: 'timer base lock (base->lock)', holder: spin ? label : null,
          evidence: `${at} holds the per-CPU timer base lock while it detaches expired timers (RDI = the base)${spin ? `; ${spin.taker ?? 'lock_timer_base'} spins on it in the nested fault path` : ''}`,
          lines: uniqLines(exc.lines.slice(0, 1), spin?.exception.lines.slice(0, 1)),
        } : null,
        keyFrames: [baseName(exc.fn), ...(spin ? [spin.taker ?? 'lock_timer_base'] : [])],
        checklist: CHECKLIST,
        nextSteps: [
          `crash> rd ${bad.value}   (invalid = the module memory is gone)`,
          `crash> dis -l ${at}`,
          `crash> sym ${bad.value}   (no symbol: the owning module was unloaded)`,
          'crash> mod   (loaded modules; compare with the address)',
          'crash> log | grep -i -e unload -e rmmod -e "module"',
          ...(baseLock ? [`crash> struct tvec_base ${baseLock}   (timer_base on 4.8+)`] : []),
        ],
      }));
    });
  }
  return out;
}

export const timerAfterModuleUnload: Plugin = {
  id: 'timer-after-module-unload',
  title: 'Timer of an unloaded module fired',
  families: '*',
  run: timerFindings,
};

export default timerAfterModuleUnload;
