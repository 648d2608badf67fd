// The wait-for graph of one paste. Nodes are tasks (a CPU of `bt -a` is the task running on it);
// an edge says "FROM waits on lock L (primitive P), held by TO" with the evidence and its lines.
// Edges come from every source the paste offers; plugins and analyze() walk them into chains.

import type { ExceptionFrame, HeldLocks, LockdepLock, Report, StructDump, Task, TraceModel, WaiterList } from '../model/trace-model.ts';
import { baseName } from '../classify/frames.ts';
import { factsOfTasks, IPI_WAIT_RE, spinInfoFrom, taskFrames, waitFrom, waitOf, type SpinInfo, type WaitInfo, type WaitPrimitive } from '../plugins/generic-helpers/index.ts';
import { addressLines, isKernelPointer, normHex, ownerTask, ownerWord, taskAt, taskLabel } from './resolve.ts';
import { hexBefore } from '../parse/crash/text-shapes.ts';

export type EdgeSource = 'struct' | 'waiter-list' | 'register' | 'frames' | 'blocker' | 'lockdep' | 'inferred';

export interface WaitEdge {
  from: string; // Task.key of the waiter
  to: string | null; // Task.key of the holder; null = unknown
  /** Holder label when the holder is named but has no task in the model (blocker line, raw address). */
  toLabel: string | null;
  primitive: string;
  lock: string | null; // address or symbolic name
  waitsOn: string;
  evidence: string;
  lines: number[];
  source: EdgeSource;
  /** The waiter waits for `to` only because `to` is ahead of it in the lock's queue (a reader behind a
   *  waiting writer): `to` holds nothing. The walk goes on through it; the link names the lock's
   *  holder (`toLabel`, null when not known) instead. */
  queued?: true;
}

export interface WaitGraph {
  tasks: Map<string, Task>;
  edges: WaitEdge[];
  /** Edges by waiter key (kept in step with `edges` by buildWaitGraph; rebuilt lazily if edges grow). */
  byFrom?: Map<string, WaitEdge[]>;
}

// How much an edge is worth when a node has several: a dump beats an inference from frames.
const RANK: Record<EdgeSource, number> = { struct: 6, 'waiter-list': 5, blocker: 4, lockdep: 3, register: 2, inferred: 1, frames: 0 };
export function edgeRank(e: WaitEdge): number {
  return RANK[e.source] + (e.to ? 10 : 0);
}

const INDEXED = new WeakMap<Map<string, WaitEdge[]>, number>();

export function outEdges(g: WaitGraph, key: string): WaitEdge[] {
  let idx = g.byFrom;
  // the count of indexed edges is kept beside the index: summing the lists on every call made
  // walking a 10k-task graph quadratic
  if (!idx || INDEXED.get(idx) !== g.edges.length) {
    idx = new Map();
    for (const e of g.edges) {
      const l = idx.get(e.from);
      if (l) l.push(e);
      else idx.set(e.from, [e]);
    }
    g.byFrom = idx;
    INDEXED.set(idx, g.edges.length);
  }
  return [...(idx.get(key) ?? [])].sort((a, b) => edgeRank(b) - edgeRank(a));
}

// One graph per parsed model: several plugins and analyze() ask for it.
const MEMO = new WeakMap<TraceModel, WaitGraph>();

/** The wait-for graph of a model, built once. Callers must not modify it. */
export function waitGraphOf(model: TraceModel): WaitGraph {
  let g = MEMO.get(model);
  if (!g) {
    g = buildWaitGraph(model);
    MEMO.set(model, g);
  }
  return g;
}

export function holderLabel(g: WaitGraph, e: WaitEdge): string | null {
  if (e.queued) return e.toLabel;
  if (e.to) {
    const t = g.tasks.get(e.to);
    return t ? taskLabel(t) : e.to;
  }
  return e.toLabel;
}

const MUTEX_SLOW_RE = /^(?:__mutex_lock\w*|mutex_lock\w*|__ww_mutex_lock\w*|ww_mutex_lock\w*|mutex_spin_on_owner|__rt_mutex_slowlock\w*|rt_mutex_slowlock)$/;

// Frames where a work item runs: a task with these is a worker executing a work item (kernel/workqueue.c).
const WORKER_RE = /^process_one_work$/;
const isWorkerFrame = (f: string): boolean => WORKER_RE.test(f);
// Callers that wait for IPIs (kernel/smp.c, arch/x86/mm/tlb.c): kept with the other per-name answers.
export { IPI_WAIT_RE };

export function isBlockedWorker(t: Task): boolean {
  return t.state === 'D' && taskFrames(t).some(isWorkerFrame);
}

/** RFLAGS.IF (bit 9) of the innermost exception frame: false = that code ran with interrupts off. */
export function irqsEnabledAt(t: Task): boolean | null {
  const exc = t.stack.find((s) => s.exception)?.exception;
  const f = exc?.registers.RFLAGS;
  if (!f || !/^[0-9a-f]+$/i.test(f)) return null;
  return (parseInt(f, 16) & 0x200) !== 0;
}

