// crash(8) output shapes beyond the seeds: written by hand from crash's formats, with other
// addresses, pids and kernels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../parse.ts';

test('foreach bt with sleeping tasks, `bt -l` source lines, `bt -f` stack words and an ARM64-looking task', () => {
  const m = parse(`crash> foreach UN bt
PID: 101    TASK: ffff9e2b4a1c8000  CPU: 5   COMMAND: "jbd2/sda1-8"
 #0 [ffffb3c1c0f4bd18] __schedule at ffffffff9a6b7a1d
    /usr/src/debug/kernel/sched/core.c: 3544
 #1 [ffffb3c1c0f4bda8] schedule at ffffffff9a6b7e6c
    ffffb3c1c0f4bdb0: 0000000000000000 ffff9e2b4a1c8000
 #2 [ffffb3c1c0f4bdb8] jbd2_journal_commit_transaction at ffffffffc03f5e2a [jbd2]
 #3 [ffffb3c1c0f4bea8] kjournald2 at ffffffffc03fb8c6 [jbd2]
 #4 [ffffb3c1c0f4bf08] kthread at ffffffff9a0cbb0a
 #5 [ffffb3c1c0f4bf50] ret_from_fork at ffffffff9a800255

PID: 2201   TASK: ffff9e2b51e14000  CPU: 2   COMMAND: "postgres"
 #0 [ffffb3c1c2a3fb60] __schedule at ffffffff9a6b7a1d
 #1 [ffffb3c1c2a3fbf0] schedule at ffffffff9a6b7e6c
 #2 [ffffb3c1c2a3fc00] io_schedule at ffffffff9a6b8262
 #3 [ffffb3c1c2a3fc10] wait_on_page_bit_common at ffffffff9a1c0d1e
 #4 [ffffb3c1c2a3fd00] filemap_fault.cold.51 at ffffffff9a1c3b47
    RIP: 00007f3a1c2e4d3b  RSP: 00007ffd8e0d3a48  RFLAGS: 00000246
    RAX: ffffffffffffffda  RBX: 0000000000000003  RCX: 00007f3a1c2e4d3b
    ORIG_RAX: 000000000000004a  CS: 0033  SS: 002b
`);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.comm, t.cpu]), [[101, 'jbd2/sda1-8', 5], [2201, 'postgres', 2]]);
  const jbd = m.tasks[0];
  assert.equal(jbd.stack.length, 1);
  assert.deepEqual(jbd.stack[0].frames.map((f) => f.fn), ['__schedule', 'schedule', 'jbd2_journal_commit_transaction', 'kjournald2', 'kthread', 'ret_from_fork']);
  assert.equal(jbd.stack[0].frames[2].module, 'jbd2');
  assert.equal(jbd.stack[0].frames[2].address, 'ffffffffc03f5e2a');
  assert.equal(jbd.kthread, true);
  const pg = m.tasks[1];
  assert.equal(pg.stack.length, 1, 'the user-space register block at the end is not an exception frame');
  assert.equal(pg.stack[0].exception, null);
  assert.equal(pg.stack[0].frames.at(-1)?.fn, 'filemap_fault.cold.51');
});

