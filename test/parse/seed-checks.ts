// What each documented case's paste must parse into, shared by the raw-seed tests, the plain-paste
// fixtures and the mangled variants. Assertions are on the facts the analyzers need: pids, comms,
// states, frames, contexts, registers, struct fields, waiter lists, bindings.

import assert from 'node:assert/strict';
import type { StackSegment, Task, TraceModel } from '../../analyzers/model/trace-model.ts';

export function task(model: TraceModel, pid: number): Task {
  const t = model.tasks.find((x) => x.pid === pid);
  assert.ok(t, `task ${pid} not found; have ${model.tasks.map((x) => x.key).join(', ')}`);
  return t;
}

export function fns(seg: StackSegment): string[] {
  return seg.frames.map((f) => f.fn);
}

export function contexts(t: Task): string[] {
  return t.stack.map((s) => s.context);
}

/** Seed 000: rmmod blocked in flush_workqueue; kworker/1:2 owns the ww_mutex it waits for. */
export function checkSeed000(m: TraceModel): void {
  const rmmod = task(m, 31969);
  assert.equal(rmmod.comm, 'rmmod');
  assert.equal(rmmod.state, 'D');
  assert.deepEqual(fns(rmmod.stack[0]).slice(0, 3), ['flush_workqueue', 'flush_scheduled_work', 'apxbsnIoRelease']);
  assert.equal(rmmod.stack[0].frames[2].module, 'bsnmod');
  assert.equal(rmmod.stack[0].frames[0].offset, 0x12c);
  assert.equal(rmmod.stack[0].frames[0].size, 0x5b0);
  assert.ok(rmmod.sources.includes('ps') && rmmod.sources.includes('proc-stack'));

  const kw = task(m, 4790);
  assert.equal(kw.comm, 'kworker/1:2');
  assert.equal(kw.state, 'D');
  assert.equal(kw.kthread, true);
  assert.equal(kw.task, 'ffff88003570de20', 'the crash ps row binds the task address to pid 4790');
  assert.equal(kw.cpu, 1);
  assert.equal(kw.stack[0].frames[0].fn, 'ttm_eu_reserve_buffers');
  assert.equal(kw.stack[0].frames[0].module, 'ttm');
  assert.equal(m.tasks.filter((t) => t.pid === 4790).length, 1, 'ps aux row, /proc stack and crash ps row are one task');

  const mutex = m.structs.find((s) => s.type === 'mutex');
  assert.ok(mutex);
  assert.equal(mutex.address, 'ffff880035acf1e0');
  assert.equal(mutex.fields.owner, 'ffff88003570de20');
  assert.equal(mutex.fields['count.counter'], '-1');
  assert.equal(mutex.fields['wait_list.next'], 'ffff8800506d3b50');
  assert.equal(mutex.fields['wait_list.prev'], 'ffff8800506d3b50');
  const waiter = m.structs.find((s) => s.type === 'mutex_waiter');
  assert.ok(waiter);
  assert.equal(waiter.address, 'ffff8800506d3b50');
  assert.equal(waiter.fields.task, 'ffff88003570de20');
  assert.ok(m.formats.includes('proc-stack') && m.formats.includes('ps') && m.formats.includes('crash-ps') && m.formats.includes('crash-struct'));
}

