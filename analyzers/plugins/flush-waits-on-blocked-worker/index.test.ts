import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { parse } from '../../parse/parse.ts';
import { flushWaitsOnBlockedWorker } from './index.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'flush-waits-on-blocked-worker';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 000 document', () => readSeed('000_f2b6f952a013b8da.txt')], ['seed 000 plain paste', () => readPlain('000')]] as const) {
  test(`${name}: rmmod → kworker/1:2 → its own ww_mutex, the GPU case attached`, () => {
    const f = findingOf(analyze(text()), ID)!;
    assert.ok(f);
    assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['rmmod:31969', 'kworker/1:2:4790'], ['kworker/1:2:4790', 'kworker/1:2:4790']]);
    assert.equal(f.blockingChain[1]!.lock, 'ffff880035acf1e0');
    assert.equal(f.cycle, true);
    assert.equal(f.keyFrames[0], 'ttm_eu_reserve_buffers');
    assert.equal(f.caseId, 'gpu-ww-mutex-rmmod-flush');
    assert.ok(f.nextSteps.includes('crash> struct mutex ffff880035acf1e0'));
    assert.ok(f.checklist.length >= 3);
  });
}

test('ext4 umount flush behind a jbd2-blocked rsv worker (proc stacks): chain ends in the journal wait, holder unknown', () => {
  const f = findingOf(analyze(fx('ext4-umount-jbd2-proc.txt')), ID)!;
  assert.ok(f);
  assert.deepEqual(f.blockingChain.map((l) => l.task), ['umount:8812', 'kworker/u8:2:517']);
  assert.equal(f.blockingChain[0]!.heldBy, 'kworker/u8:2:517');
  assert.equal(f.blockingChain[1]!.primitive, 'journal');
  assert.equal(f.blockingChain[1]!.heldBy, null);
  assert.equal(f.cycle, false);
  assert.equal(f.caseId, null, 'the GPU case must not attach to an ext4 flush');
  assert.equal(f.keyFrames[0], 'jbd2_log_wait_commit');
});

test('cancel_work_sync under RTNL behind a worker waiting for rtnl_lock (console hung tasks) closes the cycle', () => {
  const a = analyze(fx('nic-cancel-work-hung-task-console.txt'));
  const f = findingOf(a, ID)!;
  assert.equal(a.findings[0]!.pattern, ID);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['ip:40211', 'kworker/3:1:2290'], ['kworker/3:1:2290', 'ip:40211']]);
  assert.equal(f.blockingChain[1]!.lock, 'rtnl_mutex');
  assert.equal(f.cycle, true);
});

test('near miss: the worker is RUNNING, so no blocked-worker finding (only the generic hung flush, holder unknown)', () => {
  const a = analyze(fx('nearmiss-worker-running.txt'));
  assert.equal(findingOf(a, ID), undefined);
  const g = findingOf(a, 'hung-task-blocked')!;
  assert.equal(g.blockingChain[0]!.heldBy, null);
  assert.match(g.headline, /holder unknown/);
  assert.equal(flushWaitsOnBlockedWorker.run(parse(fx('nearmiss-worker-running.txt')), { family: 'stuck_tasks' }).length, 0);
});

test('a worker cancel_work_sync-ing work queued behind it on its own ordered workqueue waits for itself (5.10 "delayed:" wording)', () => {
  const text = fx('ordered-wq-cancel-sync-behind-self-5.10.txt');
  const f = findingOf(analyze(text), ID)!;
  assert.ok(f, 'finding');
  assert.equal(f.cycle, true);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['kworker/u64:7:8820', 'kworker/u64:7:8820']]);
  assert.match(f.blockingChain[0]!.evidence ?? '', /ordered workqueue vdec_events \(max_active 1\).*vdec_buffer_done_work, vdec_eos_work are queued behind it/);
  assert.match(f.checklist[0]!, /ordered workqueue/);
  // the same worker on a workqueue that runs many items at once (active=1/256) is not waiting for itself
  const wide = analyze(text.replace('active=1/1', 'active=1/256'));
  assert.equal(findingOf(wide, ID), undefined);
  // nothing queued behind it: the flushed work is elsewhere, nothing to claim
  const alone = analyze(text.replace(/^.*delayed: .*$/m, ''));
  assert.equal(findingOf(alone, ID), undefined);
});