test('a bt pasted without its header, and an exception in process context (page fault) splitting the stack', () => {
  const m = parse(`#0 [ffff880079c3bc48] machine_kexec at ffffffff8105c4cb
#1 [ffff880079c3bca8] crash_kexec at ffffffff81104a32
#2 [ffff880079c3bd78] oops_end at ffffffff8168fd48
#3 [ffff880079c3bda0] no_context at ffffffff8167fbaf
#4 [ffff880079c3bdf0] __bad_area_nosemaphore at ffffffff8167fc45
#5 [ffff880079c3be38] bad_area_nosemaphore at ffffffff8167fdaf
#6 [ffff880079c3be48] __do_page_fault at ffffffff81692b1e
#7 [ffff880079c3bea8] do_page_fault at ffffffff81692cc5
#8 [ffff880079c3bed0] page_fault at ffffffff8168eec8
    [exception RIP: my_exit+33]
    RIP: ffffffffa0531021  RSP: ffff880079c3bf88  RFLAGS: 00010246
    RAX: 0000000000000000  RBX: 0000000000000000  RCX: 0000000000000000
    ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018
#9 [ffff880079c3bf80] sys_delete_module at ffffffff810fe3a5
#10 [ffff880079c3bf80] system_call_fastpath at ffffffff81697809`);
  assert.equal(m.tasks.length, 1);
  const t = m.tasks[0];
  assert.equal(t.pid, null);
  assert.deepEqual(t.stack.map((s) => [s.context, s.exception?.fn ?? null, s.frames.length]), [['process', null, 9], ['process', 'my_exit', 2]]);
  assert.equal(t.stack[1].exception?.registers.RFLAGS, '00010246');
  assert.equal(t.stack[1].exception?.lines.length, 4);
});

test('crash ps: states, the active-task mark, kernel threads, and task address → pid for a later bt', () => {
  const m = parse(`crash> ps
   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM
      0      0   0  ffffffff81a13480  RU   0.0       0      0  [swapper/0]
>     0      0   1  ffff88017fc24000  RU   0.0       0      0  [swapper/1]
    812      2   3  ffff880035b30000  UN   0.0       0      0  [kworker/3:1]
   4127      1   1  ffff88007a2d4500  IN   0.1  115432   2036  bash
>  5311   4127   1  ffff880075c8e780  RU   0.2  124112   3320  cat
   6000   4127   0  ffff880075c8ab00  ZO   0.0       0      0  defunct
crash> struct task_struct.pid,comm ffff880035b30000
  pid = 812
  comm = "kworker/3:1\\000\\000\\000\\000\\000"
`);
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.state, r.comm, r.kthread]), [
    [0, 'R', 'swapper/0', true], [0, 'R', 'swapper/1', true], [812, 'D', 'kworker/3:1', true], [4127, 'S', 'bash', false], [5311, 'R', 'cat', false], [6000, 'Z', 'defunct', false],
  ]);
  const kw = m.tasks.find((t) => t.pid === 812);
  assert.equal(kw?.state, 'D');
  assert.equal(kw?.task, 'ffff880035b30000');
  assert.ok(m.tasks.some((t) => t.pid === 5311 && t.state === 'R'), 'active tasks become tasks');
  assert.ok(!m.tasks.some((t) => t.pid === 4127), 'a sleeping bash is only a ps row');
  assert.ok(m.bindings.some((b) => b.task === 'ffff880035b30000' && b.pid === 812));
});

test('struct dumps: rw_semaphore, raw_spinlock_t with inline braces, qspinlock, `p *(struct mutex *)ADDR`', () => {
  const m = parse(`crash> struct rw_semaphore ffff8b92ab737e20
struct rw_semaphore {
  count = {
    counter = -4294967295
  },
  wait_list = {
    next = 0xffff8b92ab737d20,
    prev = 0xffff8b9281f8f7e0
  },
  wait_lock = {
    raw_lock = { val = { counter = 0 } }
  },
  owner = 0xffff8b91992e3f40
}
crash> raw_spinlock_t ffff88107f2d6a40
struct raw_spinlock_t {
  raw_lock = { slock = 3604535 }
}
crash> p *(struct mutex *)0xffff880035acf1e0
$3 = {
  count = {
    counter = 1
  },
  owner = 0x0
}
crash> p ((struct task_struct *)0xffff88003570de20)->pid
$4 = 4790
`);
  const rw = m.structs.find((s) => s.type === 'rw_semaphore');
  assert.equal(rw?.address, 'ffff8b92ab737e20');
  assert.equal(rw?.fields['count.counter'], '-4294967295');
  assert.equal(rw?.fields['wait_list.next'], 'ffff8b92ab737d20');
  assert.equal(rw?.fields['wait_lock.raw_lock.val.counter'], '0');
  assert.equal(rw?.fields.owner, 'ffff8b91992e3f40');
  const raw = m.structs.find((s) => s.type === 'raw_spinlock_t');
  assert.equal(raw?.fields.slock, '3604535');
  const mutex = m.structs.find((s) => s.type === 'mutex');
  assert.equal(mutex?.address, 'ffff880035acf1e0');
  assert.equal(mutex?.fields['count.counter'], '1');
  assert.equal(mutex?.fields.owner, '0');
  assert.ok(m.bindings.some((b) => b.task === 'ffff88003570de20' && b.pid === 4790));
});