/** Seed 001: four CPUs on bfqd->lock; CPU1's IRQ re-takes the lock its process context holds. */
export function checkSeed001(m: TraceModel): void {
  const kw = task(m, 2635);
  assert.equal(kw.comm, 'kworker/0:1');
  assert.equal(kw.cpu, 0);
  assert.equal(kw.task, 'ffff92acd6cf17c0');
  const cpu0crash = kw.stack.find((s) => s.exception?.fn === 'smp_call_function_many');
  assert.ok(cpu0crash, 'the crash bt of CPU0 is the stack kept (it is richer than the console one)');
  assert.equal(cpu0crash.context, 'process');
  assert.equal(cpu0crash.exception?.offset, 492);
  assert.equal(cpu0crash.exception?.registers.RFLAGS, '00000202');
  assert.ok(kw.stack.some((s) => s.frames.some((f) => f.fn === 'watchdog_timer_fn.cold.8')), 'suffixes such as .cold.8 are kept');
  // the console "CPU: 0 PID: 2635 Comm:" dumps and the crash backtraces are one task, and the
  // detector reports point at it
  assert.ok(kw.sources.includes('console') && kw.sources.includes('crash-bt'), kw.sources.join());
  assert.ok(m.reports.length > 0 && m.reports.every((r) => r.taskKeys.includes(kw.key)));
  assert.equal(kw.state, 'R', '`bt -a` shows the task running on its CPU');
  // `bt` then `bt -a` print the same stack: one task, one copy of it
  assert.equal(kw.stack.filter((s) => s.exception?.fn === 'smp_call_function_many').length, 1);

  const fio = task(m, 2857);
  assert.equal(fio.comm, 'fio');
  assert.equal(fio.cpu, 1);
  assert.deepEqual(contexts(fio), ['nmi', 'softirq', 'hardirq', 'process']);
  const [nmi, soft, hard, proc] = fio.stack;
  assert.deepEqual(fns(nmi), ['crash_nmi_callback', 'nmi_handle', 'default_do_nmi', 'do_nmi', 'end_repeat_nmi']);
  assert.equal(soft.exception?.fn, 'native_queued_spin_lock_slowpath');
  assert.equal(soft.exception?.context, 'softirq');
  assert.equal(soft.exception?.registers.RDI, 'ffff92adc0fc6400');
  assert.equal(soft.exception?.address, 'ffffffffbc111190');
  assert.deepEqual(fns(soft).slice(0, 3), ['native_queued_spin_lock_slowpath', '_raw_spin_lock_irqsave', 'bfq_finish_requeue_request']);
  assert.equal(soft.frames[2].module, 'bfq');
  assert.equal(fns(soft).at(-1), '__softirqentry_text_start');
  assert.deepEqual(fns(hard), ['irq_exit', 'call_function_single_interrupt']);
  assert.equal(proc.exception?.fn, 'bfq_pos_tree_add_move');
  assert.equal(proc.exception?.offset, 109);
  assert.equal(proc.exception?.registers.RFLAGS, '00000246', 'IF (0x200) set: interrupts were enabled in the process context');
  assert.ok(fns(proc).includes('bfq_bio_merge'));
  assert.ok(fns(proc).includes('bfq_remove_request.cold.58'));

  const kb = task(m, 491);
  assert.equal(kb.comm, 'kworker/2:1H');
  assert.equal(kb.cpu, 2);
  assert.deepEqual(contexts(kb), ['nmi', 'process']);
  assert.equal(kb.stack[1].exception?.registers.RDI, 'ffff92adc0fc6400');
  assert.equal(kb.stack[1].frames[1].fn, '_raw_spin_lock_irq');
  assert.equal(m.tasks.filter((t) => t.pid === 491).length, 1, '`bt -a` and `bt 491` are one task');

  const fio3 = task(m, 2861);
  assert.equal(fio3.cpu, 3);
  assert.equal(fio3.stack.at(-1)?.exception?.fn, 'bfq_bio_merge');
  assert.equal(fio3.stack.at(-1)?.exception?.registers.RFLAGS, '00000286');
  assert.equal(m.tasks.filter((t) => t.sources.includes('crash-bt')).length, 4, 'four CPUs, four tasks');

  assert.equal(m.sys?.cpus, 4);
  assert.equal(m.sys?.panic, 'Kernel panic - not syncing: softlockup: hung tasks');
  assert.equal(m.sys?.pid, 2635);
}

/** Seed 002: a module's timer fires after unload; the softirq faults holding the timer base lock. */
export function checkSeed002(m: TraceModel): void {
  assert.equal(m.release, '3.10.0-514.26.2.el7.x86_64');
  assert.equal(m.sys?.panic, 'BUG: unable to handle kernel');
  assert.equal(m.sys?.cpus, 2);
  const idle = m.tasks.find((t) => t.pid === 0);
  assert.ok(idle);
  assert.equal(idle.comm, 'swapper/1');
  assert.equal(idle.cpu, 1);
  assert.equal(idle.task, 'ffff88007b889f60');
  assert.deepEqual(contexts(idle), ['nmi', 'softirq', 'softirq', 'hardirq', 'process']);
  const [nmi, fault, timer, hard, proc] = idle.stack;
  assert.equal(fns(nmi).at(-1), 'end_repeat_nmi');
  assert.equal(fault.exception?.fn, '_raw_spin_lock_irqsave');
  assert.equal(fault.exception?.offset, 71);
  assert.equal(fns(fault)[0], '_raw_spin_lock_irqsave');
  assert.equal(fns(fault)[1], 'lock_timer_base');
  assert.equal(fns(fault).at(-1), 'page_fault');
  assert.ok(fns(fault).includes('call_console_drivers.constprop.17'));
  assert.equal(timer.exception?.fn, 'run_timer_softirq');
  assert.equal(timer.exception?.offset, 248);
  assert.equal(timer.exception?.registers.RCX, 'ffffffffa88b53b0');
  assert.equal(timer.exception?.registers.RFLAGS, '00010082');
  assert.deepEqual(fns(timer), ['run_timer_softirq', '__do_softirq', 'call_softirq', 'do_softirq']);
  assert.deepEqual(fns(hard), ['irq_exit', 'smp_apic_timer_interrupt', 'apic_timer_interrupt']);
  assert.equal(proc.exception?.fn, 'cpuidle_enter_state');
  assert.equal(fns(proc).at(-1), 'start_secondary');
  assert.deepEqual(m.invalidAddresses.map((a) => a.address), ['ffffffffa88b53b0']);
  assert.ok(m.formats.includes('crash-rd') && m.formats.includes('crash-sys'));
}