export function buildWaitGraph(model: TraceModel): WaitGraph {
  // loops, no per-task closures or arrays: the spin and frame sections run on every task of a foreach bt
  const tasks = new Map<string, Task>();
  for (const t of model.tasks) tasks.set(t.key, t);
  const g: WaitGraph = { tasks, edges: [] };
  const byFrom = new Map<string, WaitEdge[]>();
  const has = (from: string, lock: string | null): boolean => {
    const list = byFrom.get(from);
    if (list === undefined) return false;
    if (lock === null) return list.length > 0;
    for (const e of list) if (e.lock === lock) return true;
    return false;
  };
  const add = (e: WaitEdge): void => {
    const list = byFrom.get(e.from);
    if (list === undefined) byFrom.set(e.from, [e]);
    else {
      for (const x of list) if (x.to === e.to && x.lock === e.lock && x.primitive === e.primitive) return;
      list.push(e);
    }
    g.edges.push(e);
  };

  let inMutexSlow: Map<string, Array<{ t: Task; exc: ExceptionFrame }>> | null = null;

  // MUTEX_FLAG_PICKUP (0x04, kernel/locking/mutex.c): the unlocker handed the mutex to its top waiter,
  // whose task is now in the owner word; it owns the lock as soon as it runs and leaves the slow
  // path. That waiter is not waiting on itself: a self-loop there is a handoff not yet picked up
  // (a runnable task starved of CPU), never a self-deadlock.
  const addMutex = (s: StructDump, e0: WaitEdge): void => {
    // an owner word naming no task of the paste, whose task_struct `kmem -s` shows FREE: the owner
    // exited holding the lock (or the word is stale); no task can release it, and none is named
    const dead = e0.toLabel?.startsWith('task ') ? model.slabObjects?.find((o) => o.free && (o.query === e0.toLabel!.slice(5) || o.object === e0.toLabel!.slice(5))) : undefined;
    const e: WaitEdge = dead ? { ...e0, toLabel: null, evidence: `${e0.evidence}; kmem -s shows ${dead.object}${dead.cache ? ` (${dead.cache})` : ''} FREE: the owner has exited, no task holds it now`, lines: uniq([...e0.lines, dead.line]) } : e0;
    const word = ownerWord(s.fields.owner ?? s.fields['owner.counter']);
    if (e.to === null || e.to !== e.from || /rt_mutex/.test(s.type) || !word || (parseInt(word.slice(-1), 16) & 4) === 0) {
      add(e);
      return;
    }
    const t = model.tasks.find((x) => x.key === e.from);
    add({
      ...e, to: null, toLabel: null,
      waitsOn: `mutex ${s.address} handed over to it (MUTEX_FLAG_PICKUP), not yet taken`,
      evidence: `struct mutex ${s.address}: owner word ${word} has MUTEX_FLAG_PICKUP: the lock was handed to ${t ? taskLabel(t) : 'this waiter'}, which owns it once it runs${t?.state === 'R' ? ' (state R: runnable, waiting for a CPU)' : ''}; not a self-deadlock`,
    });
  };
  // 1. struct mutex dumps: owner (flag bits masked) and the waiters of wait_list (mutex_waiter.task)
  for (const s of model.structs) {
    if (!/^(?:struct )?(?:mutex|ww_mutex|rt_mutex)$/.test(s.type) || !s.address) continue;
    const ownerAddr = ownerTask(s.fields.owner ?? s.fields['owner.counter'] ?? s.fields['base.owner'] ?? s.fields['base.owner.counter']);
    const owner = ownerAddr ? taskAt(model, ownerAddr) : null;
    const first = normHex(s.fields['wait_list.next'] ?? s.fields['base.wait_list.next']);
    // a task interrupted inside the mutex slow path with this lock as its first argument (RDI)
    for (const { t, exc } of (inMutexSlow ??= mutexSlowTasks(model)).get(s.address) ?? []) {
      addMutex(s, {
        from: t.key, to: owner?.key ?? null, toLabel: owner ? null : ownerAddr ? `task ${ownerAddr}` : null,
        primitive: 'mutex', lock: s.address, waitsOn: `mutex ${s.address}`,
        evidence: `${taskLabel(t)} is in ${exc.fn} with RDI = ${s.address}; struct mutex owner = ${ownerAddr ?? 'none'}${owner ? ` (${taskLabel(owner)})` : ''}`,
        lines: uniq([s.line, ...exc.lines.slice(0, 2)]), source: 'struct',
      });
    }
    // `list mutex_waiter.list -s mutex_waiter.task -h <wait_list.next>` output names the waiters too
    for (const wl of model.waiterLists) {
      if (!/mutex/.test(wl.structType)) continue;
      if (!(wl.head === first || wl.head === s.address || wl.entries.some((en) => en.node === first))) continue;
      for (const en of wl.entries) {
        const waiter = taskAt(model, en.task);
        if (!waiter) continue;
        addMutex(s, {
          from: waiter.key, to: owner?.key ?? null, toLabel: owner ? null : ownerAddr ? `task ${ownerAddr}` : null,
          primitive: 'mutex', lock: s.address, waitsOn: `mutex ${s.address}`,
          evidence: `struct mutex ${s.address}: owner = ${ownerAddr ?? 'none'}${owner ? ` (${taskLabel(owner)})` : ''}; waiter list entry ${en.node}: task ${en.task} (${taskLabel(waiter)})`,
          lines: uniq([s.line, en.line, ...(ownerAddr ? addressLines(model, ownerAddr) : [])]), source: 'struct',
        });
      }
    }
    for (const w of model.structs) {
      if (w.type !== 'mutex_waiter' || !w.address) continue;
      const linked = w.address === first || w.fields['list.next'] === s.address || w.fields['list.prev'] === s.address
        || normHex(w.fields['list.next']) === (s.address && addHex(s.address, 8)) || normHex(w.fields['list.prev']) === (s.address && addHex(s.address, 8));
      if (!linked) continue;
      const waiter = taskAt(model, w.fields.task);
      if (!waiter) continue;
      addMutex(s, {
        from: waiter.key,
        to: owner?.key ?? null,
        toLabel: owner ? null : ownerAddr ? `task ${ownerAddr}` : null,
        primitive: 'mutex',
        lock: s.address,
        waitsOn: `mutex ${s.address}`,
        evidence: `struct mutex ${s.address}: owner = ${ownerAddr ?? 'none'}${owner ? ` (${taskLabel(owner)})` : ''}; mutex_waiter ${w.address}.task = ${normHex(w.fields.task)} (${taskLabel(waiter)})`,
        lines: uniq([s.line, w.line, ...(ownerAddr ? addressLines(model, ownerAddr) : []), ...addressLines(model, waiter.task ?? '')]),
        source: 'struct',
      });
    }
  }

  // 1b. the first and last mutex_waiter of a wait_list live on their waiters' own stacks (a local of
  // __mutex_lock, kernel/locking/mutex.c): a wait_list address inside a task's stack range (crash's
  // "#N [sp]" values) names that waiter without a mutex_waiter dump. An empty list points into the
  // mutex itself, on no task's stack.
  // rt_mutex (and PREEMPT_RT's sleeping spinlock_t, an rt_mutex_base) keeps its waiters in an rbtree
  // of rt_mutex_waiter, also locals of the waiters (kernel/locking/rtmutex.c): the root and the
  // leftmost node name waiters the same way; its owner word carries RT_MUTEX_HAS_WAITERS in bit 0.
  for (const s of model.structs) {
    if (!/^(?:struct )?(?:mutex|ww_mutex|rt_mutex|rt_mutex_base)$/.test(s.type) || !s.address) continue;
    const ownerAddr = ownerTask(s.fields.owner ?? s.fields['owner.counter'] ?? s.fields['base.owner'] ?? s.fields['base.owner.counter']);
    const owner = ownerAddr ? taskAt(model, ownerAddr) : null;
    const rt = /rt_mutex/.test(s.type);
    const ends = rt
      ? [normHex(s.fields['waiters.rb_leftmost'] ?? s.fields['base.waiters.rb_leftmost']), normHex(s.fields['waiters.rb_root.rb_node'] ?? s.fields['base.waiters.rb_root.rb_node'])]
      : [normHex(s.fields['wait_list.next'] ?? s.fields['base.wait_list.next']), normHex(s.fields['wait_list.prev'] ?? s.fields['base.wait_list.prev'])];
    for (const [i, addr] of ends.entries()) {
      if (!addr || (i === 1 && addr === ends[0])) continue;
      // (the owner's own stack too: a task waiting on a mutex it holds, mutex-self-deadlock's shape)
      const waiter = taskOnStack(model, addr);
      if (!waiter) continue;
      addMutex(s, {
        from: waiter.key, to: owner?.key ?? null, toLabel: owner ? null : ownerAddr ? `task ${ownerAddr}` : null,
        primitive: rt ? 'rt_mutex' : 'mutex', lock: s.address, waitsOn: `${rt ? 'rt_mutex' : 'mutex'} ${s.address}`,
        evidence: `struct ${s.type.replace(/^struct /, '')} ${s.address}: owner = ${ownerAddr ?? 'none'}${owner ? ` (${taskLabel(owner)})` : ''}; ${rt ? (i === 0 ? 'waiters.rb_leftmost' : 'waiters.rb_root.rb_node') : `wait_list.${i === 0 ? 'next' : 'prev'}`} ${addr} is on ${taskLabel(waiter)}'s stack (${waiter.spRange!.low}-${waiter.spRange!.high})`,
        lines: uniq([s.line, ...waiter.lines.slice(0, 1), ...(ownerAddr ? addressLines(model, ownerAddr) : [])]), source: 'struct',
      });
    }
  }

  // 2. rwsem waiter lists: FIFO queue. Readers behind a queued writer wait for that writer
  // (kernel/locking/rwsem.c: a waiting writer stops new readers from joining the read side);
  // the first waiter waits for whoever holds the lock now.
  for (const wl of model.waiterLists) {
    if (/mutex/.test(wl.structType)) continue; // handled with the mutex dumps above
    const sem = rwsemOf(model, wl);
    const lock = sem?.address ?? wl.head;
    const queued = wl.entries.map((x) => x.task);
    const owner = rwsemOwner(model, sem, queued);
    // who holds the lock now (the first waiter's edge names it; readers queued behind a writer show it too)
    const current = owner?.task ?? (lock ? rwsemReadHolder(model, queued) : null);
    let writerAhead: Task | null = null;
    for (const [i, en] of wl.entries.entries()) {
      const t = taskAt(model, en.task);
      if (!t) continue;
      const isWrite = /WRITE/i.test(en.type ?? '');
      const lines = uniq([en.line, ...addressLines(model, en.task ?? '')]);
      if (!isWrite && writerAhead) {
        add({
          from: t.key, to: writerAhead.key, toLabel: current ? taskLabel(current) : null, primitive: 'rwsem_read', lock,
          waitsOn: `rw_semaphore ${lock ?? ''} (read), queued behind writer ${taskLabel(writerAhead)}`.replace('  ', ' '),
          evidence: `rwsem_waiter list of ${lock}: READ waiter queued after WRITE waiter ${taskLabel(writerAhead)} (rwsem fairness: new readers wait for the queued writer, which holds nothing yet)`,
          lines, source: 'waiter-list', queued: true,
        });
      } else if (i === 0 || !isWrite) {
        // the first waiter, or a reader with only readers ahead of it: all wait for the current
        // holder, and are woken together when it releases (rwsem_mark_wake wakes the readers in front)
        const holder = current;
        add({
          from: t.key, to: holder?.key ?? null, toLabel: null, primitive: isWrite ? 'rwsem_write' : 'rwsem_read', lock,
          waitsOn: `rw_semaphore ${lock} (${isWrite ? 'write' : 'read'})`,
          evidence: (i > 0 ? `waiter ${i + 1} on ${lock}, with only readers ahead of it` : `first waiter on ${lock}`) + (owner
            ? `; owner word ${owner.raw} names ${taskLabel(owner.task)}${owner.reader ? ' (RWSEM_READER_OWNED: a reader holds it)' : ''}`
            : holder
              ? `; ${taskLabel(holder)} is blocked inside the page-fault path, which runs with the mmap lock held for read`
              : `; the current holder is not in the list`),
          lines: holder ? uniq([...lines, ...holder.lines.slice(0, 1), ...(owner && sem ? [sem.line] : [])]) : lines, source: owner ? 'struct' : holder ? 'inferred' : 'waiter-list',
        });
      }
      if (isWrite && !writerAhead) writerAhead = t;
    }
  }

  // 2b. an rw_semaphore dump without a waiter list: like a mutex's, its first and last rwsem_waiter
  // are locals of the waiters' slow paths (rwsem_down_read_slowpath/rwsem_down_write_slowpath), so
  // wait_list.next/prev on a task's stack name those waiters. The holder is the owner word's task
  // (rwsemOwner: a reader-owned word only when it cannot be stale); a reader behind a writer at the
  // head of the queue waits for that writer first.
  for (const s of model.structs) {
    if (!/^(?:struct )?rw_semaphore$/.test(s.type) || !s.address) continue;
    if (model.waiterLists.some((wl) => rwsemOf(model, wl) === s)) continue; // read with its list above
    const ends = [normHex(s.fields['wait_list.next']), normHex(s.fields['wait_list.prev'])];
    const waiters: Array<{ t: Task; write: boolean; end: 'next' | 'prev' }> = [];
    for (const [i, addr] of ends.entries()) {
      if (!addr || (i === 1 && addr === ends[0])) continue;
      const t = taskOnStack(model, addr);
      if (!t || waiters.some((w) => w.t === t)) continue;
      const w = waitOf(t);
      if (w?.primitive !== 'rwsem_read' && w?.primitive !== 'rwsem_write') continue;
      waiters.push({ t, write: w.primitive === 'rwsem_write', end: i === 0 ? 'next' : 'prev' });
    }
    if (waiters.length === 0) continue;
    const owner = rwsemOwner(model, s, waiters.map((w) => w.t.task));
    for (const [i, w] of waiters.entries()) {
      const first = waiters[0]!;
      const behindWriter = i > 0 && first.write && !w.write;
      const mode = w.write ? 'write' : 'read';
      add({
        from: w.t.key, to: behindWriter ? first.t.key : owner?.task.key ?? null, toLabel: behindWriter && owner ? taskLabel(owner.task) : null,
        primitive: `rwsem_${mode}`, lock: s.address,
        waitsOn: `rw_semaphore ${s.address} (${mode})${behindWriter ? `, queued behind writer ${taskLabel(first.t)}` : ''}`,
        evidence: `struct rw_semaphore ${s.address}: wait_list.${w.end} is on ${taskLabel(w.t)}'s stack`
          + (behindWriter ? `, behind the writer ${taskLabel(first.t)} at the head of the queue (rwsem fairness)` : '')
          + (owner ? `; owner word ${owner.raw} names ${taskLabel(owner.task)}${owner.reader ? ' (RWSEM_READER_OWNED: the last reader to take it)' : ''}` : '; the owner word names no task that can be holding it'),
        lines: uniq([s.line, ...w.t.lines.slice(0, 1), ...(owner ? owner.task.lines.slice(0, 1) : [])]), source: 'struct',
        ...(behindWriter ? { queued: true as const } : {}),
      });
    }
  }

  // 3. hung-task blocker lines ("blocked on a mutex likely owned by task X:PID", v6.15+)
  for (const r of model.reports) {
    if (!r.blocker) continue;
    const t = r.taskKeys.map((k) => g.tasks.get(k)).find(Boolean) ?? (r.pid !== null ? model.tasks.find((x) => x.pid === r.pid) : undefined);
    if (!t) continue;
    const disproved = blockerOwnerDisproved(model, r.blocker);
    const owner = disproved ? null : model.tasks.find((x) => x.pid === r.blocker!.ownerPid) ?? null;
    const lock = disproved ? null : blockerLock(model, t, waitOf(t), r.blocker);
    add({
      from: t.key, to: owner?.key ?? null, toLabel: owner || disproved ? null : `${r.blocker.ownerComm}:${r.blocker.ownerPid}`,
      primitive: r.blocker.primitive, lock: lock?.address ?? null,
      waitsOn: lock ? `${lock.name} ${lock.address}` : `${r.blocker.primitive} (hung-task blocker line)`,
      evidence: disproved ?? `the hung-task detector names ${r.blocker.ownerComm}:${r.blocker.ownerPid} as the likely owner${lock ? `; the lockdep lists agree: both list ${lock.name} ${lock.address}, taken by the waiter at ${lock.at}` : ''}`,
      lines: lock ? [r.line, r.blocker.line, lock.line] : [r.line, r.blocker.line], source: 'blocker',
    });
  }

  // 4. lockdep "N locks held by X/PID" lists: the acquirer waits for whoever else holds the lock
  for (const r of model.reports) {
    const ld = r.lockdep;
    if (!ld?.acquiring || !ld.acquirer) continue;
    const acq = model.tasks.find((x) => x.pid === ld.acquirer!.pid);
    if (!acq) continue;
    for (const h of ld.heldBy) {
      if (h.pid === ld.acquirer.pid) continue;
      if (!h.locks.some((l) => l.name === ld.acquiring!.name)) continue;
      const owner = model.tasks.find((x) => x.pid === h.pid) ?? null;
      add({
        from: acq.key, to: owner?.key ?? null, toLabel: owner ? null : `${h.comm}:${h.pid}`,
        primitive: 'lock', lock: ld.acquiring.name, waitsOn: ld.acquiring.name,
        evidence: `lockdep lists ${ld.acquiring.name} among the locks held by ${h.comm}/${h.pid}`,
        lines: [ld.acquiring.line, h.line], source: 'lockdep',
      });
    }
  }

  // 5. spinning CPUs: lock address from RDI of the exception frame inside the slow path
  const facts = factsOfTasks(model.tasks);

  // 4b. held-lock lists (sysrq-d, or printed with a hung-task report): lockdep enters a lock in a
  // task's list when the task starts to take it, before it sleeps (kernel/locking/lockdep.c
  // __lock_acquire runs before the mutex/rwsem slow path), so a list names waiters and holders
  // alike. A task waits for the last lock of its list when its stack sleeps in a lock primitive
  // called from exactly where lockdep says that lock was taken (same function and offset); every
  // other task listing the same lock (same address) without waiting for it holds it.
  if (model.heldLocks?.length || model.reports.some((r) => r.lockdep?.heldBy.length)) {
    heldLockEdges(model, facts, add, has);
    heldLockSiteEdges(model, facts, add, has);
  }
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    const spin = spinInfoFrom(t, facts[i]!);
    // spinInfo's address is null or already a kernel pointer (the same /^ffff[0-9a-f]{12}$/ test)
    if (!spin || spin.address === null || has(t.key, spin.address)) continue;
    add(new SpinEdge(t.key, spin, spin.address));
  }

  // 5b. kernfs/sysfs removal: kernfs_drain waits until no task is inside an operation on the nodes
  // being removed (fs/kernfs/dir.c: each kernfs_fop_* call holds an active reference, kn->active).
  // A task inside such an operation holds one; with exactly one such task in the paste, it is the
  // one drained for (a sysfs store that itself waits on a lock the remover holds closes an ABBA).
  kernfsDrainEdges(model, add, has);
  // 5c. the driver core's device lock (dev->mutex, include/linux/device.h device_lock): unbind holds
  // it across the driver's remove, probe and shutdown across theirs; pci_reset_function and friends
  // take it. No address is printed, so a waiter is tied to the one task in such a section only.
  deviceLockEdges(model, facts, add, has);
  // 5d. SRCU notifier chains (kernel/notifier.c): srcu_notifier_chain_unregister waits in
  // synchronize_srcu for every task inside srcu_notifier_call_chain (an SRCU read section) to leave
  srcuNotifierEdges(model, facts, add, has);
  // 5e. jbd2: the commit waits for running handles, new handles and fsync wait for the commit
  jbd2Edges(model, facts, add, has);

  // 6. frames: flushers wait on a blocked worker; everything else blocked gets an open edge
  const workers = model.tasks.filter(isBlockedWorker);
  const picker = workerPicker(workers);
  let rtnlHolders: Task[] | null = null;
  let th: Task | null = null; // the hotplug thread a cpuhp kick waits for
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    // the wait first (from the facts; a task without a stack has none), the task itself and the edge
    // lookup by key only for tasks that wait
    const w = waitFrom(t, facts[i]!);
    if (!w || has(t.key, null)) continue;
    if (w.primitive === 'flush_workqueue' || w.primitive === 'flush_work') {
      // A worker flushing work on its own ordered workqueue (max_active 1) while items wait behind the
      // one it runs: they cannot start before it returns, so it waits for itself. The busy-workqueue
      // dump (sysrq-t / watchdog) shows the workqueue, its in-flight worker pid and what is queued.
      const own = orderedQueueOf(model, t);
      if (own) {
        const behind = [...own.inactive, ...own.pending];
        add({
          from: t.key, to: t.key, toLabel: null, primitive: w.primitive, lock: null,
          waitsOn: `${w.primitive === 'flush_work' ? 'work item flush' : 'workqueue flush'} (${flushApi(t, w.at)})`,
          evidence: `${taskLabel(t)} runs ${own.inFlight.find((x) => x.pid === t.pid)?.fn ?? 'a work item'} on the ordered workqueue ${own.name} (max_active ${own.maxActive}) and waits in ${w.at}; ${behind.slice(0, 3).join(', ')} ${behind.length > 1 ? 'are' : 'is'} queued behind it and cannot start until it returns`,
          lines: uniq([...t.lines.slice(0, 2), own.line]), source: 'inferred',
        });
        continue;
      }
      const wk = picker(t, w.primitive === 'flush_work');
      add({
        from: t.key, to: wk?.key ?? null, toLabel: null, primitive: w.primitive, lock: null,
        waitsOn: `${w.primitive === 'flush_work' ? 'work item flush' : 'workqueue flush'} (${flushApi(t, w.at)})`,
        evidence: wk
          ? `${taskLabel(t)} waits in ${w.at}; ${taskLabel(wk)} is a worker in D state inside process_one_work, so the flushed work cannot finish`
          : `${taskLabel(t)} waits in ${w.at}; no blocked worker in the paste`,
        lines: uniq([...t.lines.slice(0, 2), ...(wk ? wk.lines.slice(0, 2) : [])]), source: wk ? 'inferred' : 'frames',
      });
    } else if (w.primitive === 'mutex' && (RTNL_TAIL_CALLERS.test(w.blame[0] ?? '') || taskFrames(t, { exceptions: false }).slice(0, 8).some((f) => /^rtnl_lock(?:_killable)?$/.test(f)))) {
      // rtnl_mutex: rtnetlink_rcv_msg runs every doit handler (rtnl_newlink, do_setlink...) with
      // it held (net/core/rtnetlink.c), so a task inside one of those holds RTNL
      // the first task holding RTNL other than this one: the first two holders, found once
      rtnlHolders ??= firstRtnlHolders(model);
      const holder = rtnlHolders.find((x) => x !== t);
      add({
        from: t.key, to: holder?.key ?? null, toLabel: null, primitive: 'mutex', lock: 'rtnl_mutex',
        waitsOn: 'rtnl_mutex (rtnl_lock)',
        evidence: holder
          ? `waits in rtnl_lock; ${taskLabel(holder)} is inside ${taskFrames(holder).find((f) => RTNL_HELD_RE.test(f))}, which runs with rtnl_mutex held`
          : 'waits in rtnl_lock; no task in the paste shows RTNL held',
        lines: uniq([...t.lines.slice(0, 2), ...(holder ? holder.lines.slice(0, 1) : [])]), source: holder ? 'inferred' : 'frames',
      });
    } else if (w.primitive === 'completion' && w.blame.some((f) => CPUHP_KICK_RE.test(f)) && (th = cpuhpThread(model, t)) !== null) {
      // CPU hotplug: the task taking a CPU down or up (cpu_hotplug_lock held for write) kicks the
      // CPU's hotplug thread and waits for it to run the state callbacks (kernel/cpu.c
      // cpuhp_kick_ap_work -> wait_for_ap_thread): it waits for cpuhp/N
      add({
        from: t.key, to: th.key, toLabel: null, primitive: 'completion', lock: null,
        waitsOn: `CPU hotplug thread ${th.comm} (cpuhp_kick_ap_work)`,
        evidence: `${taskLabel(t)} waits in ${w.blame.find((f) => CPUHP_KICK_RE.test(f))} for the hotplug thread to run the CPU's state callbacks; ${taskLabel(th)} is that thread, blocked in ${taskFrames(th).find((f) => !/^(?:__schedule|schedule\w*)$/.test(f)) ?? 'its callback'}`,
        lines: uniq([...t.lines.slice(0, 1), ...th.lines.slice(0, 1)]), source: 'inferred',
      });
    } else if (t.state === 'D' || t.state === null) {
      add(new FramesEdge(t, w));
    }
  }
  g.byFrom = byFrom;
  // the index is complete: outEdges would otherwise rebuild it on its first call
  INDEXED.set(byFrom, g.edges.length);
  return g;
}