test('a type definition (`struct completion` without an address) is not a dump; rd errors are kept', () => {
  const m = parse(`crash> completion
struct completion {
    unsigned int done;
    wait_queue_head_t wait;
}
SIZE: 32
crash> rd ffffffffc0a1b000
rd: invalid kernel virtual address: ffffffffc0a1b000  type: "64-bit KVADDR"`);
  assert.equal(m.structs.length, 0);
  assert.deepEqual(m.invalidAddresses.map((a) => a.address), ['ffffffffc0a1b000']);
});

test('the sys banner without prompts, followed directly by a bt', () => {
  const m = parse(`      KERNEL: /usr/lib/debug/lib/modules/5.14.0-284.11.1.el9_2.x86_64/vmlinux
    DUMPFILE: /var/crash/127.0.0.1-2024-03-02-10:11:12/vmcore  [PARTIAL DUMP]
        CPUS: 16
     RELEASE: 5.14.0-284.11.1.el9_2.x86_64
       PANIC: "Kernel panic - not syncing: hung_task: blocked tasks"
         PID: 98
     COMMAND: "khungtaskd"
        TASK: ffff8f0a41b2c000  [THREAD_INFO: ffff8f0a41b2c000]
         CPU: 7
       STATE: TASK_RUNNING (PANIC)
PID: 98       TASK: ffff8f0a41b2c000  CPU: 7    COMMAND: "khungtaskd"
 #0 [ffffa6a1c037fd60] machine_kexec at ffffffffa3a6b5c7
 #1 [ffffa6a1c037fdb8] __crash_kexec at ffffffffa3b8b35a
 #2 [ffffa6a1c037fe80] panic at ffffffffa44c4d3b
 #3 [ffffa6a1c037ff00] watchdog at ffffffffa3bc2f0b`);
  assert.equal(m.sys?.release, '5.14.0-284.11.1.el9_2.x86_64');
  assert.equal(m.sys?.cpus, 16);
  assert.equal(m.sys?.panic, 'Kernel panic - not syncing: hung_task: blocked tasks');
  assert.equal(m.release, '5.14.0-284.11.1.el9_2.x86_64');
  assert.equal(m.tasks.length, 1);
  assert.equal(m.tasks[0].comm, 'khungtaskd');
  assert.equal(m.tasks[0].stack[0].frames.length, 4);
});

test('a SOFTIRQ stack marker (32-bit and some configs) gives softirq frames', () => {
  const m = parse(`PID: 0      TASK: c0a3e2c0  CPU: 0   COMMAND: "swapper"
 #0 [c0b5ff18] tasklet_action at c0431e1b
 #1 [c0b5ff30] __do_softirq at c0431cb5
--- <soft IRQ> ---
 #2 [c0b3bf80] do_softirq at c04055e2
 #3 [c0b3bf98] irq_exit at c0431a7e
--- <hard IRQ> ---
 #4 [c0b3bfb0] do_IRQ at c04060e4
 #5 [c0b3bfc8] common_interrupt at c040462f
 #6 [c0b3bff0] cpu_idle at c0402c6e`);
  assert.deepEqual(m.tasks[0].stack.map((s) => [s.context, s.frames.map((f) => f.fn)]), [
    ['softirq', ['tasklet_action', '__do_softirq']],
    ['hardirq', ['do_softirq', 'irq_exit']],
    ['process', ['do_IRQ', 'common_interrupt', 'cpu_idle']],
  ]);
});

