// The console recognizer on dmesg reports as people paste them: detector headers, the hung-task
// blocker line, stacks split by context with the interrupted RIP and its registers, lockdep lock
// lists and scenario tables, RCU stall CPU lines, workqueue dumps, atomic-sleep context lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../parse.ts';
import type { Task, TraceModel } from '../../model/trace-model.ts';
import { matchBlocker, matchDetector } from './detector-header.ts';
import { parseFrameLine, splitMarkers } from './frame-line.ts';
import { classify } from '../../classify/index.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const task = (m: TraceModel, key: string): Task => {
  const t = m.tasks.find((x) => x.key === key);
  assert.ok(t, `task ${key} in ${m.tasks.map((x) => x.key).join(',')}`);
  return t;
};
const names = (t: Task, ctx?: string): string[] =>
  t.stack.filter((s) => !ctx || s.context === ctx).flatMap((s) => s.frames.filter((f) => !f.unreliable).map((f) => f.fn));

test('hung task with the v6.16 blocker line: waiter, owner, both stacks', () => {
  const m = parse(fixture('hung-task-mutex-owner.txt'));
  assert.deepEqual(m.formats.includes('console'), true);
  const r = m.reports[0]!;
  assert.equal(r.kind, 'hung_task');
  assert.equal(r.pid, 1204);
  assert.equal(r.comm, 'kworker/u8:3');
  assert.equal(r.seconds, 122);
  assert.equal(r.workqueue, 'events_unbound nvmet_fc_delete_ctrl_work [nvmet_fc]');
  assert.deepEqual(r.blocker && { p: r.blocker.primitive, c: r.blocker.ownerComm, pid: r.blocker.ownerPid }, { p: 'mutex', c: 'nvme', pid: 2231 });
  const waiter = task(m, 'pid:1204');
  assert.equal(waiter.state, 'D');
  assert.deepEqual(names(waiter).slice(0, 5), ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock.constprop.0', 'nvmet_fc_delete_target_queue']);
  assert.equal(waiter.stack[0]!.frames.find((f) => f.fn === 'nvmet_fc_delete_target_queue')!.module, 'nvmet_fc');
  const owner = task(m, 'pid:2231');
  assert.equal(owner.comm, 'nvme');
  assert.ok(names(owner).includes('__flush_work'));
  assert.ok(r.taskKeys.includes('pid:2231'));
});

test('soft lockup: IRQ segment, interrupted process segment with RIP, registers and RFLAGS', () => {
  const m = parse(fixture('soft-lockup-spinlock-irq.txt'));
  const r = m.reports[0]!;
  assert.deepEqual([r.kind, r.cpu, r.seconds, r.pid, r.comm], ['soft_lockup', 2, 26, 2857, 'fio']);
  const t = task(m, 'pid:2857');
  assert.equal(t.cpu, 2);
  const [irq, proc] = t.stack;
  assert.equal(irq!.context, 'hardirq');
  assert.equal(irq!.exception?.fn, 'native_queued_spin_lock_slowpath', 'the header RIP is what the watchdog interrupted');
  assert.equal(irq!.exception?.registers.RDI, 'ffff92adc0fc6400');
  assert.equal(irq!.exception?.registers.RFLAGS, '00000002');
  assert.equal(irq!.exception?.registers.EFLAGS, '00000002');
  assert.deepEqual(irq!.frames.map((f) => f.fn).slice(0, 2), ['_raw_spin_lock_irqsave', 'bfq_finish_requeue_request']);
  const interrupted = t.stack.find((s) => s.exception?.fn === 'bfq_bio_merge');
  assert.ok(interrupted, 'the RIP inside the trace starts a segment');
  assert.equal(interrupted.context, 'process');
  assert.equal(interrupted.exception!.module, 'bfq');
  assert.equal(interrupted.exception!.registers.RFLAGS, '00000246');
  assert.deepEqual(interrupted.frames.filter((f) => !f.unreliable).map((f) => f.fn).slice(0, 2), ['blk_mq_submit_bio', 'submit_bio_noacct_nocheck']);
  assert.ok(proc);
});

test('2.6.32 NMI stack: "Pid: N, comm:" line, <NMI> ... <<EOE>> markers, all-"?" frames kept as unreliable', () => {
  const m = parse(fixture('old-nmi-hard-lockup.txt'));
  const r = m.reports[0]!;
  assert.deepEqual([r.kind, r.cpu], ['hard_lockup', 18]);
  const t = task(m, 'pid:12410');
  assert.equal(t.comm, 'mptctl');
  assert.equal(t.cpu, 18);
  const nmi = t.stack.find((s) => s.context === 'nmi')!;
  assert.ok(nmi.frames.every((f) => f.unreliable));
  assert.equal(nmi.frames.at(-1)!.fn, '_spin_lock_irq');
  const proc = t.stack.find((s) => s.context === 'process')!;
  assert.equal(proc.frames[0]!.fn, 'wait_for_common');
  assert.equal(proc.frames[0]!.address, 'ffffffff814f89a9');
  assert.equal(proc.frames.find((f) => f.fn === '_ctl_do_mpt_command')!.module, 'mpt2sas');
});

test('old <IRQ> ... <EOI> stacks switch context on the marker line', () => {
  const text = [
    'NMI backtrace for cpu 0',
    'CPU: 0 PID: 77 Comm: ksoftirqd/0 Not tainted 3.10.0-514.el7.x86_64 #1',
    'Call Trace:',
    ' <IRQ>  [<ffffffff8107d4e8>] run_timer_softirq+0x248/0x340',
    ' [<ffffffff81084b0f>] __do_softirq+0xef/0x280',
    ' <EOI>  [<ffffffff81084d4a>] run_ksoftirqd+0x2a/0x50',
    ' [<ffffffff810ad1cf>] kthread+0xcf/0xe0',
  ].join('\n');
  const m = parse(text);
  const t = task(m, 'pid:77');
  assert.deepEqual(t.stack.map((s) => [s.context, s.frames.map((f) => f.fn)]), [
    ['hardirq', ['run_timer_softirq', '__do_softirq']],
    ['process', ['run_ksoftirqd', 'kthread']],
  ]);
  assert.equal(m.reports[0]!.kind, 'nmi_backtrace');
});

test('lockdep circular report: acquiring, held, chain with frames, two-CPU scenario, held-lock list', () => {
  const m = parse(fixture('lockdep-circular-mmap-lock.txt'));
  assert.ok(m.formats.includes('lockdep'));
  const r = m.reports[0]!;
  assert.equal(r.kind, 'lockdep_circular');
  const ld = r.lockdep!;
  assert.deepEqual(ld.acquirer, { comm: 'fuse-reader', pid: 4120 });
  assert.deepEqual([ld.acquiring?.name, ld.acquiring?.address, ld.acquiring?.at, ld.acquiring?.usage], ['&mm->mmap_lock', 'ffff888012c4a1d8', '__might_fault', '{++++}']);
  assert.deepEqual(ld.held.map((l) => [l.name, l.at]), [['&fc->io_lock', 'fuse_dev_do_read']]);
  assert.deepEqual(ld.chain.map((c) => [c.index, c.lock.name, c.frames[0]?.fn]), [[1, '&fc->io_lock', '__mutex_lock'], [0, '&mm->mmap_lock', '__lock_acquire']]);
  assert.ok(ld.chain[0]!.frames.some((f) => f.fn === 'fuse_page_mkwrite'));
  assert.deepEqual(ld.scenario.map((c) => c.cpu), ['CPU0', 'CPU1']);
  assert.deepEqual(ld.scenario[0]!.steps, ['lock(&fc->io_lock);', 'rlock(&mm->mmap_lock);']);
  assert.deepEqual(ld.scenario[1]!.steps, ['lock(&mm->mmap_lock);', 'lock(&fc->io_lock);']);
  assert.deepEqual(ld.heldBy.map((h) => [h.comm, h.pid, h.locks.map((l) => l.name)]), [['fuse-reader', 4120, ['&fc->io_lock']]]);
  assert.ok(names(task(m, 'pid:4120')).includes('fuse_dev_do_read'));
});

test('lockdep recursive and inconsistent reports keep their lock and the task taking it', () => {
  const rec = parse(fixture('lockdep-recursive-dev-lock.txt')).reports[0]!;
  assert.equal(rec.kind, 'lockdep_recursive');
  assert.equal(rec.lockdep!.acquiring!.name, '&priv->cfg_lock');
  assert.equal(rec.lockdep!.held[0]!.at, 'demo_reset_work');
  assert.deepEqual(rec.lockdep!.scenario.map((c) => c.steps.length), [2]);
  assert.equal(rec.lockdep!.heldBy[0]!.locks.length, 3);
  assert.equal(rec.lockdep!.heldBy[0]!.locks[1]!.name, '(work_completion)(&priv->reset_work)');
  const inc = parse(fixture('lockdep-inconsistent-softirq.txt')).reports[0]!;
  assert.equal(inc.kind, 'lockdep_irq_inconsistent');
  assert.deepEqual(inc.lockdep!.acquirer, { comm: 'swapper/3', pid: 0 });
  assert.equal(inc.lockdep!.acquiring!.at, 'demo_rx_complete');
  assert.deepEqual(inc.lockdep!.scenario[0]!.steps, ['lock(&stats->lock);', '<Interrupt>', 'lock(&stats->lock);']);
});

test('RCU stall: stalled CPU, detector CPU, jiffies, starved kthread; the NMI backtrace is that CPU', () => {
  const m = parse(fixture('rcu-stall-cpu-spinning.txt'));
  const r = m.reports[0]!;
  assert.equal(r.kind, 'rcu_stall');
  assert.deepEqual(r.details.stalledCpus, [1]);
  assert.equal(r.details.detectedBy, 0);
  assert.equal(r.details.jiffies, 21002);
  const starved = r.details.starved as { kthread: string; jiffies: number; state: string; cpu: number };
  assert.deepEqual([starved.kthread, starved.jiffies, starved.state, starved.cpu], ['rcu_preempt', 2008, 'RCU_GP_WAIT_FQS', 2]);
  const nmi = m.reports.find((x) => x.kind === 'nmi_backtrace')!;
  assert.equal(nmi.cpu, 1);
  const t = task(m, 'pid:7781');
  assert.equal(t.cpu, 1);
  assert.equal(t.stack.find((s) => s.exception)!.exception!.registers.RDI, 'ffff88810b3f1e80');
  assert.deepEqual(names(t, 'process').slice(0, 2), ['_raw_spin_lock_bh', 'ctnl_dump_table']);
});

test('expedited RCU stall: "{ 5-.... 7-O... P4120 }" gives the stalled CPUs (flags dropped) and the blocking task', () => {
  const m = parse([
    'rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 5-.... 7-O... P4120 } 21003 jiffies s: 1977 root: 0x20/.',
    'Sending NMI from CPU 1 to CPUs 5:',
    'NMI backtrace for cpu 5',
    'CPU: 5 PID: 9010 Comm: kworker/5:2 Not tainted 6.1.0 #1',
    'RIP: 0010:xtrace_drain_cpu+0x71/0x120 [xtrace]',
  ].join('\n'));
  const r = m.reports[0]!;
  assert.equal(r.kind, 'rcu_stall');
  assert.deepEqual(r.details.stalledCpus, [5, 7]);
  assert.deepEqual(r.details.stalledTasks, [4120]);
});

test('4.9 one-line RCU stall header and the old two-address RIP form', () => {
  const text = [
    'INFO: rcu_sched self-detected stall on CPU { 2}  (t=60001 jiffies g=123 c=122 q=77)',
    'NMI backtrace for cpu 2',
    'CPU: 2 PID: 4412 Comm: stress-ng Not tainted 4.9.0 #1',
    'RIP: 0010:[<ffffffff8119d1c5>]  [<ffffffff8119d1c5>] __list_lru_walk_one.isra.3+0x35/0x130',
    'RSP: 0018:ffffc90001237c48  EFLAGS: 00000246',
    'Call Trace:',
    ' [<ffffffff8119d2e9>] list_lru_walk_one+0x29/0x40',
  ].join('\n');
  const m = parse(text);
  const r = m.reports[0]!;
  assert.deepEqual([r.kind, r.details.stalledCpus, r.details.jiffies], ['rcu_stall', [2], 60001]);
  const exc = task(m, 'pid:4412').stack[0]!.exception!;
  assert.deepEqual([exc.fn, exc.address, exc.registers.CS, exc.registers.RFLAGS], ['__list_lru_walk_one.isra.3', 'ffffffff8119d1c5', '0010', '00000246']);
});

test('workqueue lockup: pool, in-flight worker, pending work, and the worker stack', () => {
  const m = parse(fixture('workqueue-lockup-flush.txt'));
  const r = m.reports[0]!;
  assert.equal(r.kind, 'workqueue_lockup');
  assert.equal(r.seconds, 41);
  assert.equal(r.message, 'pool cpus=3 node=0 flags=0x0 nice=0');
  const wqs = r.details.workqueues as Array<{ name: string; inFlight: Array<{ pid: number; fn: string }>; pending: string[] }>;
  assert.deepEqual(wqs.map((w) => [w.name, w.inFlight, w.pending]), [
    ['events', [{ pid: 2190, fn: 'demo_health_check', pool: 6 }], ['vmstat_shepherd', 'psi_avgs_work']],
    ['mm_percpu_wq', [], ['vmstat_update']],
  ]);
  const pools = r.details.pools as Array<{ id: number; hungSeconds: number; idle: number[] }>;
  assert.deepEqual(pools.map((p) => [p.id, p.hungSeconds, p.idle]), [[6, 41, [2255, 31]]]);
  assert.ok(names(task(m, 'pid:2190')).includes('rwsem_down_write_slowpath'));
});

test('sleeping function called from invalid context: context line, held lock, preemption site', () => {
  const m = parse(fixture('sleeping-in-atomic-spinlock.txt'));
  const r = m.reports[0]!;
  assert.equal(r.kind, 'sleeping_in_atomic');
  assert.equal(r.message, 'kernel/locking/mutex.c:580');
  assert.deepEqual([r.pid, r.comm, r.details.inAtomic, r.details.irqsDisabled], [1733, 'demo-ctl', 1, 0]);
  assert.equal(r.details.preemptionDisabledAt, 'demo_ioctl');
  assert.equal(r.lockdep!.heldBy[0]!.locks[0]!.name, '&dev->state_lock');
});

test('detector headers: kinds and fields', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['INFO: task jbd2/sda1-8:412 blocked for more than 120 seconds.', 'hung_task', { pid: 412, comm: 'jbd2/sda1-8', seconds: 120 }],
    ["INFO: task syz-executor:5120 can't die for more than 143 seconds.", 'hung_task', { pid: 5120, message: "can't die" }],
    ['BUG: soft lockup - CPU#3 stuck for 67s!', 'soft_lockup', { cpu: 3, seconds: 67, pid: null }],
    ['NMI watchdog: Watchdog detected hard LOCKUP on cpu 5', 'hard_lockup', { cpu: 5 }],
    // powerpc's watchdog: the stuck CPU itself, or another CPU naming the stuck ones (v4.16+ and v4.13-v4.15 wording)
    ['watchdog: CPU 19 self-detected hard LOCKUP @ _raw_spin_lock_irq+0x60/0x100', 'hard_lockup', { cpu: 19 }],
    ['watchdog: CPU 12 detected hard LOCKUP on other CPUs 68', 'hard_lockup', { cpu: 68 }],
    ['watchdog: CPU 0 detected hard LOCKUP on other CPUs 1,3', 'hard_lockup', { cpu: 1 }],
    ['Watchdog CPU:5 Hard LOCKUP', 'hard_lockup', { cpu: 5 }],
    ['Watchdog CPU:0 detected Hard LOCKUP other CPUS:2-3', 'hard_lockup', { cpu: 2 }],
    ['INFO: rcu_sched self-detected stall on CPU', 'rcu_stall', { message: 'self-detected' }],
    ['[ INFO: possible circular locking dependency detected ]', 'lockdep_circular', {}],
    ['WARNING: possible irq lock inversion dependency detected', 'lockdep_irq_inconsistent', {}],
    ['BUG: spinlock recursion on CPU#0, syz-executor7/5032', 'spinlock_recursion', { cpu: 0, pid: 5032, comm: 'syz-executor7' }],
    ['BUG: spinlock lockup suspected on CPU#1, kworker/1:1/30', 'spinlock_lockup', { cpu: 1, pid: 30 }],
    ['BUG: scheduling while atomic: swapper/0/0/0x00000100', 'scheduling_while_atomic', { comm: 'swapper/0', pid: 0 }],
    ['Kernel panic - not syncing: hung_task: blocked tasks', 'panic', { message: 'hung_task: blocked tasks' }],
    // a comm containing a newline splits the hung-task header; its second half carries pid and time
    ['\ufffd\ufffd !\ufffd:18088 blocked for more than 143 seconds.', 'hung_task', { pid: 18088, seconds: 143 }],
    ['BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', 'oops', {}],
    ['WARNING: CPU: 1 PID: 3349 at net/core/dev.c:7012 dev_close_many+0x1c8/0x1e0', 'oops', { cpu: 1, pid: 3349 }],
  ];
  for (const [line, kind, fields] of cases) {
    const h = matchDetector(line);
    assert.equal(h?.kind, kind, line);
    for (const [k, v] of Object.entries(fields)) assert.equal((h as unknown as Record<string, unknown>)[k], v, `${line}: ${k}`);
  }
  for (const line of ['INFO: lockdep is turned off.', 'the task is blocked', 'watchdog: CPU 12 TB:85587019220796, last SMP heartbeat TB:85578827223399 (15999ms ago)', 'INFO: t', 'INFO: task \ufffd\ufffd', 'WARNING: /etc/ssh/moduli does not exist',
    'INFO: task kworker/u8:3:1204 is blocked on a mutex likely owned by task nvme:2231.']) {
    assert.equal(matchDetector(line), null, line);
  }
});