// The open edges of spinning and blocked stacks (a 10k-task foreach bt has thousands; a finding reads
// a few): their descriptions and lines are made when first read, and kept. Plain data otherwise.

/** A spinning CPU: the lock address is RDI of the exception frame inside the slow path. */
class SpinEdge implements WaitEdge {
  readonly to = null;
  readonly toLabel = null;
  readonly primitive = 'spinlock';
  readonly source = 'register';
  readonly lock: string;
  #spin: SpinInfo;
  #waitsOn: string | undefined = undefined;
  #evidence: string | undefined = undefined;
  #lines: number[] | undefined = undefined;

  constructor(readonly from: string, spin: SpinInfo, lock: string) {
    this.lock = lock;
    this.#spin = spin;
  }

  get waitsOn(): string {
    return (this.#waitsOn ??= `spinlock ${this.lock} (${this.#spin.at})`);
  }

  get evidence(): string {
    return (this.#evidence ??= `${this.#spin.exception?.fn ?? this.#spin.at} interrupted in the spin loop; RDI = ${this.lock} is the lock argument`);
  }

  get lines(): number[] {
    return (this.#lines ??= this.#spin.exception?.lines.slice(0, 2) ?? []);
  }
}

/** A blocked stack whose holder is unknown: where it waits, from its frames. */
class FramesEdge implements WaitEdge {
  readonly to = null;
  readonly toLabel = null;
  readonly lock = null;
  readonly source = 'frames';
  readonly from: string;
  readonly primitive: string;
  #t: Task;
  #w: WaitInfo;
  #waitsOn: string | undefined = undefined;
  #evidence: string | undefined = undefined;
  #lines: number[] | undefined = undefined;

  constructor(t: Task, w: WaitInfo) {
    this.from = t.key;
    this.primitive = w.primitive;
    this.#t = t;
    this.#w = w;
  }

  get waitsOn(): string {
    const w = this.#w;
    return (this.#waitsOn ??= `${w.primitive} (${w.at}${w.blame[0] ? ` from ${w.blame[0]}` : ''})`);
  }

  get evidence(): string {
    return (this.#evidence ??= `stack waits in ${this.#w.at}`);
  }

  get lines(): number[] {
    return (this.#lines ??= this.#t.lines.slice(0, 2));
  }
}

/**
 * The rw_semaphore a waiter list belongs to: `list -h` is often given the first waiter node (the
 * wait_list.next of the dump) rather than the semaphore, so match a `struct rw_semaphore` dump by its
 * wait_list.next or address; with a single rw_semaphore dump in the paste, that one.
 */
export function rwsemOf(model: TraceModel, wl: WaiterList): StructDump | null {
  const sems = model.structs.filter((x) => /^(?:struct )?rw_semaphore$/.test(x.type) && x.address);
  return sems.find((x) => x.address === wl.head || normHex(x.fields['wait_list.next']) === wl.head)
    ?? (sems.length === 1 ? sems[0]! : null);
}

/**
 * The task in an rwsem owner word. Writers store their task; readers store the last reader's task
 * with RWSEM_READER_OWNED (bit 0) set, and bit 1 is RWSEM_NONSPINNABLE (kernel/locking/rwsem.c), so
 * a reader-owned word names one reader that holds (or recently held) the read side.
 */
export function rwsemOwner(model: TraceModel, sem: StructDump | null, queued: ReadonlyArray<string | null>): { task: Task; reader: boolean; raw: string } | null {
  const raw = sem ? normHex(sem.fields['owner.counter'] ?? sem.fields.owner) : null;
  if (!raw || !isKernelPointer(raw)) return null;
  const t = taskAt(model, ownerTask(raw));
  if (!t || (t.task && queued.includes(t.task))) return null;
  const reader = (parseInt(raw.slice(-1), 16) & 1) === 1;
  // readers leave their task in the owner word when they release (only CONFIG_DEBUG_RWSEMS clears
  // it): a reader-owned word is a hint at the last reader. A task sleeping interruptibly with no
  // mm/fault or rwsem frame on its stack (a futex_wait from user space) is not in a read section
  if (reader && (t.state === 'S' || t.state === 'I') && !inReadSection(t)) return null;
  return { task: t, reader, raw };
}

/**
 * Why a hung-task blocker line's owner cannot be the holder, or null when it may be: an rw-semaphore
 * owner tagged "<reader>" comes from the same owner word, only a hint at the last reader (see
 * rwsemOwner), and its dumped stack sleeping interruptibly outside any read section disproves it.
 */
export function blockerOwnerDisproved(model: TraceModel, b: NonNullable<Report['blocker']>): string | null {
  if (!b.ownerReader) return null;
  const t = model.tasks.find((x) => x.pid === b.ownerPid);
  if (!t || t.stack.length === 0 || (t.state !== 'S' && t.state !== 'I') || inReadSection(t)) return null;
  const at = taskFrames(t, { exceptions: false }).find((f) => !/^(?:__schedule|schedule\w*|__switch_to\w*)$/.test(f)) ?? 'an interruptible sleep';
  return `the blocker line names ${b.ownerComm}:${b.ownerPid} <reader>, but for a reader-owned rw-semaphore that is only the last reader to take it, and its stack sleeps (state ${t.state}) in ${at}, outside any read section: the readers holding it are not in the paste`;
}

function inReadSection(t: Task): boolean {
  for (const f of taskFrames(t, { exceptions: false })) if (FAULT_RE.test(f) || RWSEM_WAIT_RE.test(f) || MM_PATH_RE.test(f)) return true;
  return false;
}

// functions that run with an mm's mmap_lock held for read (mm/gup.c, mm/memory.c, fs/proc/base.c)
const MM_PATH_RE = /^(?:__get_user_pages\w{0,16}|get_user_pages\w{0,16}|__access_remote_vm|access_remote_vm|__mm_populate|populate_vma_page_range|walk_page_range|madvise_\w{1,24}|do_madvise|follow_page\w{0,8}|mincore\w{0,16})$/;

// mmap_sem/mmap_lock is held for read across the whole page-fault handler (arch/x86/mm/fault.c);
// a task blocked inside it that is not itself queued on the lock holds the read side.
const FAULT_RE = /^(?:__do_page_fault|do_page_fault|do_user_addr_fault|handle_mm_fault|__handle_mm_fault|exc_page_fault)$/;
const RWSEM_WAIT_RE = /^(?:down_read|down_write|rwsem_down_\w+|call_rwsem_down_\w+|__down_read\w*|__down_write\w*)$/;

export function rwsemReadHolder(model: TraceModel, queued: ReadonlyArray<string | null>): Task | null {
  const q = new Set(queued.filter((x): x is string => !!x));
  for (const t of model.tasks) {
    if (t.task && q.has(t.task)) continue;
    const fr = taskFrames(t, { exceptions: false });
    if (!fr.some((f) => FAULT_RE.test(f))) continue;
    if (fr.some((f) => RWSEM_WAIT_RE.test(f))) continue;
    if (!/^(?:__schedule|schedule)/.test(fr[0] ?? '') && t.state !== 'D') continue;
    return t;
  }
  return null;
}

// The workqueue API a caller used, outermost first in the stack (cancel_work_sync → __cancel_work_timer
// → __flush_work): the outermost one is what the driver called.
const FLUSH_API_RE = /^(?:flush_workqueue|__flush_workqueue|drain_workqueue|destroy_workqueue|flush_scheduled_work|__flush_work|flush_work|flush_delayed_work|__cancel_work_timer|__cancel_work_sync|__cancel_work|cancel_work_sync|cancel_delayed_work_sync|wait_for_completion\w*|__wait_for_common|wait_for_common)$/;

function flushApi(t: Task, inner: string): string {
  const fr = taskFrames(t, { exceptions: false });
  let i = fr.indexOf(inner);
  if (i < 0) return inner;
  let api = inner;
  while (++i < fr.length && FLUSH_API_RE.test(fr[i]!)) if (!/wait_for|__wait/.test(fr[i]!)) api = fr[i]!;
  return api;
}

/**
 * Which blocked worker a flush waits for. flush_work/cancel_work_sync name one work item (only its
 * address, which stacks do not show); prefer a worker running code of the flusher's own driver
 * (same module, or same function-name prefix: mlx5e_close → mlx5e_tx_timeout_work), else the first.
 * For one work item (`specific`) a worker with nothing of the flusher's driver is not taken: a worker
 * runs one item at a time, and one running another driver's work (tpm_dev_async_work while rmmod
 * btusb cancels an hci work) is a different hang.
 */
function workerPicker(workers: readonly Task[]): (flusher: Task, specific: boolean) => Task | null {
  // scores depend only on the flusher's modules and name prefixes: rank the workers once per
  // distinct (modules, prefixes) and keep the best two (the flusher itself may be one of them)
  const bySig = new Map<string, Task[]>();
  const keys = new Map<string, number>();
  for (const w of workers) keys.set(w.key, (keys.get(w.key) ?? 0) + 1);
  return (flusher, specific) => {
    const others = workers.length - (keys.get(flusher.key) ?? 0);
    if (others <= 1 && !specific) return workers.find((x) => x.key !== flusher.key) ?? null;
    const { mods, prefixes } = flusherMarks(flusher);
    if (specific) {
      let best: Task | null = null;
      let score = 0;
      for (const w of workers) {
        if (w.key === flusher.key) continue;
        const sc = workerScore(w, mods, prefixes);
        if (sc > score) {
          best = w;
          score = sc;
        }
      }
      return best;
    }
    const sig = `${[...mods].join(',')}\u0000${[...prefixes].join(',')}`;
    let best = bySig.get(sig);
    if (!best) {
      best = topTwo(workers, (w) => workerScore(w, mods, prefixes));
      bySig.set(sig, best);
    }
    return best.find((x) => x.key !== flusher.key) ?? null;
  };
}

function flusherMarks(flusher: Task): { mods: Set<string>; prefixes: Set<string> } {
  const mods = new Set(flusher.stack.flatMap((s) => s.frames.map((f) => f.module).filter((m): m is string => !!m)));
  const prefixes = new Set(taskFrames(flusher).filter((f) => /^[a-z0-9]+_/.test(f)).map((f) => f.split('_')[0]!));
  return { mods, prefixes };
}

function workerScore(w: Task, mods: Set<string>, prefixes: Set<string>): number {
  const ms = w.stack.some((s) => s.frames.some((f) => f.module && mods.has(f.module))) ? 2 : 0;
  const ps = taskFrames(w).some((f) => /^[a-z0-9]+_/.test(f) && prefixes.has(f.split('_')[0]!) && !/^(?:process|worker|kthread|ret|do|schedule)$/.test(f.split('_')[0]!)) ? 1 : 0;
  return ms + ps;
}

/** The first two of a stable sort by score, best first (what sorting the whole list gave). */
function topTwo(xs: readonly Task[], score: (t: Task) => number): Task[] {
  let a: Task | null = null;
  let sa = -Infinity;
  let b: Task | null = null;
  let sb = -Infinity;
  for (const x of xs) {
    const sc = score(x);
    if (sc > sa) {
      b = a;
      sb = sa;
      a = x;
      sa = sc;
    } else if (sc > sb) {
      b = x;
      sb = sc;
    }
  }
  return [a, b].filter((x): x is Task => x !== null);
}

/** Tasks interrupted inside the mutex slow path, by the lock in RDI (their first such segment). */
function mutexSlowTasks(model: TraceModel): Map<string, Array<{ t: Task; exc: ExceptionFrame }>> {
  const out = new Map<string, Array<{ t: Task; exc: ExceptionFrame }>>();
  for (const t of model.tasks) {
    const exc = t.stack.find((x) => x.exception && MUTEX_SLOW_RE.test(x.exception.fn))?.exception;
    const rdi = exc?.registers.RDI?.toLowerCase();
    if (!exc || !rdi) continue;
    const l = out.get(rdi);
    if (l) l.push({ t, exc });
    else out.set(rdi, [{ t, exc }]);
  }
  return out;
}

function firstRtnlHolders(model: TraceModel): Task[] {
  const out: Task[] = [];
  for (const x of model.tasks) {
    if (x.stack.length > 0 && rtnlHeld(x)) out.push(x);
    if (out.length === 2) break;
  }
  return out;
}

// rtnl_lock() is a tail call to mutex_lock(&rtnl_mutex): its own frame is often missing, and the
// mutex wait sits right under a caller whose only mutex is RTNL (net/core/rtnetlink.c, link_watch.c)
const RTNL_TAIL_CALLERS = /^(?:rtnetlink_rcv_msg|linkwatch_event|__linkwatch_run_queue|rtnl_lock|rtnl_lock_killable|__rtnl_lock)$/;
const RTNL_HELD_RE = /^(?:rtnetlink_rcv_msg|rtnl_newlink|rtnl_setlink|rtnl_dellink|do_setlink|rtnl_newaddr|rtnl_dump_ifinfo)$/;

function rtnlHeld(t: Task): boolean {
  const fr = taskFrames(t, { exceptions: false });
  return fr.some((f) => RTNL_HELD_RE.test(f)) && !fr.slice(0, 8).some((f) => /^rtnl_lock/.test(f)) && !waitsForRtnlByTailCall(fr);
}

/** A mutex wait right under an RTNL-only caller (rtnl_lock's frame lost to its tail call). */
function waitsForRtnlByTailCall(fr: readonly string[]): boolean {
  for (let k = 0; k < fr.length && k < 8; k++) {
    if (!MUTEX_SLOW_RE.test(baseName(fr[k]!))) continue;
    let j = k;
    while (j < fr.length && MUTEX_SLOW_RE.test(baseName(fr[j]!))) j++;
    return j < fr.length && RTNL_TAIL_CALLERS.test(baseName(fr[j]!));
  }
  return false;
}

function addHex(hex: string, n: number): string {
  return (BigInt(`0x${hex}`) + BigInt(n)).toString(16);
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs.filter((x) => Number.isInteger(x) && x > 0))].sort((a, b) => a - b);
}

/** The task whose own stack (crash "#N [sp]" range) holds this address. */
function taskOnStack(model: TraceModel, addr: string): Task | null {
  for (const t of model.tasks) {
    const r = t.spRange;
    if (r && !hexBefore(addr, r.low) && !hexBefore(r.high, addr)) return t;
  }
  return null;
}

interface WqDump { name: string; inFlight: Array<{ pid: number; fn: string }>; pending: string[]; inactive?: string[]; maxActive?: number | null; line: number }

/** The ordered workqueue (max_active 1) this task runs a work item of, when work is queued behind it. */
function orderedQueueOf(model: TraceModel, t: Task): (WqDump & { inactive: string[] }) | null {
  if (t.pid === null) return null;
  for (const r of model.reports) {
    const wqs = r.details.workqueues as WqDump[] | undefined;
    if (!wqs) continue;
    for (const q of wqs) {
      if (q.maxActive !== 1 || !q.inFlight.some((x) => x.pid === t.pid)) continue;
      const inactive = q.inactive ?? [];
      if (inactive.length + q.pending.length > 0) return { ...q, inactive };
    }
  }
  return null;
}

const SLEEPING_LOCKS: ReadonlySet<WaitPrimitive> = new Set<WaitPrimitive>(['mutex', 'rt_mutex', 'rwsem_read', 'rwsem_write', 'semaphore']);

/** The held-lock lists of the paste by pid (a report's lists, then standalone ones: the later wins). */
export function heldListsByPid(model: TraceModel): Map<number, HeldLocks> {
  const out = new Map<number, HeldLocks>();
  for (const r of model.reports) for (const h of r.lockdep?.heldBy ?? []) out.set(h.pid, h);
  for (const h of model.heldLocks ?? []) out.set(h.pid, h);
  return out;
}

/**
 * The lock a hung-task blocker line is about, when the lockdep lists show it: the waiter's list ends
 * with the lock taken where it sleeps, and the named owner's list holds the same address. The blocker
 * line itself names no lock.
 */
export function blockerLock(model: TraceModel, t: Task, w: WaitInfo | null, b: NonNullable<Report['blocker']>): LockdepLock | null {
  if (t.pid === null) return null;
  const lists = heldListsByPid(model);
  const wanted = lockWaitedFor(t, w, lists.get(t.pid));
  if (!wanted?.address) return null;
  return lists.get(b.ownerPid)?.locks.some((l) => l.address === wanted.address) ? wanted : null;
}

/** The lock of `list` this task sleeps waiting for: its last entry, taken where the task's lock call is. */
function lockWaitedFor(t: Task, w: WaitInfo | null, list: HeldLocks | undefined): LockdepLock | null {
  if (!w || !SLEEPING_LOCKS.has(w.primitive) || !list || list.locks.length === 0) return null;
  const last = list.locks[list.locks.length - 1]!;
  const caller = w.blame[0];
  if (!last.at || !caller || baseName(last.at) !== caller) return null;
  if (last.atOffset === undefined || last.atOffset === null) return last;
  // the caller's frame: its offset is the return address of the lock call, as lockdep's _RET_IP_
  for (const s of t.stack) for (const f of s.frames) if (baseName(f.fn) === caller && !f.unreliable) return f.offset === null || f.offset === last.atOffset ? last : null;
  return last;
}

function heldLockEdges(model: TraceModel, facts: ReturnType<typeof factsOfTasks>, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  const lists = heldListsByPid(model);
  const byPid = new Map<number, { t: Task; w: WaitInfo | null; wanted: LockdepLock | null }>();
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    if (t.pid === null || !lists.has(t.pid)) continue;
    const w = waitFrom(t, facts[i]!);
    byPid.set(t.pid, { t, w, wanted: lockWaitedFor(t, w, lists.get(t.pid)) });
  }
  for (const { t, w, wanted } of byPid.values()) {
    if (!wanted?.address || has(t.key, null)) continue;
    const holders: Array<{ list: HeldLocks; lock: LockdepLock }> = [];
    for (const list of lists.values()) {
      if (list.pid === t.pid) continue;
      const lock = list.locks.find((l) => l.address === wanted.address);
      if (!lock) continue;
      const other = byPid.get(list.pid);
      if (other?.wanted?.address === wanted.address) continue; // another waiter for the same lock
      holders.push({ list, lock });
    }
    for (const { list, lock } of holders.slice(0, 8)) {
      const owner = byPid.get(list.pid)?.t ?? model.tasks.find((x) => x.pid === list.pid) ?? null;
      add({
        from: t.key, to: owner?.key ?? null, toLabel: owner ? null : `${list.comm}:${list.pid}`,
        primitive: w?.primitive ?? 'lock', lock: wanted.address, waitsOn: `${wanted.name} ${wanted.address}`,
        evidence: `lockdep held locks: ${taskLabel(t)} lists ${wanted.name} ${wanted.address} taken at ${wanted.at}, where its stack sleeps in ${w?.at ?? 'the lock'}; ${list.comm}/${list.pid} lists it taken at ${lock.at ?? '?'} and is not waiting for it${holders.length > 1 ? ` (${holders.length} tasks list it: readers)` : ''}`,
        lines: uniq([wanted.line, lock.line, ...t.lines.slice(0, 1)]), source: 'lockdep',
      });
    }
  }
}

/**
 * A blocked task whose own list does not end with the lock it sleeps on (or that has no list): when
 * exactly one lock held by anyone in the lists was taken at the same call site (function and offset)
 * as the one it is blocked in, that is the lock it waits for, most likely: lockdep keys the entry by
 * where it was taken, and the lists of "Showing all locks held in the system" cover every task.
 */
function heldLockSiteEdges(model: TraceModel, facts: ReturnType<typeof factsOfTasks>, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  const lists = heldListsByPid(model);
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    if (has(t.key, null)) continue;
    const w = waitFrom(t, facts[i]!);
    const caller = w?.blame[0];
    if (!w || !caller || !SLEEPING_LOCKS.has(w.primitive)) continue;
    let offset: number | null = null;
    for (const s of t.stack) for (const f of s.frames) if (offset === null && baseName(f.fn) === caller && !f.unreliable) offset = f.offset;
    const found: Array<{ list: HeldLocks; lock: LockdepLock }> = [];
    for (const list of lists.values()) {
      if (list.pid === t.pid) continue;
      for (const l of list.locks) {
        if (!l.at || baseName(l.at) !== caller) continue;
        if (offset !== null && l.atOffset !== undefined && l.atOffset !== null && l.atOffset !== offset) continue;
        found.push({ list, lock: l });
      }
    }
    if (found.length === 0) {
      // a circular report's dependency chain shows where each lock was taken ("-> #2 (&ctx->lock)"
      // with its acquisition stack): a lock taken from the waiter's call site there, and held by one
      // task in the lists, is the lock it waits for (lockdep turned itself off after the splat, so the
      // waiter has no list of its own)
      const viaChain = chainLockAt(model, caller, lists, t.pid);
      if (viaChain) found.push(viaChain);
    }
    if (found.length !== 1) continue;
    const { list, lock } = found[0]!;
    const owner = model.tasks.find((x) => x.pid === list.pid) ?? null;
    add({
      from: t.key, to: owner?.key ?? null, toLabel: owner ? null : `${list.comm}:${list.pid}`,
      primitive: w.primitive, lock: lock.address ?? lock.name, waitsOn: `${lock.name}${lock.address ? ` ${lock.address}` : ''}`,
      evidence: lock.at && baseName(lock.at) === caller
        ? `${taskLabel(t)} sleeps in ${w.at} called from ${caller}; the only lock held in the lockdep lists that was taken there is ${lock.name}${lock.address ? ` ${lock.address}` : ''}, held by ${list.comm}/${list.pid} (taken at ${lock.at})`
        : `${taskLabel(t)} sleeps in ${w.at} called from ${caller}; lockdep's dependency chain shows ${lock.name} taken from ${caller}, and ${list.comm}/${list.pid} lists it held${lock.address ? ` (${lock.address})` : ''}`,
      lines: uniq([lock.line, ...t.lines.slice(0, 1)]), source: 'inferred',
    });
  }
}

/** A lock of a circular report's chain taken from `caller` (its acquisition stack), held by exactly one other listed task. */
function chainLockAt(model: TraceModel, caller: string, lists: Map<number, HeldLocks>, self: number | null): { list: HeldLocks; lock: LockdepLock } | null {
  const names = new Set<string>();
  for (const r of model.reports) {
    for (const c of r.lockdep?.chain ?? []) {
      const site = c.frames.map((f) => baseName(f.fn)).find((f) => !LOCK_CALL_RE.test(f));
      if (site === caller && c.lock.name) names.add(c.lock.name);
    }
  }
  if (names.size !== 1) return null;
  const name = [...names][0]!;
  let hit: { list: HeldLocks; lock: LockdepLock } | null = null;
  for (const list of lists.values()) {
    if (list.pid === self) continue;
    const lock = list.locks.find((l) => l.name === name);
    if (!lock) continue;
    if (hit) return null; // two tasks list it: readers, or two instances of the class
    hit = { list, lock };
  }
  return hit;
}

// the lock API and lockdep's own frames at the top of an acquisition stack
const LOCK_CALL_RE = /^(?:__?mutex_lock\w*|mutex_lock\w*|down_\w+|_raw_\w+|raw_\w+|__raw_\w+|lock_acquire|__lock_acquire|lock_acquire\w*|_?spin_lock\w*|rt_\w*lock\w*|rwsem_\w+|__down\w*|percpu_down\w+)$/;

/**
 * The one task of the paste that `pred` holds for, or null when none or several do: the inferred
 * passes below (kernfs drain, device lock, SRCU notifier) tie a waiter to a section holder only when
 * the paste shows a single candidate, since no address says which object each one holds.
 */
function soleTask(tasks: readonly Task[], pred: (t: Task) => boolean): Task | null {
  let found: Task | null = null;
  for (const t of tasks) {
    if (!pred(t)) continue;
    if (found) return null;
    found = t;
  }
  return found;
}

const CPUHP_KICK_RE = /^(?:cpuhp_kick_ap_work|cpuhp_kick_ap|__cpuhp_kick_ap|cpuhp_invoke_ap_callback)$/;

/** The one blocked CPU hotplug thread (cpuhp/N inside cpuhp_thread_fun) other than `t`, if exactly one. */
function cpuhpThread(model: TraceModel, t: Task): Task | null {
  return soleTask(model.tasks, (x) => x !== t && !!x.comm?.startsWith('cpuhp/') && taskFrames(x).includes('cpuhp_thread_fun'));
}

const KERNFS_OP_RE = /^(?:kernfs_fop_write_iter|kernfs_fop_write|kernfs_fop_read_iter|kernfs_fop_read|kernfs_seq_start|kernfs_seq_show|kernfs_fop_mmap|sysfs_kf_write|sysfs_kf_read|sysfs_kf_bin_write|sysfs_kf_bin_read)$/;

function kernfsDrainEdges(model: TraceModel, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  let drainers: Set<Task> | null = null;
  for (const t of model.tasks) {
    const fr = taskFrames(t);
    for (let k = 0; k < fr.length && k < 6; k++) {
      if (fr[k] === 'kernfs_drain') {
        (drainers ??= new Set()).add(t);
        break;
      }
    }
  }
  if (drainers === null) return;
  // the removers' own kernfs operations (a sysfs write that removes devices) hold no one up
  const h = soleTask(model.tasks, (x) => !drainers!.has(x) && taskFrames(x).some((f) => KERNFS_OP_RE.test(f)));
  if (h === null) return;
  for (const t of drainers) {
    if (has(t.key, null)) continue;
    add({
      from: t.key, to: h.key, toLabel: null, primitive: 'kernfs_active', lock: null,
      waitsOn: 'active references of the kernfs nodes it removes (kernfs_drain)',
      evidence: `${taskLabel(t)} waits in kernfs_drain for every task inside an operation on the removed sysfs/kernfs files to leave; ${taskLabel(h)} is inside ${taskFrames(h).find((f) => KERNFS_OP_RE.test(f))} (the only such task in the paste), holding an active reference`,
      lines: uniq([...t.lines.slice(0, 1), ...h.lines.slice(0, 1)]), source: 'inferred',
    });
  }
}

// Callers of device_lock() (an inline mutex_lock(&dev->mutex)) as they show on a waiter's stack,
// and the driver-core functions that hold it while calling into the driver (drivers/base/dd.c,
// core.c; drivers/pci/pci.c pci_dev_lock/pci_reset_function).
const DEVICE_LOCK_TAKER_RE = /^(?:pci_reset_function|pci_dev_lock|pci_try_reset_function|__pci_reset_function_locked|pci_reset_bus|device_lock|__device_attach|__driver_attach|device_release_driver_internal|device_shutdown|usb_lock_device_for_reset)$/;
const DEVICE_LOCK_HOLDER_RE = /^(?:device_release_driver_internal|__device_attach|__driver_attach|device_shutdown|__device_release_driver|driver_probe_device|__driver_probe_device)$/;

function deviceLockEdges(model: TraceModel, facts: ReturnType<typeof factsOfTasks>, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  let waiters: Array<{ t: Task; via: string }> | null = null;
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    // the wait the facts pass already classified: a mutex, and the first caller above its frames
    const w = waitFrom(t, facts[i]!);
    const via = w?.primitive === 'mutex' ? w.blame[0] : undefined;
    if (via && DEVICE_LOCK_TAKER_RE.test(via)) (waiters ??= []).push({ t, via });
  }
  if (waiters === null) return;
  // the holder: inside a device-lock section and not itself waiting to take a device lock there
  const waiting = new Set(waiters.map((w) => w.t));
  const h = soleTask(model.tasks, (x) => !waiting.has(x) && taskFrames(x).some((f) => DEVICE_LOCK_HOLDER_RE.test(baseName(f))));
  if (h === null) return;
  const section = taskFrames(h).map(baseName).find((f) => DEVICE_LOCK_HOLDER_RE.test(f))!;
  for (const { t, via } of waiters) {
    if (has(t.key, null)) continue;
    add({
      from: t.key, to: h.key, toLabel: null, primitive: 'mutex', lock: 'device_lock',
      waitsOn: `device_lock (dev->mutex, taken in ${via})`,
      evidence: `${via} takes the device's lock; ${taskLabel(h)} is inside ${section}, which runs with the device lock held across the driver callback (the only such task in the paste; no address shows it is the same device)`,
      lines: uniq([...t.lines.slice(0, 1), ...h.lines.slice(0, 1)]), source: 'inferred',
    });
  }
}

const SYNC_SRCU_RE = /^(?:__)?synchronize_srcu(?:_expedited)?(?:\.\w{1,16})?$/;

function srcuNotifierEdges(model: TraceModel, facts: ReturnType<typeof factsOfTasks>, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  let unregs: Task[] | null = null;
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    // the facts pass already classified the wait: only grace-period waits are looked at
    if (waitFrom(t, facts[i]!)?.primitive !== 'rcu_grace_period') continue;
    const fr = taskFrames(t);
    // only the first frames: a blocked synchronize_srcu is near the top (this runs on every task)
    for (let k = 0; k < fr.length && k < 12; k++) {
      if (!SYNC_SRCU_RE.test(fr[k]!)) continue;
      if (fr.slice(k, k + 4).some((f) => baseName(f) === 'srcu_notifier_chain_unregister')) (unregs ??= []).push(t);
      break;
    }
  }
  if (unregs === null) return;
  const r = soleTask(model.tasks, (x) => !unregs!.includes(x) && taskFrames(x).some((f) => baseName(f) === 'srcu_notifier_call_chain'));
  if (r === null) return;
  for (const t of unregs) {
    if (has(t.key, null)) continue;
    add({
      from: t.key, to: r.key, toLabel: null, primitive: 'srcu', lock: null,
      waitsOn: 'SRCU grace period of a notifier chain (srcu_notifier_chain_unregister)',
      evidence: `${taskLabel(t)} waits in synchronize_srcu for the chain's readers; ${taskLabel(r)} is inside srcu_notifier_call_chain (an SRCU read section) and sleeps there (the only such task in the paste; no address shows it is the same chain)`,
      lines: uniq([...t.lines.slice(0, 1), ...r.lines.slice(0, 1)]), source: 'inferred',
    });
  }
}

