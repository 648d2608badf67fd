// rwsem-writer-queue-cycle: rw_semaphores are fair to writers (kernel/locking/rwsem.c): once a writer
// is queued, a new down_read() queues behind it instead of joining the readers that hold the lock.
// So a task that holds the read side and waits for work that only other readers can do closes a
// cycle: holder → queued readers → queued writer → holder. The classic shape is mmap_sem/mmap_lock:
// a page fault (held for read across the whole fault handler) waits on service threads that need
// down_read (get_user_pages) behind an mprotect/mmap/munmap writer. Seed 003: mmap_sem
// ffff8b92ab737e20, writer java 12862, holder java 22134, readers dataio_srv/1..3.

import type { ChainLink, Finding } from '../../contract.ts';
import type { Task, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { rwsemOf, rwsemOwner, rwsemReadHolder } from '../../graph/wait-graph.ts';
import { addressLines, taskAt, taskLabel } from '../../graph/resolve.ts';
import { finding, keyFramesOf, uniqLines } from '../../graph/finding-kit.ts';
import { baseName, classifyWait, isMechanics, taskFrames } from '../generic-helpers/index.ts';

const CHECKLIST = [
  'Never wait for another thread while holding mmap_sem/mmap_lock (or any rwsem) for read if that thread may need the same rwsem: with a writer queued, its down_read blocks behind the writer.',
  'In a fault handler, drop the mmap lock before a long wait (VM_FAULT_RETRY with FAULT_FLAG_ALLOW_RETRY, as filemap_fault does for page I/O) and retry the fault.',
  'In the service threads, avoid get_user_pages/copy_to_user on the faulting process\'s memory under the dependency; pin the pages before the request is queued, or use a path that does not take the mmap lock.',
  'Confirm the order with the waiter list: a WRITE waiter first, then the READ waiters, and a reader holding the lock outside the list.',
];

const MMAP_WRITE_RE = /^(?:sys_mprotect|do_mprotect_pkey|__x64_sys_mprotect|vm_mmap_pgoff|vm_munmap|__vm_munmap|sys_munmap|__x64_sys_munmap|sys_brk|__x64_sys_brk|do_mmap|mmap_write_lock\w*|sys_mmap\w*|ksys_mmap_pgoff|sys_madvise|do_madvise|sys_mremap)$/;

/** Shared subsystem prefix ("ffs_") between the holder's non-core frames and the readers' frames. */
function sharedPrefix(holder: Task, readers: Task[]): string | null {
  // frames both stacks run verbatim (the fault entry, syscall glue) say nothing about a dependency
  const hNames = new Set(taskFrames(holder).map(baseName));
  const rNames = new Set(readers.flatMap((r) => taskFrames(r).map(baseName)));
  const pre = (t: Task): Set<string> => new Set(taskFrames(t).map(baseName).filter((f) => !(hNames.has(f) && rNames.has(f)) && !isMechanics(f) && /^[a-z0-9]+_/.test(f)).map((f) => f.split('_')[0]! + '_'));
  const h = pre(holder);
  const common = ['do_', 'handle_', 'sys_', 'vfs_', 'generic_', 'page_', 'filemap_', 'schedule_', 'wait_', 'lock_', 'get_', 'copy_', 'kthread_', 'exc_', 'asm_', 'folio_', 'mm_', 'mmap_', 'io_', 'ksys_', 'internal_', 'iov_', 'new_', 'entry_', 'ret_'];
  for (const r of readers) for (const p of pre(r)) if (h.has(p) && !common.includes(p)) return p;
  const mods = (t: Task): Set<string> => new Set(t.stack.flatMap((s) => s.frames.map((f) => f.module).filter((m): m is string => !!m)));
  const hm = mods(holder);
  for (const r of readers) for (const m of mods(r)) if (hm.has(m)) return `[${m}]`;
  return null;
}

export function rwsemFindings(model: TraceModel): Finding[] {
  const out: Finding[] = [];
  for (const wl of model.waiterLists) {
    const entries = wl.entries.map((e) => ({ e, t: taskAt(model, e.task) }));
    const wIdx = entries.findIndex((x) => /WRITE/i.test(x.e.type ?? ''));
    if (wIdx < 0) continue;
    const writer = entries[wIdx]!;
    const readers = entries.slice(wIdx + 1).filter((x) => /READ/i.test(x.e.type ?? '') && x.t);
    if (!writer.t || readers.length === 0) continue;
    const sem = rwsemOf(model, wl);
    const queued = wl.entries.map((x) => x.task);
    const owner = rwsemOwner(model, sem, queued);
    const holder = owner?.task ?? rwsemReadHolder(model, queued);
    const lock = sem?.address ?? wl.head;
    const wt = writer.t;
    const mmap = taskFrames(wt).some((f) => MMAP_WRITE_RE.test(baseName(f)));
    // mm->mmap_sem was renamed mmap_lock in v5.8 (exc_page_fault is a v5.8+ entry name too)
    const v = /^(\d+)\.(\d+)/.exec(model.release ?? model.sys?.release ?? '');
    const newName = v ? Number(v[1]) * 100 + Number(v[2]) >= 508 : model.tasks.some((t) => taskFrames(t).some((f) => /^(?:mmap_(?:read|write)_lock\w*|exc_page_fault)$/.test(f)));
    const name = mmap ? (newName ? 'mmap_lock' : 'mmap_sem') : null;
    const lockText = `${name ? `${name} ` : 'rw_semaphore '}${lock ?? ''}`.trim();
    // without a holder there is no cycle to report: the generic finding shows the queue
    if (!holder) continue;
    const readerTasks = readers.map((r) => r.t!) as Task[];
    const shared = sharedPrefix(holder, readerTasks);
    // the holder must plausibly wait for the queued readers: it shares their code, or it sleeps in a
    // wait of its own subsystem; one parked on page I/O or a known lock primitive waits for something
    // else (a convoy behind a slow reader, not a cycle), which the generic chain already shows
    const holderWait = classifyWait(taskFrames(holder, { exceptions: false }));
    if (!shared && holderWait) continue;
    const chain: ChainLink[] = [];
    if (holder) {
      const where = taskFrames(holder).map(baseName).filter((f) => !isMechanics(f))[0] ?? 'unknown';
      chain.push({
        task: taskLabel(holder),
        waitsOn: `work done by ${readerTasks.map(taskLabel).join(', ')} (blocked in ${where} inside the page fault)`,
        primitive: 'wait',
        lock: null,
        heldBy: taskLabel(readerTasks[0]!),
        evidence: `${taskLabel(holder)} holds ${lockText} for read (${owner ? `owner word ${owner.raw}` : 'page-fault path'}) and sleeps in ${where}${shared ? `; it and the readers run the same ${shared} code, whose service threads are the queued readers` : '; which thread it waits for is inferred, confirm it'}`,
        lines: holder.lines.slice(0, 2),
      });
    }
    for (const r of readers) {
      chain.push({
        task: taskLabel(r.t!), waitsOn: `${lockText} (read), queued behind writer ${taskLabel(wt)}`, primitive: 'rwsem_read', lock,
        // the writer holds nothing yet: the lock is held (for read) by the holder, and the queue keeps them out
        heldBy: holder ? taskLabel(holder) : null,
        evidence: `rwsem_waiter ${r.e.node}: ${r.e.type} after the WRITE waiter (rwsem fairness: readers wait for the queued writer)`,
        lines: uniqLines([r.e.line], r.t!.lines.slice(0, 1)),
      });
    }
    chain.push({
      task: taskLabel(wt), waitsOn: `${lockText} (write)`, primitive: 'rwsem_write', lock,
      heldBy: holder ? taskLabel(holder) : null,
      evidence: `first waiter ${writer.e.node}: ${writer.e.type}, task ${writer.e.task}${holder ? `; the read side is held by ${taskLabel(holder)} (${owner ? `owner word ${owner.raw}${owner.reader ? ', RWSEM_READER_OWNED' : ''}` : 'inside the page-fault path'})` : '; the reader holding the lock is not in the paste'}`,
      lines: uniqLines([writer.e.line], addressLines(model, writer.e.task ?? '')),
    });
    const cycle = !!holder;
    out.push(finding({
      pattern: 'rwsem-writer-queue-cycle',
      confidence: holder ? (shared ? 0.9 : 0.75) : 0.6,
      headline: holder
        ? `${lockText}: ${taskLabel(holder)} holds it for read and waits for ${readerTasks.map((t) => t.comm ?? taskLabel(t)).join(', ')}, which are queued behind writer ${taskLabel(wt)}: a cycle`
        : `${lockText}: ${readerTasks.length} reader(s) queued behind writer ${taskLabel(wt)}; the read-side holder is not in the paste`,
      blockingChain: chain,
      cycle,
      suspectLock: { primitive: 'rwsem', address: lock, name, holder: holder ? taskLabel(holder) : null, evidence: `rwsem_waiter list of ${lock}: WRITE waiter ${taskLabel(wt)} ahead of ${readers.length} READ waiter(s)`, lines: uniqLines([wl.line]) },
      keyFrames: [...(holder ? keyFramesOf(holder, 2) : []), ...keyFramesOf(readerTasks[0], 1), ...keyFramesOf(wt, 1)],
      checklist: CHECKLIST,
      nextSteps: [
        ...(lock ? [`crash> struct rw_semaphore ${lock}`, `crash> list rwsem_waiter.list -s rwsem_waiter.task,type -h ${lock}`] : []),
        `crash> bt ${holder?.pid ?? '<holder pid>'}`,
        ...(writer.e.task ? [`crash> p ((struct task_struct *)0x${writer.e.task})->pid`] : []),
        'crash> foreach UN bt',
      ],
    }));
  }
  return out;
}

export const rwsemWriterQueueCycle: Plugin = {
  id: 'rwsem-writer-queue-cycle',
  title: 'Readers queued behind a writer while a reader waits on them',
  families: '*',
  run: rwsemFindings,
};

export default rwsemWriterQueueCycle;