test('hung-task blocker lines: mutex, rw-semaphore with roles, vendor (Tnnn) suffix', () => {
  assert.deepEqual(matchBlocker('INFO: task kworker/u8:3:1204 is blocked on a mutex likely owned by task nvme:2231.'),
    { waiterComm: 'kworker/u8:3', waiterPid: 1204, primitive: 'mutex', ownerComm: 'nvme', ownerPid: 2231, ownerReader: false });
  assert.deepEqual(matchBlocker('INFO: task gpu-feature-dis:13672 <writer> blocked on an rw-semaphore likely owned by task VLLM::EngineCor:46249 <writer>'),
    { waiterComm: 'gpu-feature-dis', waiterPid: 13672, primitive: 'rwsem_write', ownerComm: 'VLLM::EngineCor', ownerPid: 46249, ownerReader: false });
  // a reader-owned rw-semaphore: the owner is only the last reader (the tag is kept for the wait graph)
  assert.equal(matchBlocker('INFO: task khugepaged:86 <writer> blocked on an rw-semaphore likely owned by task GC Thread#2:48873 <reader>')?.ownerReader, true);
  assert.equal(matchBlocker('INFO: task kworker/2:3:117(T117) is blocked on a mutex likely owned by task kworker/u16:5:120(T120).')?.ownerPid, 120);
  assert.equal(matchBlocker('INFO: task bash is blocked on a mutex likely owned by task bash.'), null);
  // v6.16 semaphores: the holder is the last task recorded as taking it
  assert.deepEqual(matchBlocker('INFO: task tar:61022 blocked on a semaphore likely last held by task cp:61019'),
    { waiterComm: 'tar', waiterPid: 61022, primitive: 'semaphore', ownerComm: 'cp', ownerPid: 61019, ownerReader: false });
  assert.equal(matchDetector('INFO: task tar:61022 blocked on a semaphore likely last held by task cp:61019'), null);
});