test('the command before a backtrace gives its tasks a state: `bt -a` running, `foreach UN bt` blocked', () => {
  const m = parse(`crash> bt -a
PID: 11 TASK: ffff880011110000 CPU: 0 COMMAND: "a"
 #0 [ffff880011112000] native_queued_spin_lock_slowpath at ffffffff81000001
PID: 12 TASK: ffff880011120000 CPU: 1 COMMAND: "b"
 #0 [ffff880011122000] native_queued_spin_lock_slowpath at ffffffff81000001
crash> struct mutex ffff880099990000
struct mutex {
  owner = 0xffff880011110000
}
PID: 13 TASK: ffff880011130000 CPU: 1 COMMAND: "c"
 #0 [ffff880011132000] schedule at ffffffff81000002
foreach UN bt
PID: 14 TASK: ffff880011140000 CPU: 2 COMMAND: "d"
 #0 [ffff880011142000] schedule at ffffffff81000002
crash> bt 15
PID: 15 TASK: ffff880011150000 CPU: 3 COMMAND: "e"
 #0 [ffff880011152000] schedule at ffffffff81000002`);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.state]), [[11, 'R'], [12, 'R'], [13, null], [14, 'D'], [15, null]]);
});

test('arm64 crash bt: the PC/LR register block is the interrupted context', () => {
  const m = parse(`PID: 0        TASK: ffff800011b1a740  CPU: 0    COMMAND: "swapper/0"
 #0 [ffff800010003d90] __crash_kexec at ffff80001016d2b0
 #1 [ffff800010003e20] panic at ffff800010b2b1c8
 #2 [ffff800010003f00] watchdog_timer_fn at ffff8000101a0e3c
 #3 [ffff800010003fe0] el1_irq at ffff800010012b4c
--- <IRQ stack> ---
     PC: ffff80001043f0b8  [arch_cpu_idle+16]
     LR: ffff80001043f0b4  [arch_cpu_idle+12]
     SP: ffff800011b0bef0  PSTATE: 60000005
    X29: ffff800011b0bef0  X28: ffff800011b16ac0  X27: 0000000000000000
 #4 [ffff800011b0bef0] arch_cpu_idle at ffff80001043f0b4
 #5 [ffff800011b0bf00] do_idle at ffff8000100e5d38`);
  const t = m.tasks[0];
  assert.deepEqual(t.stack.map((s) => s.context), ['hardirq', 'process']);
  assert.equal(t.stack[1].exception?.fn, 'arch_cpu_idle');
  assert.equal(t.stack[1].exception?.offset, 16);
  assert.equal(t.stack[1].exception?.address, 'ffff80001043f0b8');
  assert.equal(t.stack[1].exception?.registers.PSTATE, '60000005');
  assert.equal(t.stack[1].exception?.registers.X29, 'ffff800011b0bef0');
});

test('frame lines that only look like crash frames are not frames', () => {
  const m = parse(`PID: 5 TASK: ffff880000000005 CPU: 0 COMMAND: "k"
 #0 [ffff880000001000] schedule at ffffffff81000000
 #x [ffff880000001008] bogus at ffffffff81000000`);
  assert.deepEqual(m.tasks[0].stack[0].frames.map((f) => f.fn), ['schedule']);
});

test('crash `ps -m` (time since last run) lists blocked tasks with their task address', () => {
  const m = parse(`crash> ps -m | grep UN
[0 00:02:13.456] [UN]  PID: 4790     TASK: ffff88003570de20  CPU: 1    COMMAND: "kworker/1:2"
[0 00:02:13.401] [UN]  PID: 31969    TASK: ffff880036bd0fd0  CPU: 0    COMMAND: "rmmod"
[0 00:00:00.002] [RU]  PID: 7297     TASK: ffff88007a1b8000  CPU: 2    COMMAND: "sshd"`);
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.state, r.task, r.comm]), [[4790, 'D', 'ffff88003570de20', 'kworker/1:2'], [31969, 'D', 'ffff880036bd0fd0', 'rmmod'], [7297, 'R', 'ffff88007a1b8000', 'sshd']]);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.state]), [[4790, 'D'], [31969, 'D']]);
});

