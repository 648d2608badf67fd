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
    ['rcu_preempt kthread', 'cpu', 'CPU 2'],
  ]);
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