test('frame lines: old and new forms, modules, compiler suffixes, markers', () => {
  assert.deepEqual(parseFrameLine(' [<ffffffff814f8464>] ? panic+0x8b/0x156'),
    { fn: 'panic', offset: 0x8b, size: 0x156, address: 'ffffffff814f8464', module: null, unreliable: true });
  assert.deepEqual(parseFrameLine('  nvmet_fc_delete_ctrl_work+0x6c/0x130 [nvmet_fc]'),
    { fn: 'nvmet_fc_delete_ctrl_work', offset: 0x6c, size: 0x130, address: null, module: 'nvmet_fc', unreliable: false });
  assert.equal(parseFrameLine(' watchdog_timer_fn.cold.8+0x85/0x9e')!.fn, 'watchdog_timer_fn.cold.8');
  assert.equal(parseFrameLine(' __mutex_lock_common kernel/locking/mutex.c:680 [inline]')!.fn, '__mutex_lock_common');
  assert.equal(parseFrameLine('Modules linked in: bfq xfs'), null);
  assert.deepEqual(splitMarkers(' <<EOE>>  <IRQ>  [<ffffffff81084b0f>] __do_softirq+0xef/0x280'),
    { context: 'hardirq', rest: '[<ffffffff81084b0f>] __do_softirq+0xef/0x280' });
});