// fs/jbd2/commit.c: jbd2_journal_commit_transaction locks the transaction, then sleeps (inline
// wait_event on j_wait_updates) until every handle started in it has stopped (t_updates == 0).
// Meanwhile start_this_handle / wait_transaction_locked wait for the locked transaction, and
// jbd2_log_wait_commit (fsync) for the commit. A handle is open from ext4_journal_start to
// ext4_journal_stop: the ext4 operations below run inside one (fs/ext4/inode.c, namei.c...).
const JBD2_WAITS_RE = /^(?:start_this_handle|wait_transaction_locked|add_transaction_credits|jbd2__journal_start|jbd2_journal_start|jbd2_log_wait_commit|jbd2_complete_transaction|__jbd2_log_wait_for_space)$/;
const IN_HANDLE_RE = /^(?:ext4_write_begin|ext4_setattr|__ext4_new_inode|ext4_rename2?|ext4_truncate|ext4_evict_inode|ext4_page_mkwrite|ext4_fallocate|ext4_punch_hole|ext4_xattr_set_handle|mpage_map_and_submit_extent|ext4_convert_unwritten_extents\w{0,12}|ext4_orphan_add|ext4_orphan_del|ext4_create|ext4_mkdir|ext4_unlink|ext4_link|ext4_symlink|ext4_tmpfile|do_get_write_access|jbd2_journal_get_write_access|jbd2_journal_get_create_access|jbd2_journal_dirty_metadata)$/;