test('tasks blocked on a lock the flusher holds come first in the chain; the global is dumped by symbol, its address from the `sym` answer', () => {
  // an i2c adapter removal holds the core's global mutex (dumped as `struct mutex -x core_lock`)
  // while it flushes a work item whose worker waits for a bus transfer
  const text = `crash> foreach UN bt
PID: 7120   TASK: ffff93b1c4a38000  CPU: 2   COMMAND: "sh"
 #0 [ffffb6e0c3d4fc38] __schedule at ffffffff9b9c1d8b
 #1 [ffffb6e0c3d4fcc0] schedule at ffffffff9b9c2206
 #2 [ffffb6e0c3d4fcd8] schedule_timeout at ffffffff9b9c5a11
 #3 [ffffb6e0c3d4fd50] wait_for_completion at ffffffff9b9c3b2e
 #4 [ffffb6e0c3d4fda8] __flush_work at ffffffff9ace1f5c
 #5 [ffffb6e0c3d4fe20] i2c_del_adapter at ffffffff9b51c2a7
 #6 [ffffb6e0c3d4fe60] unbind_store at ffffffff9b2f4b11
 #7 [ffffb6e0c3d4ff50] entry_SYSCALL_64_after_hwframe at ffffffff9ba000ea

PID: 402    TASK: ffff93b1c17b0000  CPU: 0   COMMAND: "kworker/0:3"
 #0 [ffffb6e0c0fbfc90] __schedule at ffffffff9b9c1d8b
 #1 [ffffb6e0c0fbfd18] schedule at ffffffff9b9c2206
 #2 [ffffb6e0c0fbfd30] schedule_timeout at ffffffff9b9c5a11
 #3 [ffffb6e0c0fbfda8] wait_for_completion_timeout at ffffffff9b9c3c4b
 #4 [ffffb6e0c0fbfe00] xiic_xfer at ffffffffc0a4b2d1 [i2c_xiic]
 #5 [ffffb6e0c0fbfe40] sensor_poll_work at ffffffffc0a61077 [hwmon_x]
 #6 [ffffb6e0c0fbfe70] process_one_work at ffffffff9ace2e07
 #7 [ffffb6e0c0fbfeb8] worker_thread at ffffffff9ace3370
 #8 [ffffb6e0c0fbff10] kthread at ffffffff9ace91f6

PID: 7133   TASK: ffff93b1c4a3c680  CPU: 5   COMMAND: "i2cdetect"
 #0 [ffffb6e0c3e5fc90] __schedule at ffffffff9b9c1d8b
 #1 [ffffb6e0c3e5fd18] schedule at ffffffff9b9c2206
 #2 [ffffb6e0c3e5fd30] schedule_preempt_disabled at ffffffff9b9c231a
 #3 [ffffb6e0c3e5fd38] __mutex_lock at ffffffff9b9c3920
 #4 [ffffb6e0c3e5fdb8] i2cdev_open at ffffffffc0a3f0b9 [i2c_dev]
 #5 [ffffb6e0c3e5fdf0] chrdev_open at ffffffff9b1c0b2a
 #6 [ffffb6e0c3e5ff50] entry_SYSCALL_64_after_hwframe at ffffffff9ba000ea
crash> sym core_lock
ffffffff9c6d4c20 (d) core_lock
crash> struct mutex -x core_lock
struct mutex {
  owner = {
    counter = 0xffff93b1c4a38001
  },
  wait_list = {
    next = 0xffffb6e0c3e5fd70,
    prev = 0xffffb6e0c3e5fd70
  }
}`;
  const f = findingOf(analyze(text), ID)!;
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [
    ['i2cdetect:7133', 'mutex', 'ffffffff9c6d4c20', 'sh:7120'],
    ['sh:7120', 'flush_work', null, 'kworker/0:3:402'],
    ['kworker/0:3:402', 'completion', null, null], // the bus transfer's completion: nobody named
  ]);
  assert.equal(parse(text).structs[0]?.symbol, 'core_lock');
  // without the `sym` answer the dump has no address to tie to: nothing is guessed
  const noSym = parse(text.replace('crash> sym core_lock\nffffffff9c6d4c20 (d) core_lock\n', ''));
  assert.deepEqual(noSym.structs.map((d) => [d.type, d.address, d.symbol]), [['mutex', null, 'core_lock']]);
});

test('one work item (cancel_work_sync): a blocked worker running another driver\'s work is a different hang and is not chained; one running the flusher\'s driver is', () => {
  const paste = (workFn: string, mod: string): string => [
    'INFO: task NetworkManager:812 blocked for more than 122 seconds.',
    'task:NetworkManager  state:D stack:0     pid:812   ppid:1      flags:0x00004002',
    'Call Trace:',
    ' <TASK>',
    ' __schedule+0x3f1/0x1760',
    ' schedule+0x33/0x110',
    ' schedule_timeout+0x15d/0x170',
    ' __wait_for_common+0x90/0x1b0',
    ' __flush_work+0x25b/0x370',
    ' __cancel_work_sync+0x10c/0x160',
    ' ath11k_mac_op_stop+0x9c/0x1d0 [ath11k]',
    ' drv_stop+0x4a/0x110 [mac80211]',
    ' </TASK>',
    'INFO: task kworker/2:0:301 blocked for more than 122 seconds.',
    'task:kworker/2:0     state:D stack:0     pid:301   ppid:2      flags:0x00004000',
    `Workqueue: events ${workFn}`,
    'Call Trace:',
    ' <TASK>',
    ' __schedule+0x3f1/0x1760',
    ' schedule+0x33/0x110',
    ' schedule_timeout+0x15d/0x170',
    ' wait_for_completion_timeout+0x7e/0x140',
    ` ${workFn}+0x61/0x2a0 [${mod}]`,
    ' process_one_work+0x192/0x350',
    ' worker_thread+0x2f7/0x420',
    ' kthread+0xe8/0x120',
    ' </TASK>',
  ].join('\n');
  assert.equal(findingOf(analyze(paste('nvme_reset_work', 'nvme')), ID), undefined, 'nvme reset work is not the ath11k work item being cancelled');
  const f = findingOf(analyze(paste('ath11k_core_restart', 'ath11k')), ID)!;
  assert.deepEqual(f.blockingChain.slice(0, 1).map((l) => [l.task, l.heldBy]), [['NetworkManager:812', 'kworker/2:0:301']]);
});