test('a task printed again (repeated report, repeated paste) keeps its first stack and stays one task', () => {
  const once = fixture('hung-task-mutex-owner.txt');
  const m = parse([once, once.replace(/nvmet_fc_delete_target_queue/g, 'other_fn')].join('\n'));
  assert.equal(m.reports.filter((r) => r.kind === 'hung_task').length, 2);
  assert.equal(m.tasks.filter((t) => t.key === 'pid:1204').length, 1);
  assert.ok(names(task(m, 'pid:1204')).includes('nvmet_fc_delete_target_queue'));
  assert.ok(!names(task(m, 'pid:1204')).includes('other_fn'));
  assert.ok(m.reports[1]!.taskKeys.includes('pid:1204'), 'the second report still names its task');
});

test('hostile input: no exception, bounded work on one huge line and on garbage', () => {
  const huge = 'INFO: task ' + 'x'.repeat(2_000_000) + ' blocked for more than 120 seconds.';
  const junk = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? 'Call Trace:' : i % 3 === 1 ? ' <IRQ> ? ? +0x/0x [' : 'RIP: 0010:')).join('\n');
  for (const text of [huge, junk, '\u0000\u0001binary\u0000', 'lock(&x);\n -> #1 (', ' #0: (']) {
    const m = parse(text);
    assert.ok(Array.isArray(m.reports));
  }
});

