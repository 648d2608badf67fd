import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockdepReport } from './index.ts';
import { consoleFixture, runPlugin } from '../generic-helpers/test-support.ts';

test('recursive locking: the task holds the class it takes again, a self-cycle on one lock', () => {
  const f = runPlugin(lockdepReport, consoleFixture('lockdep-recursive-dev-lock.txt')).findings[0]!;
  assert.equal(f.pattern, 'lockdep-report');
  assert.equal(f.cycle, true);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy, l.lock]), [['kworker/0:2:318', 'kworker/0:2:318', 'ffff888104b2c0a8']]);
  assert.deepEqual([f.suspectLock?.name, f.suspectLock?.address, f.suspectLock?.holder], ['&priv->cfg_lock', 'ffff888104b2c0a8', 'kworker/0:2:318']);
  assert.deepEqual(f.keyFrames.slice(0, 2), ['demo_apply_cfg', 'demo_reset_work']);
  assert.ok(f.checklist.some((c) => c.includes('mutex_lock_nested')));
});

test('recursive locking on two instances of one class is a nesting question, not a cycle', () => {
  const text = consoleFixture('lockdep-recursive-dev-lock.txt').replace(
    'ffff888104b2c0a8 (&priv->cfg_lock){+.+.}-{3:3}, at: demo_apply_cfg', 'ffff888104b7e0a8 (&priv->cfg_lock){+.+.}-{3:3}, at: demo_apply_cfg');
  const f = runPlugin(lockdepReport, text).findings[0]!;
  assert.equal(f.cycle, false);
  assert.equal(f.blockingChain[0]!.heldBy, null);
  assert.equal(f.suspectLock?.holder, null);
  assert.ok(f.headline.includes('second instance'));
  assert.ok(f.checklist[0]!.includes('mutex_lock_nested'));
});

test('inconsistent lock state: softirq user vs softirq-enabled user of the same spinlock', () => {
  const f = runPlugin(lockdepReport, consoleFixture('lockdep-inconsistent-softirq.txt')).findings[0]!;
  // {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}: swapper/3 is the softirq side; the task that holds the lock with
  // softirqs on is not in the paste, so no holder and no closed chain
  assert.equal(f.cycle, false);
  assert.equal(f.suspectLock?.holder, null);
  assert.deepEqual(f.blockingChain.map((l) => l.heldBy), [null]);
  assert.equal(f.suspectLock?.name, '&stats->lock');
  assert.equal(f.keyFrames[0], 'demo_rx_complete');
  assert.ok(f.headline.includes('<Interrupt>'), 'the scenario lockdep printed is part of the headline');
  assert.ok(f.checklist.some((c) => c.includes('spin_lock_bh')));
});

test('inconsistent lock state the other way ({IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W}): the reporting task takes the lock with softirqs on, so it is the holder a softirq on its CPU would deadlock against', () => {
  const text = consoleFixture('lockdep-inconsistent-softirq.txt')
    .replace('{SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}', '{IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W}')
    .replace('swapper/3/0 [HC0[0]:SC1[1]:HE1:SE0] takes:', 'demo-stat/812 [HC0[0]:SC0[0]:HE1:SE1] takes:');
  const f = runPlugin(lockdepReport, text).findings[0]!;
  assert.equal(f.cycle, true);
  assert.equal(f.suspectLock?.holder, 'demo-stat:812');
});

test('circular dependencies are left to the lockdep-cycle analyzer', () => {
  assert.deepEqual(runPlugin(lockdepReport, consoleFixture('lockdep-circular-mmap-lock.txt')).findings, []);
});

test('a lock-misuse BUG (bad unlock balance, held lock freed) reports a bug, not a wait: it ranks below the hung task of the same paste', async () => {
  const { analyze } = await import('../../analyze.ts');
  const a = analyze([
    '[ 8100.200100] INFO: task smartd:1402 blocked for more than 122 seconds.',
    '[ 8100.200200] task:smartd          state:D stack:0     pid:1402  ppid:1      flags:0x00000002',
    '[ 8100.200300] Call Trace:',
    '[ 8100.200400]  <TASK>',
    '[ 8100.200500]  __schedule+0x3f1/0x1760',
    '[ 8100.200600]  schedule+0x33/0x110',
    '[ 8100.200700]  schedule_preempt_disabled+0x15/0x30',
    '[ 8100.200800]  __mutex_lock+0x4c7/0xb20',
    '[ 8100.200900]  mpt3sas_ctl_ioctl+0x8a/0x2e0 [mpt3sas]',
    '[ 8100.201000]  </TASK>',
    '[ 8200.300100] =====================================',
    '[ 8200.300200] WARNING: bad unlock balance detected!',
    '[ 8200.300300] 6.1.55 #1 Not tainted',
    '[ 8200.300400] -------------------------------------',
    '[ 8200.300500] kworker/3:1/212 is trying to release lock (&ioc->ctl_cmds.mutex) at:',
    '[ 8200.300600] [<ffffffffc0a21f0c>] _ctl_do_mpt_command+0x5dc/0x1030 [mpt3sas]',
    '[ 8200.300700] but there are no more locks to release!',
  ].join('\n'));
  assert.equal(a.family, 'hung_task');
  assert.equal(a.findings[0]?.pattern, 'hung-task-blocked');
  const misuse = a.findings.find((f) => f.pattern === 'lockdep-report');
  assert.ok(misuse, 'the misuse report still gets its finding');
  assert.ok(misuse.confidence < a.findings[0]!.confidence);
});