/** Seed 003: readers of mmap_sem queue behind a waiting writer (pid 12862) while 22134 holds it. */
export function checkSeed003(m: TraceModel): void {
  for (const [pid, comm] of [[28945, 'dataio_srv/0'], [28946, 'dataio_srv/1'], [28947, 'dataio_srv/2'], [28948, 'dataio_srv/3']] as const) {
    assert.equal(task(m, pid).comm, comm);
  }
  assert.deepEqual(fns(task(m, 28946).stack[0]).slice(2, 5), ['rwsem_down_read_failed', 'down_read', 'ffs_get_user_page']);
  assert.equal(task(m, 28946).task, 'ffff8b93f673bf40');
  const list = m.waiterLists[0];
  assert.ok(list);
  assert.equal(list.head, 'ffff8b92ab737e20');
  assert.equal(list.structType, 'rwsem_waiter');
  assert.equal(list.entries.length, 19);
  assert.deepEqual(list.entries[0], { node: 'ffff8b92ab737e20', task: 'ffff8b93cdcf8000', type: 'RWSEM_WAITING_FOR_WRITE', line: list.entries[0].line });
  assert.ok(list.entries.slice(1).every((e) => e.type === 'RWSEM_WAITING_FOR_READ'));
  assert.equal(list.entries[1].task, 'ffff8b93f673bf40');
  assert.ok(m.bindings.some((b) => b.task === 'ffff8b93cdcf8000' && b.pid === 12862));
  const writer = task(m, 12862);
  assert.equal(writer.comm, 'java');
  assert.equal(writer.task, 'ffff8b93cdcf8000');
  assert.deepEqual(fns(writer.stack[0]).slice(2, 7), ['rwsem_down_write_failed', 'call_rwsem_down_write_failed', 'down_write', 'do_mprotect_pkey', 'sys_mprotect']);
  const reader = task(m, 22134);
  assert.equal(reader.cpu, 13);
  assert.deepEqual(fns(reader.stack[0]).slice(2, 4), ['lock_blkgrp_sync', 'wait_on_blkgrp_locked']);
  assert.equal(fns(reader.stack[0]).at(-1), 'page_fault');
  assert.ok(m.formats.includes('crash-rwsem-list'));
}

/** Seed 004: CPU18 spins on a completion's wait lock whose ticket value 0x00010001 can never be granted. */
export function checkSeed004(m: TraceModel): void {
  const t = task(m, 12410);
  assert.equal(t.cpu, 18);
  assert.equal(t.comm, 'xxxx');
  assert.equal(t.task, 'ffff8818681cd540');
  const proc = t.stack.find((s) => s.exception?.fn === '_spin_lock_irq');
  assert.ok(proc);
  assert.equal(proc.context, 'process');
  assert.equal(proc.exception?.offset, 37);
  assert.equal(proc.exception?.registers.RDI, 'ffff881054610960');
  assert.deepEqual(fns(proc).slice(0, 4), ['_spin_lock_irq', 'wait_for_common', 'wait_for_completion_timeout', '_ctl_do_mpt_command']);
  assert.equal(proc.frames[3].module, 'mpt2sas');
  assert.equal(fns(proc).at(-1), 'system_call_fastpath', 'the full `bt` is kept over the `bt -a` fragment');
  assert.equal(m.tasks.filter((x) => x.pid === 12410).length, 1, 'console trace, `bt -a` fragment and `bt` are one task');
  assert.ok(t.sources.includes('console') && t.sources.includes('crash-bt'));
  for (const [pid, fn] of [[18176, 'lock_kernel'], [18371, 'lock_kernel'], [15042, '__bitmap_empty'], [18122, '_spin_lock']] as const) {
    assert.equal(task(m, pid).stack.find((s) => s.exception)?.exception?.fn, fn, `bt -a fragment of ${pid}`);
  }
  assert.deepEqual(fns(task(m, 18122).stack.at(-1)!).slice(0, 2), ['_spin_lock', 'flush_tlb_others_ipi']);
  const lock = m.structs.find((s) => s.type === 'spinlock_t');
  assert.ok(lock);
  assert.equal(lock.address, 'ffff881054610960');
  assert.equal(lock.fields.slock, '65537');
}