test('powerpc hard lockup: the watchdog header, NIP/LR naming the interrupted code, the "(unreliable)" first frame confirmed by LR', () => {
  const m = parse(fixture('ppc64-self-detected-hard-lockup-blk-mq-5.14.txt'));
  const r = m.reports.find((x) => x.kind === 'hard_lockup');
  assert.equal(r?.cpu, 19);
  const t = m.tasks.find((x) => x.pid === 2212);
  const seg = t?.stack.find((s) => s.exception !== null);
  assert.equal(seg?.exception?.fn, '_raw_spin_lock_irq');
  assert.equal(seg?.exception?.offset, 0x60);
  assert.equal(seg?.exception?.address, 'c000000000e3d2a0');
  assert.equal(seg?.frames[0]?.fn, 'blk_mq_sched_dispatch_requests');
  assert.equal(seg?.frames[0]?.unreliable, false, 'LR names the same function');
  assert.deepEqual(classify(m), { family: 'hard_lockup', title: 'BUG: hard lockup in blk_mq_sched_dispatch_requests' });
  // without the LR line the first frame stays unreliable, as printed
  const noLr = parse(fixture('ppc64-self-detected-hard-lockup-blk-mq-5.14.txt').replace(/^.*\] LR \[.*$/m, ''));
  assert.equal(noLr.tasks.find((x) => x.pid === 2212)?.stack.find((s) => s.exception)?.frames[0]?.unreliable, true);
});