function jbd2Edges(model: TraceModel, facts: ReturnType<typeof factsOfTasks>, add: (e: WaitEdge) => void, has: (from: string, lock: string | null) => boolean): void {
  let commit: Task | null = null;
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    if (waitFrom(t, facts[i]!)?.primitive !== 'journal') continue;
    // the t_updates wait is inline: schedule right under the commit function (no copy of the
    // frame list per task: this runs on every task of a foreach bt)
    const fr = taskFrames(t, { exceptions: false });
    let k = -1;
    for (let j = 0; j < fr.length && j < 5; j++) {
      if (baseName(fr[j]!) === 'jbd2_journal_commit_transaction') {
        k = j;
        break;
      }
    }
    if (k < 0 || fr.slice(0, k).some((f) => !/^(?:__schedule|schedule|preempt_schedule\w{0,12})$/.test(f))) continue;
    if (commit) return; // two journals committing: which handles hold which is not known
    commit = t;
  }
  if (commit === null) return;
  const holders: Array<{ t: Task; op: string; at: string }> = [];
  const waiters: Task[] = [];
  for (let i = 0; i < model.tasks.length; i++) {
    const t = model.tasks[i]!;
    if (t === commit || (t.state !== 'D' && t.state !== null)) continue;
    const w = waitFrom(t, facts[i]!);
    const fr = taskFrames(t, { exceptions: false }).map(baseName);
    if (fr.slice(0, 12).some((f) => JBD2_WAITS_RE.test(f))) {
      waiters.push(t);
      continue;
    }
    const op = fr.find((f) => IN_HANDLE_RE.test(f));
    if (op) holders.push({ t, op, at: w ? `${w.at}${w.blame[0] ? ` from ${w.blame[0]}` : ''}` : op });
  }
  const h = holders.length === 1 ? holders[0]! : null;
  if (h !== null && !has(commit.key, null)) {
    add({
      from: commit.key, to: h.t.key, toLabel: null, primitive: 'journal', lock: null,
      waitsOn: 'running jbd2 handles to stop (t_updates, jbd2_journal_commit_transaction)',
      evidence: `the commit waits until every handle of the transaction has stopped; ${taskLabel(h.t)} is inside ${h.op}, which runs with a handle open, and sleeps in ${h.at} (the only such task in the paste)`,
      lines: uniq([...commit.lines.slice(0, 1), ...h.t.lines.slice(0, 1)]), source: 'inferred',
    });
  }
  // the committing thread holds nothing: like a reader behind a queued writer, these wait through
  // it for the handle holder, named when the paste shows it
  for (const t of waiters) {
    if (has(t.key, null)) continue;
    add({
      from: t.key, to: commit.key, toLabel: h ? taskLabel(h.t) : null, primitive: 'journal', lock: null,
      waitsOn: `the jbd2 commit of the running transaction (${taskLabel(commit)})`,
      evidence: `${taskLabel(t)} waits for the journal (a new handle waits for the locked transaction, fsync for its commit); ${taskLabel(commit)} commits it and waits for the handles still open${h ? `: ${taskLabel(h.t)}'s` : ', whose holder is not in the paste'}`,
      lines: uniq([...t.lines.slice(0, 1), ...commit.lines.slice(0, 1)]), source: 'inferred', queued: true,
    });
  }
}

