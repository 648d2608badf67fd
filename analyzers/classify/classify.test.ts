// Family and title (syzkaller's naming rules) and the dedup signature, on incident-shaped inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../parse/parse.ts';
import { classify, signature } from './index.ts';
import { hangFrame, stallFrame } from './syz-frames.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../parse/console/fixtures/${name}`, import.meta.url), 'utf8');
const seed = (name: string): string => readFileSync(new URL(`../../../shared/seeds/${name}`, import.meta.url), 'utf8');
const sig = (text: string): string => {
  const m = parse(text);
  const c = classify(m);
  return signature(m, c.family, c.title, []);
};

function hung(frames: string[], who = 'syz-executor.3:9120'): string {
  return [
    `[  246.512210] INFO: task ${who} blocked for more than 143 seconds.`,
    '[  246.512990]       Not tainted 5.15.0-rc4-syzkaller #0',
    '[  246.513500] task:syz-executor.3  state:D stack:26480 pid: 9120 ppid:  6512 flags:0x00004004',
    '[  246.514300] Call Trace:',
    ...frames.map((f, i) => `[  246.5150${i}0]  ${f}+0x${(0x1f + i * 7).toString(16)}/0x${(0x200 + i).toString(16)}`),
  ].join('\n');
}

test('hung task titles: rtnl_lock and RCU buckets, otherwise the first frame past sleep/lock/wait', () => {
  assert.deepEqual(classify(parse(hung(['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock', 'rtnl_lock', 'tun_chr_close', '__fput']))),
    { family: 'hung_task', title: 'INFO: task hung in rtnl_lock' });
  assert.equal(classify(parse(hung(['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion', 'synchronize_rcu_expedited', 'ip6_tnl_exit_batch_net']))).title,
    'INFO: task hung in synchronize_rcu');
  assert.equal(classify(parse(fixture('hung-task-mutex-owner.txt'))).title, 'INFO: task hung in nvmet_fc_delete_target_queue');
  assert.equal(hangFrame(['__schedule', 'io_schedule', 'folio_wait_bit_common', 'rwsem_down_read_slowpath', 'ext4_writepages']), 'ext4_writepages');
});

test('stall titles: the frame above the dispatch anchor; IPIs are one bucket', () => {
  assert.equal(stallFrame(['bfq_finish_requeue_request', 'blk_complete_reqs', '__do_softirq', 'irq_exit_rcu']), 'blk_complete_reqs');
  assert.equal(stallFrame(['smp_call_function_many_cond', 'on_each_cpu_cond_mask', 'text_poke_bp_batch']), 'smp_call_function');
  assert.equal(stallFrame(['foo', 'bar']), '', 'no anchor: syzkaller calls it corrupted');
  // v6.9+ x86-64: the syscall is the frame above x64_sys_call, not x64_sys_call itself
  assert.equal(stallFrame(['fxcache_flush_all', 'fxcache_exit', '__do_sys_delete_module.isra.0', '__x64_sys_delete_module', 'x64_sys_call', 'do_syscall_64']), '__x64_sys_delete_module');
  assert.deepEqual(classify(parse(fixture('soft-lockup-spinlock-irq.txt'))), { family: 'soft_lockup', title: 'BUG: soft lockup in blk_complete_reqs' });
  assert.deepEqual(classify(parse(seed('001_92ad9bb8df84726d.txt'))), { family: 'soft_lockup', title: 'BUG: soft lockup in smp_call_function' });
});

test('lockdep and other report titles and families', () => {
  const cases: Array<[string, string, string]> = [
    ['lockdep-circular-mmap-lock.txt', 'lockdep_circular', 'possible deadlock in fuse_dev_do_read'],
    ['lockdep-recursive-dev-lock.txt', 'lockdep_recursive', 'possible deadlock in demo_apply_cfg'],
    ['lockdep-inconsistent-softirq.txt', 'lockdep_irq_inconsistent', 'inconsistent lock state in demo_rx_complete'],
    ['workqueue-lockup-flush.txt', 'workqueue_lockup', 'BUG: workqueue lockup'],
    ['sleeping-in-atomic-spinlock.txt', 'atomic_sleep', 'BUG: sleeping function called from invalid context in demo_fw_reload'],
    ['old-nmi-hard-lockup.txt', 'hard_lockup', 'BUG: hard lockup in _ctl_do_mpt_command'],
    // no syzkaller rule for hard lockups: the IRQ handler spinning, not the idle loop it interrupted
    ['hard-lockup-irq-handler-spin.txt', 'hard_lockup', 'BUG: hard lockup in mydrv_irq_handler'],
  ];
  for (const [file, family, title] of cases) assert.deepEqual(classify(parse(fixture(file))), { family, title }, file);
  assert.equal(classify(parse(fixture('rcu-stall-cpu-spinning.txt'))).family, 'rcu_stall');
});

