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
  assert.ok(starved.checklist.some((c) => /CPU 5/.test(c)), 'what kept the kthread off its CPU');
  assert.ok(starved.checklist.some((c) => /steal time/.test(c)), 'steal time on a VM');

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

test('an idle CPU busy in a softirq is not idle: powerpc "--- interrupt:" frames split the stack, the function the tick cut into is blamed, the CPU (not the idle task) holds the grace period; rsyslog\'s #011/#012 escapes are undone', () => {
  const line = (s: string): string => `Mar  3 11:20:41 lpar7 kernel: [ 8812.40${String(s.length % 10)}] ${s}`;
  const stack = (rx: boolean): string[] => [
    'rcu: INFO: rcu_sched self-detected stall on CPU',
    'rcu: #0115-....: (5249 ticks this GP) idle=8b6/1/0x4000000000000004 softirq=880213/880214 fqs=2603 ',
    '#011(t=5250 jiffies g=19920457 q=3310)',
    'NMI backtrace for cpu 5',
    'CPU: 5 PID: 0 Comm: swapper/5 Not tainted 6.1.0-21-powerpc64le #1 Debian 6.1.90-1',
    'Call Trace:',
    '[c00000000ffb7a10] [c000000000f8a3c4] dump_stack_lvl+0x74/0xa8 (unreliable)',
    '[c00000000ffb7a50] [c000000000f62e28] nmi_cpu_backtrace+0x1b8/0x1d0',
    '[c00000000ffb7ae0] [c000000000f63058] nmi_trigger_cpumask_backtrace+0x218/0x240',
    '[c00000000ffb7b80] [c000000000255fa4] rcu_dump_cpu_stacks+0x148/0x1a0',
    '[c00000000ffb7bd0] [c000000000254b2c] rcu_sched_clock_irq+0x9ac/0xbe0',
    '[c00000000ffb7cb0] [c0000000002662c4] update_process_times+0xc4/0x130',
    '[c00000000ffb7cf0] [c000000000283c24] tick_sched_timer+0x74/0x130',
    '[c00000000ffb7d30] [c0000000002683c8] __hrtimer_run_queues+0x1a8/0x3f0',
    '[c00000000ffb7dd0] [c000000000269420] hrtimer_interrupt+0x130/0x340',
    '[c00000000ffb7e80] [c00000000002b1e0] timer_interrupt+0x140/0x350',
    '[c00000000ffb7ee0] [c000000000009d08] decrementer_common_virt+0x208/0x210',
    ...(rx ? [
      '--- interrupt: 900 at ibmveth_poll+0x1c8/0x4a0 [ibmveth]#012NIP:  c00800000a3b1f48 LR: c00800000a3b1e2c CTR: c000000000d2e3a0',
      '[c00000000ffb81f0] [c000000000d2e3a0] __napi_poll+0x50/0x270',
      '[c00000000ffb8280] [c000000000d2ea3c] net_rx_action+0x35c/0x430',
      '[c00000000ffb8360] [c000000000fa4a34] __do_softirq+0x164/0x400',
      '[c00000000ffb8450] [c000000000019a9c] do_softirq_own_stack+0x3c/0x50',
      '[c00000000ffb8470] [c000000000171e34] __irq_exit_rcu+0x184/0x1c0',
      '[c00000000ffb84a0] [c0000000000180f4] __do_irq+0xb4/0x1a0',
      '[c00000000ffb84e0] [c000000000009e44] hardware_interrupt_common_virt+0x204/0x210',
    ] : []),
    '--- interrupt: 500 at plpar_hcall_norets_notrace+0x18/0x2c#012NIP:  c0000000001059f8 LR: c000000000b5c1e8 CTR: 0000000000000000',
    '[c00000000a3afe10] [c000000000b5c1e8] dedicated_cede_loop+0x98/0x1c0',
    '[c00000000a3afe50] [c000000000b593d0] cpuidle_enter_state+0x110/0x4f0',
    '[c00000000a3afee0] [c000000000b59854] cpuidle_enter+0x54/0x80',
    '[c00000000a3aff20] [c0000000001c84e8] do_idle+0x2c8/0x340',
    '[c00000000a3aff70] [c0000000001c8888] cpu_startup_entry+0x38/0x50',
  ];
  const busy = runPlugin(rcuStall, stack(true).map(line).join('\n')).findings[0]!;
  assert.deepEqual(busy.blockingChain.map((l) => [l.waitsOn, l.heldBy]), [['quiescent state from CPU 5', 'CPU 5']]);
  assert.equal(busy.keyFrames[0], 'ibmveth_poll');
  const idle = runPlugin(rcuStall, stack(false).map(line).join('\n')).findings[0]!;
  assert.deepEqual(idle.blockingChain.map((l) => l.heldBy), [null], 'only the timer tick that reports the stall runs over the idle loop');
  assert.match(idle.blockingChain[0]!.evidence ?? '', /idle loop/);
});

test('RCU Tasks flavours are grace periods of their own: a waiter in rcu_barrier_tasks_trace is chained to a tasks-trace stall\'s holdout, a synchronize_rcu waiter is not', () => {
  const waiter = (fn: string, pid: number): string[] => [
    `INFO: task kworker/u16:1:${pid} blocked for more than 122 seconds.`,
    `task:kworker/u16:1   state:D stack:0     pid:${pid}   ppid:2      flags:0x00004000`,
    'Call Trace:',
    ' <TASK>',
    ' __schedule+0x2c4/0x7a0',
    ' schedule+0x5a/0xd0',
    ' schedule_timeout+0x15d/0x170',
    ' __wait_for_common+0x90/0x1b0',
    ...(fn === 'synchronize_rcu' ? [' __wait_rcu_gp+0x146/0x160', ' synchronize_rcu+0xf5/0x120'] : [' rcu_barrier_tasks_generic+0x14f/0x1a0', ` ${fn}+0x12/0x20`]),
    ' bpf_link_release_work+0x2a/0x50',
    ' process_one_work+0x17c/0x350',
    ' </TASK>',
  ];
  const stall = ['INFO: rcu_tasks_trace detected stalls on tasks:', 'P2210: ...B nesting: 1!  cpu: 3', 'task:node            state:S stack:0     pid:2210  ppid:1      flags:0x00000002', ' 1 holdouts'];
  const chain = (fn: string): Array<[string, string | null]> =>
    runPlugin(rcuStall, [...waiter(fn, 900), ...stall].join('\n')).findings[0]!.blockingChain.map((l) => [l.task, l.heldBy]);
  assert.deepEqual(chain('rcu_barrier_tasks_trace')[0], ['kworker/u16:1:900', 'node:2210']);
  assert.ok(!chain('synchronize_rcu').some(([t]) => t === 'kworker/u16:1:900'), 'a normal grace period is not the tasks-trace one');
  assert.ok(!chain('rcu_barrier_tasks').some(([t]) => t === 'kworker/u16:1:900'), 'nor is the plain RCU Tasks one');
});