test('console lines that share a key with the sys banner are left to the console ("PANIC: double fault", "CPU: 0 PID: 1 Comm:")', () => {
  const m = parse(`PANIC: double fault, error_code: 0x0
CPU: 0 PID: 3385 Comm: syz-executor0 Not tainted 4.15.0-rc2+ #1
RIP: 0010:kvm_async_pf_task_wait+0x78/0x300`);
  assert.equal(m.sys, null);
  const banner = parse(`    DUMPFILE: vmcore
        CPUS: 64 [OFFLINE: 2]
     RELEASE: 5.4.17-2136.300.7.el8uek.x86_64
         CPU: 12`);
  assert.equal(banner.sys?.cpus, 64);
  assert.equal(banner.sys?.cpu, 12);
  assert.equal(banner.sys?.release, '5.4.17-2136.300.7.el8uek.x86_64');
});

test('`bt -s` / `bt -sx` frames carry the offset in the symbol; the name stays clean', () => {
  const m = parse(`crash> bt -sx 812
PID: 812    TASK: ffff880035b30000  CPU: 3   COMMAND: "kworker/3:1"
 #0 [ffff880035b3bd08] __schedule+0x2bf at ffffffff8168b1e5
 #1 [ffff880035b3bd70] schedule+41 at ffffffff8168b759
 #2 [ffff880035b3bd80] flush_work.isra.0+0x104 at ffffffff810a7d44`);
  const f = m.tasks[0].stack[0].frames;
  assert.deepEqual(f.map((x) => [x.fn, x.offset]), [['__schedule', 0x2bf], ['schedule', 41], ['flush_work.isra.0', 0x104]]);
});

test('`bt -t` text-symbol listings: START is the saved RIP, the rest are marked unreliable', () => {
  const m = parse(`crash> bt -t 1
PID: 1      TASK: ffff88017b5b0000  CPU: 1   COMMAND: "systemd"
              START: __schedule at ffffffff8168b1e5
  [ffff88017b5bbb58] schedule at ffffffff8168b759
  [ffff88017b5bbb68] schedule_hrtimeout_range_clock at ffffffff8168a9c2`);
  const f = m.tasks[0].stack[0].frames;
  assert.deepEqual(f.map((x) => [x.fn, x.unreliable]), [['__schedule', false], ['schedule', true], ['schedule_hrtimeout_range_clock', true]]);
});

test('`sys | grep -e RELEASE -e PANIC`: what is left of the banner is still the banner (a release, crash\'s quoted panic string)', () => {
  const m = parse(`crash> sys | grep -e RELEASE -e PANIC
     RELEASE: 4.18.0-477.10.1.el8_8.x86_64
       PANIC: "Kernel panic - not syncing: Hard LOCKUP"`);
  assert.equal(m.sys?.panic, 'Kernel panic - not syncing: Hard LOCKUP');
  assert.equal(m.sys?.release, '4.18.0-477.10.1.el8_8.x86_64');
  assert.equal(m.sys?.pid, null);
  assert.deepEqual(m.reports, [], 'the quoted string is not a console panic report');
  // the quoted PANIC line alone is enough; an unquoted one (the console's) or a release alone is not
  assert.equal(parse('crash> sys | grep PANIC\n       PANIC: "Kernel panic - not syncing: softlockup: hung tasks"').sys?.panic, 'Kernel panic - not syncing: softlockup: hung tasks');
  assert.equal(parse('     RELEASE: 5.14.0-284.el9.x86_64').sys, null);
  assert.equal(parse('PANIC: double fault, error_code: 0x0').sys, null);
});

