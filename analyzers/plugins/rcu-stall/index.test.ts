import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rcuStall } from './index.ts';
import { consoleFixture, runPlugin } from '../generic-helpers/test-support.ts';

test('RCU stall: the grace period waits on CPU 1, which spins on a lock; the GP kthread is starved too', () => {
  const f = runPlugin(rcuStall, consoleFixture('rcu-stall-cpu-spinning.txt')).findings[0]!;
  assert.equal(f.pattern, 'rcu-stall');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
    ['RCU grace period', 'rcu_gp', 'conntrackd:7781'],
    ['conntrackd:7781', 'spinlock', null],
    // "->cpu=2" is where the starved kthread last ran, not who starves it: no holder
    ['rcu_preempt kthread', 'cpu', null],
  ]);
  assert.match(f.blockingChain[2]!.evidence ?? '', /last ran on CPU 2/);
  assert.equal(f.suspectLock?.address, 'ffff88810b3f1e80');
  assert.deepEqual(f.keyFrames.slice(0, 2), ['ctnl_dump_table', 'netlink_dump']);
  assert.ok(f.nextSteps.includes('crash> bt -c 1'));
});

test('a stalled CPU without a backtrace in the paste is named, with no holder task', () => {
  const text = ['rcu: INFO: rcu_sched detected stalls on CPUs/tasks:', 'rcu: \t3-...0: (1 GPs behind) idle=7f2/1/0x4000000000000000 softirq=1/1 fqs=2', '\t(detected by 0, t=60002 jiffies, g=9, q=1)'].join('\n');
  const f = runPlugin(rcuStall, text).findings[0]!;
  assert.deepEqual(f.blockingChain.map((l) => l.heldBy), ['CPU 3']);
  assert.ok(f.headline.includes('60002 jiffies'));
});

test('honesty: an idle CPU or one the stall line calls "(false positive?)" holds nothing; a missed kthread timer wakeup is a timer problem', () => {
  const text = [
    'rcu: INFO: rcu_sched detected stalls on CPUs/tasks:',
    'rcu: \t2-...!: (0 ticks this GP) idle=3f4/0/0x0 softirq=88/88 fqs=0  (false positive?)',
    'rcu: \t(detected by 5, t=21003 jiffies, g=4405, q=12 ncpus=16)',
    'rcu: rcu_sched kthread timer wakeup didn\'t happen for 20999 jiffies! g4405 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402',
    'rcu: \tPossible timer handling issue on cpu=9 timer-softirq=5120',
    'rcu: rcu_sched kthread starved for 21001 jiffies! g4405 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402 ->cpu=9',
    'NMI backtrace for cpu 2 skipped: idling at intel_idle+0x65/0xb0',
  ].join('\n');
  const f = runPlugin(rcuStall, text).findings[0]!;
  assert.deepEqual(f.blockingChain.map((l) => l.heldBy), [null, null]);
  assert.match(f.blockingChain[0]!.evidence ?? '', /false positive/);
  assert.match(f.blockingChain[1]!.evidence ?? '', /timer wakeup did not happen .*not a CPU hog/);
});

test('a task hung in synchronize_rcu waits for the grace period the stall names: it is the first link, held by the stalled task', () => {
  const text = [
    'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
    'rcu: \t4-....: (20999 ticks this GP) idle=8a2/1/0x4000000000000000 softirq=901/901 fqs=5100',
    'rcu: \t(detected by 0, t=21002 jiffies, g=77017, q=330 ncpus=8)',
    'NMI backtrace for cpu 4',
    'CPU: 4 PID: 3310 Comm: camd Tainted: G           O       6.1.0 #1',
    'RIP: 0010:xcam_poll_fifo+0x40/0x90 [xcam]',
    'Call Trace:',
    ' <TASK>',
    ' xcam_stream_on+0x88/0x120 [xcam]',
    ' xcam_ioctl+0x1c0/0x3a0 [xcam]',
    ' </TASK>',
    'INFO: task kworker/u16:1:88 blocked for more than 122 seconds.',
    'task:kworker/u16:1   state:D stack:0     pid:88    ppid:2      flags:0x00004000',
    'Call Trace:',
    ' <TASK>',
    ' __schedule+0x34d/0x9e0',
    ' schedule+0x5a/0xd0',
    ' schedule_timeout+0x118/0x150',
    ' __wait_for_common+0x93/0x1a0',
    ' __wait_rcu_gp+0x13e/0x150',
    ' synchronize_rcu+0xd6/0xf0',
    ' xbus_remove_work+0x30/0x90',
    ' </TASK>',
  ].join('\n');
  const f = runPlugin(rcuStall, text).findings[0]!;
  assert.deepEqual(f.blockingChain.slice(0, 2).map((l) => [l.task, l.primitive, l.heldBy]), [
    ['kworker/u16:1:88', 'rcu_gp', 'camd:3310'],
    ['RCU grace period', 'rcu_gp', 'camd:3310'],
  ]);
  assert.equal(f.confidence, 0.7);
});

