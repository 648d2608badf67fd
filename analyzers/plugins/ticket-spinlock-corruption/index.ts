// ticket-spinlock-corruption: a CPU spins on a ticket spinlock whose dumped word shows that its
// ticket can never come up (decode.ts explains the layouts and the arithmetic). Causes: an extra
// unlock, or the lock re-initialised while held or while a CPU waits on it; the documented one
// (seed 004, mpt2sas) is init_completion() run after the request was submitted, racing the
// interrupt-side complete() that held the completion's wait.lock, so the lock was reset under it.
// Only reported with a spinner and a ticket layout; a qspinlock dump is decoded, never judged.

import type { ChainLink, Finding } from '../../contract.ts';
import type { TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { allSpinners } from '../../graph/spin.ts';
import { ipiLink, ipiWaiters } from '../../graph/ipi.ts';
import { taskLabel } from '../../graph/resolve.ts';
import { finding, keyFramesOf, uniqLines } from '../../graph/finding-kit.ts';
import { taskFrames } from '../generic-helpers/index.ts';
import { decodeSpinlock, ticketVerdict } from './decode.ts';

const CHECKLIST = [
  'Look for a second unlock of this lock on some path (error handling, a callback that unlocks on behalf of the caller): every extra unlock moves Owner past Next.',
  'Look for spin_lock_init()/init_completion()/init_waitqueue_head() on an object that may be in use: re-initialising resets the lock word while another CPU holds it or waits on it.',
  'For completions: call init_completion() (or reinit_completion()) before the request is handed to the hardware or another thread, never after; otherwise the completing interrupt can hold wait.lock while it is reset.',
  'Check the driver against upstream fixes for the same path (for mpt2sas: init_completion before mpt2sas_base_put_smid_default in _ctl_do_mpt_command).',
];

const LOCK_TYPES = /^(?:struct )?(?:spinlock_t|raw_spinlock_t|spinlock|raw_spinlock|arch_spinlock_t|qspinlock|rwlock_t|qrwlock)$/;
const UAF_ITEM = 'The lock word holds slab poison (0x6b, POISON_FREE): the object that embeds the lock was freed while this CPU still used it. Find who frees it (kmem ADDR names the cache; slub_debug=U records the free) and the path that keeps using it: a missing reference count or a disconnect/remove path that frees before the users are gone.';
const PV_RE = /^__?pv_|_slowpath_paravirt|__ticket_spin_lock_slowpath|kvm_lock_spinning|xen_lock_spinning/;
const COMPLETION_RE = /^(?:wait_for_common|__wait_for_common|do_wait_for_common|wait_for_completion\w*|complete|complete_all)$/;

export function ticketFindings(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  // only a dumped spinlock can be decoded: without one there is nothing to look at
  if (!model.structs.some((s) => LOCK_TYPES.test(s.type) && s.address)) return out;
  const spinners = allSpinners(model.tasks);
  const pv = model.tasks.some((t) => taskFrames(t).some((f) => PV_RE.test(f)));
  const byLock = new Map<string, typeof spinners>();
  for (const x of spinners) {
    const l = byLock.get(x.lock);
    if (l) l.push(x);
    else byLock.set(x.lock, [x]);
  }
  const waiters = ipiWaiters(model).slice(0, 16);
  for (const s of model.structs) {
    if (out.length >= 4) break;
    if (!LOCK_TYPES.test(s.type) || !s.address) continue;
    const on = (byLock.get(s.address) ?? []).slice(0, 16);
    if (on.length === 0) continue;
    const d = decodeSpinlock(s, { pvTickets: pv });
    const v = ticketVerdict(d, new Set(on.map((x) => x.task.key)).size);
    if (!v?.corrupt) continue;
    const main = on[0]!;
    const t = main.task;
    const frames = taskFrames(t);
    const inCompletion = frames.some((f) => COMPLETION_RE.test(f));
    const chain: ChainLink[] = [];
    for (const w of waiters) {
      if (on.some((x) => x.task === w.task)) continue;
      chain.push(ipiLink(w, t, `spins with interrupts disabled on ${s.address}`));
    }
    for (const o of on) {
      chain.push({
        task: taskLabel(o.task),
        waitsOn: `spinlock ${s.address} (${o.via ?? o.at}${o.taker ? ` from ${o.taker}` : ''})${inCompletion && o === main ? ', the completion\'s wait.lock' : ''}`,
        primitive: 'spinlock',
        lock: s.address,
        heldBy: null,
        evidence: `RDI = ${s.address} in ${o.at}; ${d.text}; ${v.why}`,
        lines: uniqLines(o.exception.lines.slice(0, 2), [s.line]),
      });
    }
    const cpu = t.cpu !== null ? `CPU ${t.cpu}` : taskLabel(t);
    out.push(finding({
      pattern: 'ticket-spinlock-corruption',
      confidence: 0.9,
      headline: d.kind === 'qspinlock'
        ? `${cpu} (${taskLabel(t)}) spins forever on ${s.address}, whose word is not a lock: ${d.impossible ?? v.why}`
        : `${cpu} (${taskLabel(t)}) spins forever on corrupted ticket spinlock ${s.address}: ${d.kind === 'ticket-slock' ? `slock = ${d.raw} (Next ${d.next}, Owner ${d.owner})` : `head ${d.owner}, tail ${d.next}`}, Owner is past its ticket`,
      blockingChain: chain,
      cycle: false,
      suspectLock: {
        primitive: 'spinlock', address: s.address, name: inCompletion ? 'completion wait.lock' : null, holder: null,
        evidence: `${d.text}; ${v.why}`, lines: uniqLines([s.line], main.exception.lines.slice(0, 1)),
      },
      keyFrames: [...keyFramesOf(t, 1), ...(inCompletion ? [frames.find((f) => /^(?:wait_for_completion\w*|complete|complete_all)$/.test(f)) ?? 'wait_for_common'] : []), main.via ?? main.at],
      checklist: /0x6b/.test(d.text) ? [UAF_ITEM, ...CHECKLIST.slice(1, 2)] : CHECKLIST,
      nextSteps: [
        `crash> ${s.type.replace(/^struct /, '')} ${s.address}`,
        `crash> rd -32 ${s.address}   (Next in the high half, Owner in the low half)`,
        `crash> bt -f ${t.pid ?? ''}   (the object that embeds the lock, e.g. the completion)`.replace('-f  ', '-f <pid> '),
        `crash> kmem ${s.address}`,
        'crash> bt -a   (a CPU that unlocked or re-initialised it is not necessarily still there)',
      ],
    }));
  }
  return out;
}

export const ticketSpinlockCorruption: Plugin = {
  id: 'ticket-spinlock-corruption',
  title: 'Ticket spinlock whose owner ran past the waiting ticket',
  families: '*',
  run: ticketFindings,
};

export default ticketSpinlockCorruption;