test('a detector line grepped out of `log` (no stack in the console text) with the task\'s crash bt: the bt names the title, not "corrupted"', () => {
  const text = `crash> log | grep "soft lockup"
[ 9311.204117] watchdog: BUG: soft lockup - CPU#2 stuck for 22s! [fio:51230]
crash> bt -c 2
PID: 51230    TASK: ffff9b2f0e6b4000  CPU: 2    COMMAND: "fio"
 #0 [ffffb1e88a6bfad8] asm_sysvec_apic_timer_interrupt at ffffffff8b400e0a
    [exception RIP: native_queued_spin_lock_slowpath+350]
    RIP: ffffffff8a94b22e  RSP: ffffb1e88a6bfb88  RFLAGS: 00000202
 #1 [ffffb1e88a6bfba8] _raw_spin_lock at ffffffff8b3b9a45
 #2 [ffffb1e88a6bfbb0] fxblk_queue_rq at ffffffffc07a2c61 [fxblk]
 #3 [ffffb1e88a6bfc10] blk_mq_dispatch_rq_list at ffffffff8ad0e1d4`;
  assert.deepEqual(classify(parse(text)), { family: 'soft_lockup', title: 'BUG: soft lockup in fxblk_queue_rq' });
  // the console line alone: syzkaller's answer stands
  assert.equal(classify(parse(text.split('crash> bt')[0]!)).title, 'BUG: soft lockup in corrupted');
});

test('bad unlock balance: the function on the line after "is trying to release lock (...) at:", not an "at:" of the held-locks list', () => {
  const text = `WARNING: bad unlock balance detected!
6.6.30-lockdep #1 Tainted: G           O
-------------------------------------
kworker/u8:3/412 is trying to release lock (&dev->cmd_mutex) at:
[<ffffffffc0a1b2c3>] fxdrv_stop_work+0x83/0x120 [fxdrv]
but there are no more locks to release!
2 locks held by kworker/u8:3/412:
 #0: ffff888100069938 ((wq_completion)events_unbound){+.+.}-{0:0}, at: process_one_work+0x1e5/0x5e0
 #1: ffffc90000e4fe68 ((work_completion)(&dev->stop_work)){+.+.}-{0:0}, at: process_one_work+0x1e5/0x5e0`;
  assert.equal(classify(parse(text)).title, 'WARNING: bad unlock balance in fxdrv_stop_work');
});

test('the first detector report decides; NMI backtraces and later panics do not', () => {
  const text = [fixture('soft-lockup-spinlock-irq.txt'), 'Kernel panic - not syncing: softlockup: hung tasks', fixture('hung-task-mutex-owner.txt')].join('\n');
  assert.equal(classify(parse(text)).family, 'soft_lockup');
  assert.equal(classify(parse('Kernel panic - not syncing: hung_task: blocked tasks\n')).title, 'kernel panic: hung_task: blocked tasks');
  assert.equal(classify(parse('Kernel panic - not syncing: hung_task: blocked tasks\n')).family, 'hung_task');
});

test('a crash `sys | grep PANIC` line: the quoted panic string gives a title without the closing quote', () => {
  const r = classify(parse('crash> sys | grep PANIC\n       PANIC: "Kernel panic - not syncing: Hard LOCKUP"\n'));
  assert.equal(r.family, 'hard_lockup');
  assert.equal(r.title, 'kernel panic: Hard LOCKUP');
});

test('no detector: blocked stacks are stuck_tasks, everything else not_kernel', () => {
  const proc = ['$ cat /proc/31969/stack', '[<0>] flush_workqueue+0x17e/0x470', '[<0>] flush_scheduled_work+0x10/0x20', '[<0>] cleanup_module+0x1b/0x30 [bsnmod]', '[<0>] __x64_sys_delete_module+0x13a/0x250'].join('\n');
  assert.equal(classify(parse(proc)).family, 'stuck_tasks');
  const notKernel = [
    '',
    'Hi team, the build is red again since this morning, can someone look?',
    'Exception in thread "main" java.lang.NullPointerException\n\tat com.acme.Foo.bar(Foo.java:42)\n\tat com.acme.Main.main(Main.java:7)',
    'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    main()\nKeyError: \'x\'',
  ];
  for (const t of notKernel) assert.deepEqual(classify(parse(t)), { family: 'not_kernel', title: 'not a kernel trace' }, t.slice(0, 30));
  // kernel stacks whose states say none is blocked (all S, outside any kernel wait): no stuck task
  const sleeping = ['== 9001 redis-server state=S', '[<0>] do_epoll_wait+0x5ad/0x7a0', '[<0>] __x64_sys_epoll_wait+0x6f/0x110', '== 9004 bio_aof state=S', '[<0>] futex_wait_queue+0x69/0xb0', '[<0>] futex_wait+0x79/0x120'];
  assert.equal(classify(parse(sleeping.join('\n'))).family, 'not_kernel');
  // one of them in D, or a stack with no state at all: stuck_tasks as before
  assert.equal(classify(parse(sleeping.join('\n').replace('9004 bio_aof state=S', '9004 bio_aof state=D'))).family, 'stuck_tasks');
  assert.equal(classify(parse(sleeping.join('\n').replace(' state=S', ''))).family, 'stuck_tasks');
});