test('sysrq-d after sysrq-w: "Showing all locks held in the system" lists become model.heldLocks with where each lock was taken', () => {
  const m = parse(`sysrq: Show Blocked State
task:nvmectl         state:D stack:0     pid:3301  ppid:3290   flags:0x00000002
Call Trace:
 <TASK>
 __schedule+0x3f5/0x1590
 schedule+0x5e/0xd0
 schedule_preempt_disabled+0x15/0x30
 __mutex_lock+0x5a4/0xbc0
 nvmx_admin_cmd+0x31/0x120 [nvmx]
 </TASK>
sysrq: Show Locks Held

Showing all locks held in the system:
1 lock held by nvmectl/3301:
 #0: ffff8e7c60a1b048 (&ctrl->admin_lock){+.+.}-{3:3}, at: nvmx_admin_cmd+0x31/0x120 [nvmx]
2 locks held by kworker/3:2/188:
 #0: ffff8e7c41f3a948 ((wq_completion)nvmx_wq){+.+.}-{0:0}, at: process_one_work+0x1c1/0x580
 #1: ffff8e7c60a1b048 (&ctrl->admin_lock){+.+.}-{3:3}, at: nvmx_reset_work+0x52/0x300 [nvmx]

=============================================`);
  assert.deepEqual(m.heldLocks?.map((h) => [h.comm, h.pid, h.locks.map((l) => [l.address, l.name, l.at, l.atOffset, l.task])]), [
    ['nvmectl', 3301, [['ffff8e7c60a1b048', '&ctrl->admin_lock', 'nvmx_admin_cmd', 0x31, 'nvmectl/3301']]],
    ['kworker/3:2', 188, [['ffff8e7c41f3a948', '(wq_completion)nvmx_wq', 'process_one_work', 0x1c1, 'kworker/3:2/188'], ['ffff8e7c60a1b048', '&ctrl->admin_lock', 'nvmx_reset_work', 0x52, 'kworker/3:2/188']]],
  ]);
  assert.ok(m.formats.includes('lockdep'));
  assert.equal(m.tasks.find((t) => t.pid === 3301)?.stack[0]?.frames.length, 5, 'the sysrq-w block still has its stack');
});