test('a grace-period kthread starved for most of the stall leaves the stalled CPUs unproven: what they ran when sampled is not named; a short starvation changes nothing', () => {
  // arm64 6.1, an RT busy-loop on CPU 5 where rcu_preempt last ran; CPU 2 is sampled in user-triggered work
  const report = (starvedFor: number): string => [
    '[  913.402113] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
    '[  913.402140] rcu: \t2-...!: (2 GPs behind) idle=5d4c/1/0x4000000000000000 softirq=88213/88213 fqs=0',
    '[  913.402160] \t(detected by 4, t=6302 jiffies, g=311205, q=1204 ncpus=8)',
    '[  913.402170] Task dump for CPU 2:',
    '[  913.402175] task:postgres        state:R  running task     stack:0     pid:48812 ppid:48790  flags:0x00000002',
    '[  913.402180] Call trace:',
    '[  913.402185]  __switch_to+0xf4/0x160',
    '[  913.402190]  copy_page+0x30/0x80',
    '[  913.402195]  wp_page_copy+0x1cc/0x7e0',
    '[  913.402200]  do_wp_page+0x1b8/0x5a0',
    '[  913.402205]  __handle_mm_fault+0x6e4/0xc30',
    '[  913.402210]  handle_mm_fault+0xe8/0x2a0',
    '[  913.402215]  do_page_fault+0x1c4/0x4d0',
    '[  913.402220]  el0_da+0x48/0xf0',
    `[  913.402230] rcu: rcu_preempt kthread starved for ${starvedFor} jiffies! g311205 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=5`,
    '[  913.402235] rcu: \tUnless rcu_preempt kthread gets sufficient CPU time, OOM is now expected behavior.',
  ].join('\n');
  const starved = runPlugin(rcuStall, report(6300)).findings[0]!;
  assert.deepEqual(starved.blockingChain.map((l) => [l.task, l.heldBy]), [['RCU grace period', null], ['rcu_preempt kthread', null]]);
  assert.match(starved.blockingChain[0]!.evidence ?? '', /running copy_page when sampled, but the rcu_preempt kthread was starved for 6300 of the stall's 6302 jiffies/);
  assert.match(starved.headline, /kthread was starved of CPU for 6300 jiffies, so CPU 2 may be innocent/);
  assert.ok(starved.checklist.some((c) => /CPU 5/.test(c)) && starved.checklist.some((c) => /steal time/.test(c)));

  const brief = runPlugin(rcuStall, report(2100)).findings[0]!;
  assert.equal(brief.blockingChain[0]!.heldBy, 'postgres:48812', 'starved for a third of the stall: the CPU is still the suspect');
});

test('one finding per grace period: a stall reported again while the same grace period lasts is merged into its latest report; another grace period is its own', () => {
  const stall = (t: number, g: number, cpu: number): string[] => [
    'rcu: INFO: rcu_sched self-detected stall on CPU',
    `rcu: \t${cpu}-....: (${t} ticks this GP) idle=a3e/1/0x4000000000000002 softirq=5520/5520 fqs=${Math.floor(t / 3000)}`,
    `\t(t=${t} jiffies g=${g} q=210 ncpus=16)`,
    `CPU: ${cpu} PID: 7731 Comm: dd Not tainted 5.15.0-91-generic #101-Ubuntu`,
    'RIP: 0010:xas_find+0x9c/0x1d0',
    'Call Trace:',
    ' <TASK>',
    ' find_get_entries+0x6a/0x180',
    ' truncate_inode_pages_range+0x21d/0x6a0',
    ' evict+0xc6/0x1d0',
    ' </TASK>',
  ];
  const f = runPlugin(rcuStall, [...stall(15001, 88120441, 6), ...stall(60004, 88120441, 6)].join('\n')).findings;
  assert.equal(f.length, 1);
  assert.match(f[0]!.headline, /stalled for 60004 jiffies .*\(reported 2 times for this grace period\)$/);
  const two = runPlugin(rcuStall, [...stall(15001, 88120441, 6), ...stall(15002, 88120997, 6)].join('\n')).findings;
  assert.deepEqual(two.map((x) => x.headline.match(/for (\d+) jiffies/)?.[1]), ['15001', '15002']);
});