/** The same hang on another machine: other timestamps, pids, addresses, offsets, build string. */
function elsewhere(text: string): string {
  return text
    .replace(/\[\s*\d+\.\d+\]/g, () => `[ ${(Math.floor(Math.random() * 9000) + 1000)}.${String(Math.floor(Math.random() * 999999)).padStart(6, '0')}]`)
    .replace(/ffff[0-9a-f]{12}/g, (a) => a.slice(0, 4) + [...a.slice(4)].reverse().join(''))
    .replace(/\+0x([0-9a-f]+)\//g, (_m, off: string) => `+0x${(parseInt(off, 16) + 0x13).toString(16)}/`)
    .replace(/\b(1204|2231|2857|4120)\b/g, (p) => String(Number(p) + 7000))
    .replace(/6\.\d+\.0(-rc\d)?/g, '6.9.7-200.fc40.x86_64')
    .replace(/\.constprop\.0/g, '.constprop.4');
}

test('signature: the same hang elsewhere matches; a different hang does not', () => {
  for (const f of ['hung-task-mutex-owner.txt', 'soft-lockup-spinlock-irq.txt', 'lockdep-circular-mmap-lock.txt']) {
    const text = fixture(f);
    assert.equal(sig(elsewhere(text)), sig(text), f);
  }
  const a = sig(fixture('hung-task-mutex-owner.txt'));
  assert.notEqual(a, sig(fixture('soft-lockup-spinlock-irq.txt')));
  // same family, same primitive, another culprit
  assert.notEqual(a, sig(fixture('hung-task-mutex-owner.txt').replace(/nvmet_fc_delete_target_queue/g, 'nvmet_fc_free_queue')));
  // lockdep: same stack, other lock class
  const ld = fixture('lockdep-circular-mmap-lock.txt');
  assert.notEqual(sig(ld), sig(ld.replace(/&fc->io_lock/g, '&fc->bg_lock')));
  // lockdep instance counters ("#12") are not identity
  assert.equal(sig(ld.replace(/&fc->io_lock/g, '&type->s_umount_key#50')), sig(ld.replace(/&fc->io_lock/g, '&type->s_umount_key#7')));
  assert.match(a, /^[0-9a-f]{32}$/);
});

test('a panic the operator asked for (sysrq-c, an injected NMI) does not make the dump an oops: the blocked tasks decide', () => {
  const crash = [
    'crash> sys',
    '      KERNEL: vmlinux',
    '    RELEASE: 6.1.0-18-arm64',
    '      PANIC: "Kernel panic - not syncing: sysrq triggered crash"',
    'crash> foreach UN bt',
    'PID: 1712   TASK: ffff0000c5a1e000  CPU: 2   COMMAND: "systemd-udevd"',
    ' #0 [ffff80000d0bbb20] __switch_to at ffff8000080171c4',
    ' #1 [ffff80000d0bbb40] __schedule at ffff800008b5e1f0',
    ' #2 [ffff80000d0bbba0] schedule at ffff800008b5e8a0',
    ' #3 [ffff80000d0bbbc0] schedule_preempt_disabled at ffff800008b5ec18',
    ' #4 [ffff80000d0bbbd0] __mutex_lock at ffff800008b60c74',
    ' #5 [ffff80000d0bbc50] loop_get_status at ffff8000010a31e4 [loop]',
  ].join('\n');
  assert.equal(classify(parse(crash)).family, 'stuck_tasks');
  const nmi = ['Kernel panic - not syncing: NMI: Not continuing', 'INFO: task jbd2/sda1-8:412 blocked for more than 120 seconds.'].join('\n');
  assert.equal(classify(parse(nmi)).family, 'hung_task');
  // a panic the kernel decided on stays what it was
  assert.equal(classify(parse('Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b')).family, 'oops');
});

test('"BUG: workqueue leaked lock or atomic" is the atomic-context family (not a crash), titled with its last function, a module\'s too', () => {
  const text = [
    '[  52.362800] BUG: workqueue leaked lock or atomic: kworker/3:2/0x00000001/4410',
    '[  52.362815]      last function: sdhci_msm_tuning_work [sdhci_msm]',
    '[  52.362830] CPU: 3 PID: 4410 Comm: kworker/3:2 Not tainted 6.1.57 #1',
    '[  52.362840] Workqueue: events sdhci_msm_tuning_work [sdhci_msm]',
    '[  52.362850] Call trace:',
    '[  52.362860]  dump_stack+0x1c/0x28',
    '[  52.362870]  process_one_work+0x3c4/0x4a0',
  ].join('\n');
  assert.deepEqual(classify(parse(text)), { family: 'atomic_sleep', title: 'BUG: workqueue leaked lock or atomic in sdhci_msm_tuning_work' });
});