test('"list -H HEAD -s rwsem_waiter.task,type" (head first, no member offset) is read like the -h form', () => {
  const m = parse([
    'crash> list -H ffff9d2b4a7e1c90 -s rwsem_waiter.task,type',
    'ffffb4e2c1a3bd58',
    '  task = 0xffff9d2b51f0c000',
    '  type = RWSEM_WAITING_FOR_WRITE',
    'ffffb4e2c1b7bd20',
    '  task = 0xffff9d2b51f0e000',
    '  type = RWSEM_WAITING_FOR_READ',
    'crash> list -o 0 -h ffff9d2b4a7e1c90 -s mutex_waiter.task',
  ].join('\n'));
  assert.equal(m.waiterLists.length, 2);
  const [l] = m.waiterLists;
  assert.equal(l!.head, 'ffff9d2b4a7e1c90');
  assert.equal(l!.structType, 'rwsem_waiter');
  assert.deepEqual(l!.entries.map((e) => [e.node, e.task, e.type]), [
    ['ffffb4e2c1a3bd58', 'ffff9d2b51f0c000', 'RWSEM_WAITING_FOR_WRITE'],
    ['ffffb4e2c1b7bd20', 'ffff9d2b51f0e000', 'RWSEM_WAITING_FOR_READ'],
  ]);
  assert.equal(m.waiterLists[1]!.structType, 'mutex_waiter');
  // crash takes the options in any order: -s before -H, the positional struct.member offset last
  const any = parse([
    'crash> list -s rwsem_waiter.task,type -H ffff8f5b2d7e1d20',
    'ffffb3a1c8f3bcd0',
    '  task = 0xffff8f5b8e1d0000,',
    '  type = RWSEM_WAITING_FOR_READ,',
    'crash> list -H 0xffff8f5b2d7e1d20 -s task rwsem_waiter.list',
    'crash> list -s rwsem_waiter.task',
  ].join('\n'));
  assert.deepEqual(any.waiterLists.map((w) => [w.structType, w.head, w.entries.length]), [['rwsem_waiter', 'ffff8f5b2d7e1d20', 1], ['rwsem_waiter', 'ffff8f5b2d7e1d20', 0]],
    'a list with no head is not a waiter list');
  // and a struct dump's -x/-d flag may come before the address
  const flagFirst = parse(['crash> struct rw_semaphore -x ffff8b1e51c3a788', 'struct rw_semaphore {', '  count = {', '    counter = 0x3', '  },', '}'].join('\n'));
  assert.deepEqual(flagFirst.structs.map((d) => [d.type, d.address, d.fields['count.counter']]), [['rw_semaphore', 'ffff8b1e51c3a788', '3']]);
});

test('member-form dumps: every braced member is read, and a lock embedded in a driver struct gets its own dump from the "-o" offsets, in either order', () => {
  const dump = [
    'crash> struct raidx_array.name,lock ffff8c1a61d7a000',
    '  name = "md-fast",',
    '  lock = {',
    '    owner = {',
    '      counter = -127387443134463',
    '    },',
    '    wait_list = {',
    '      next = 0xffffb1e2c0a3bd10,',
    '      prev = 0xffffb1e2c0a3bd10',
    '    }',
    '  },',
  ];
  const offsets = ['crash> struct raidx_array.lock -o ffff8c1a61d7a000', 'struct raidx_array {', '  [ffff8c1a61d7a138] struct mutex lock;', '}'];
  for (const text of [[...dump, ...offsets], [...offsets, ...dump]]) {
    const m = parse(text.join('\n'));
    const container = m.structs.find((s) => s.type === 'raidx_array')!;
    assert.deepEqual(Object.keys(container.fields), ['name', 'lock.owner.counter', 'lock.wait_list.next', 'lock.wait_list.prev']);
    const lock = m.structs.find((s) => s.type === 'mutex');
    assert.equal(lock?.address, 'ffff8c1a61d7a138');
    assert.deepEqual(lock?.fields, { 'owner.counter': '-127387443134463', 'wait_list.next': 'ffffb1e2c0a3bd10', 'wait_list.prev': 'ffffb1e2c0a3bd10' });
    assert.equal(m.structs.filter((s) => s.type === 'mutex').length, 1);
  }
});