test('arm die() and do_DataAbort headers and the v5.9 "divide_error:" trap are oops reports; the bare words in other output are not', () => {
  // arch/arm64/kernel/traps.c die(): "Internal error: %s: %x [#%d]"; arch/arm/mm/fault.c do_DataAbort:
  // "Unhandled fault: %s (0x%03x) at 0x%08lx"; arch/x86/kernel/traps.c do_error_trap() in v5.9
  for (const line of [
    'Internal error: synchronous external abort: 96000010 [#1] PREEMPT SMP',
    'Internal error: : 1b [#1] PREEMPT SMP ARM',
    'Internal error: Oops: 96000005 [#1] PREEMPT SMP',
    'Unhandled fault: page domain fault (0x01b) at 0x00000e30',
    'divide_error: 0000 [#1] PREEMPT SMP KASAN',
  ]) assert.equal(matchDetector(line)?.kind, 'oops', line);
  for (const line of [
    'Internal error: the compiler crashed, please report it',
    'ERROR 2026-11-24 Internal error: NullPointerException',
    'Unhandled fault: see the log above',
  ]) assert.equal(matchDetector(line), null, line);
  const m = parse(['[  211.59][    T1] Internal error: synchronous external abort: 96000010 [#1] PREEMPT SMP', '[  211.61][    T1] Call trace:', '[  211.62][    T1]  __raw_readb+0x0/0x10', '[  211.63][    T1]  ns558_init+0x64/0x2d4'].join('\n'));
  assert.equal(classify(m).family, 'oops');
});

test('an unregister_netdevice line printed inside a hung task\'s Call Trace is its own report and does not cut the trace; its ref_tracker stack stays with it', () => {
  const m = parse([
    '[  361.24] INFO: task syz-executor0:6102 blocked for more than 120 seconds.',
    '[  361.29] Call Trace:',
    '[  361.29]  [<ffffffff829f5a8c>] schedule+0x9c/0x1b0',
    '[  361.30] unregister_netdevice: waiting for lo to become free. Usage count = 6',
    '[  361.30] ref_tracker: netdev@ffff88801c2e05f8 has 2/6 users at',
    '[  361.30]      ip6_route_dev_notify+0x12/0x40',
    '[  361.31]  [<ffffffff829f6315>] schedule_preempt_disabled+0x15/0x20',
    '[  361.31]  [<ffffffff829fb0c0>] mutex_lock_nested+0x3b0/0x1130',
    '[  361.37]  [<ffffffff8223552c>] copy_net_ns+0xcc/0x220',
  ].join('\n'));
  assert.deepEqual(m.reports.map((r) => r.kind), ['hung_task', 'netdev_unregister']);
  assert.deepEqual(names(task(m, 'pid:6102')), ['schedule', 'schedule_preempt_disabled', 'mutex_lock_nested', 'copy_net_ns']);
  assert.deepEqual(m.reports[1]!.details.netdev, {
    device: 'lo', usage: 6,
    trackers: [{ dir: 'netdev', address: 'ffff88801c2e05f8', count: 2, total: 6, frames: ['ip6_route_dev_notify'], line: 5 }],
  });
});

test('arm64 register dump: "pc : fn+off/size" is the interrupted code, x0..x29 and sp its registers (x0 is the first argument: a spin lock slow path\'s lock)', () => {
  const m = parse([
    'watchdog: BUG: soft lockup - CPU#13 stuck for 26s! [runc:1187734]',
    'CPU: 13 UID: 0 PID: 1187734 Comm: runc Not tainted 6.12.0 #1',
    'pstate: 80400005 (Nzcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
    'pc : queued_spin_lock_slowpath+0x74/0x3a8',
    'lr : _raw_spin_lock+0x84/0x98',
    'sp : ffff8000a6ebb8f0',
    'x29: ffff8000a6ebb8f0 x28: ffff0001b3c20000 x27: 0000000000000000',
    'x2 : 0000000000000000 x1 : 0000000000000001 x0 : ffff0000c6a2e6a8',
    'Call trace:',
    ' queued_spin_lock_slowpath+0x74/0x3a8',
    ' _raw_spin_lock+0x84/0x98',
    ' inode_sb_list_add+0x2c/0x78',
  ].join('\n'));
  const t = task(m, 'pid:1187734');
  const exc = t.stack.find((s) => s.exception)?.exception;
  assert.equal(exc?.fn, 'queued_spin_lock_slowpath');
  assert.equal(exc?.offset, 0x74);
  assert.equal(exc?.registers.X0, 'ffff0000c6a2e6a8');
  assert.equal(exc?.registers.X29, 'ffff8000a6ebb8f0');
  assert.equal(exc?.registers.SP, 'ffff8000a6ebb8f0');
  assert.deepEqual(exc?.lines, [4, 5, 6, 7, 8]);
});

test('"CPU: N PID: N Comm: fio Kdump: loaded Tainted: ..." (RHEL, Fedora): the comm ends before " Kdump: loaded"', () => {
  const m = parse(['NMI watchdog: Watchdog detected hard LOCKUP on cpu 14', 'CPU: 14 PID: 61822 Comm: fio Kdump: loaded Tainted: G           OE    --------  ---  5.14.0-362.el9.x86_64 #1', 'RIP: 0010:native_queued_spin_lock_slowpath+0x20/0x2a0', 'Call Trace:', ' <NMI>', ' nvmx_irq+0x44/0x90 [nvmx]'].join('\n'));
  assert.equal(task(m, 'pid:61822').comm, 'fio');
});

test('32-bit arm: "PC is at", r0..r12 registers, and an unwinder dump with no "Call trace:" line; __irq_svc splits the interrupt from the interrupted code, which keeps the registers', () => {
  const m = parse([
    'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [spidev_test:733]',
    'CPU: 0 PID: 733 Comm: spidev_test Tainted: G           O      5.4.70 #1',
    'PC is at _raw_spin_lock_irqsave+0x40/0x58',
    'LR is at spix_transfer_one+0x30/0x120 [spix]',
    'pc : [<c07d1a40>]    lr : [<bf01a130>]    psr: 20000093',
    'sp : c2a3fd90  ip : c2a3fda8  fp : c2a3fda4',
    'r3 : 00000003  r2 : 00040005  r1 : 00000000  r0 : c2b10e4c',
    '[<c010f8a4>] (unwind_backtrace) from [<c010b7c0>] (show_stack+0x10/0x14)',
    '[<c0553cc4>] (gic_handle_irq) from [<c0101a8c>] (__irq_svc+0x6c/0x90)',
    'Exception stack(0xc2a3fd40 to 0xc2a3fd88)',
    'fd40: c2b10e4c 00000000 00040005 00000003',
    '[<c0101a8c>] (__irq_svc) from [<c07d1a40>] (_raw_spin_lock_irqsave+0x40/0x58)',
    '[<c07d1a40>] (_raw_spin_lock_irqsave) from [<bf01a130>] (spix_transfer_one+0x30/0x120 [spix])',
    '[<bf01a130>] (spix_transfer_one [spix]) from [<c04f2b10>] (spi_transfer_one_message+0x1a4/0x4f0)',
  ].join('\n'));
  const t = task(m, 'pid:733');
  assert.deepEqual(t.stack.map((s) => [s.context, s.exception?.fn ?? null, s.frames.map((f) => f.fn)]), [
    ['hardirq', null, ['unwind_backtrace', 'gic_handle_irq', '__irq_svc']],
    ['process', '_raw_spin_lock_irqsave', ['_raw_spin_lock_irqsave', 'spix_transfer_one']],
  ]);
  const exc = t.stack[1]!.exception!;
  assert.equal(exc.registers.R0, 'c2b10e4c');
  assert.equal(exc.registers.SP, 'c2a3fd90');
  assert.equal(t.stack[1]!.frames[1]!.module, 'spix');
});

test('the first task of an old sysrq-w dump follows only the column header: its task line opens the block (pid 1 included)', () => {
  const m = parse([
    '[ 3120.511201] sysrq: Show Blocked State',
    '[ 3120.511222]   task                        PC stack   pid father',
    '[ 3120.511280] systemd         D    0     1      0 0x00000000',
    '[ 3120.511284] Call Trace:',
    '[ 3120.511287]  __schedule+0x2e3/0x740',
    '[ 3120.511290]  schedule+0x42/0xb0',
    '[ 3120.511293]  schedule_preempt_disabled+0xe/0x10',
    '[ 3120.511296]  __mutex_lock.isra.0+0x182/0x4f0',
    '[ 3120.511299]  proc_cgroup_show+0x4c/0x2b0',
    '[ 3120.511350] kworker/u8:2    D ffff88103fc94300     0   212      2 0x00000080',
    '[ 3120.511354] Call Trace:',
    '[ 3120.511357]  schedule+0x29/0x70',
  ].join('\n'));
  assert.deepEqual(m.tasks.map((t) => [t.key, t.comm, t.state, t.stack[0]?.frames.length]), [['pid:1', 'systemd', 'D', 5], ['pid:212', 'kworker/u8:2', 'D', 1]]);
});
