import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hungTaskBlocked } from './index.ts';
import { consoleFixture, runPlugin, seedText } from '../generic-helpers/test-support.ts';

test('hung task on a mutex with the blocker line: waiter → owner, owner waits on a work flush', () => {
  const { findings } = runPlugin(hungTaskBlocked, consoleFixture('hung-task-mutex-owner.txt'));
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.pattern, 'hung-task-blocked');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
    ['kworker/u8:3:1204', 'mutex', 'nvme:2231'],
    ['nvme:2231', 'flush_work', null],
  ]);
  assert.deepEqual(f.keyFrames, ['nvmet_fc_delete_target_queue', 'nvmet_fc_delete_ctrl_work']);
  assert.equal(f.suspectLock?.holder, 'nvme:2231');
  assert.equal(f.suspectLock?.primitive, 'mutex');
  assert.equal(f.cycle, false);
  assert.ok(f.confidence < 0.7, 'generic findings rank below the mechanism analyzers');
  assert.ok(f.nextSteps.some((s) => s.startsWith('crash> struct mutex')));
  assert.equal(f.caseId, null);
});

test('no blocker line: the holder stays unknown and the next steps say how to find it', () => {
  const text = consoleFixture('hung-task-mutex-owner.txt').split('\n').filter((l) => !l.includes('likely owned by')).join('\n');
  const f = runPlugin(hungTaskBlocked, text).findings[0]!;
  assert.equal(f.blockingChain[0]!.heldBy, null);
  assert.equal(f.suspectLock, null);
  assert.ok(f.nextSteps.some((s) => s.includes('sysrq-trigger')));
});

test('crash foreach bt without states (seed 003): readers queued on the rw_semaphore, and the writer', () => {
  const { findings } = runPlugin(hungTaskBlocked, seedText('003_8e2fec0ccb6e1cbe.txt'));
  const prims = findings.map((f) => f.blockingChain[0]!.primitive);
  assert.ok(prims.includes('rwsem_read'));
  assert.ok(prims.includes('rwsem_write'));
  const reader = findings.find((f) => f.blockingChain[0]!.primitive === 'rwsem_read')!;
  assert.equal(reader.keyFrames[0], 'ffs_get_user_page');
  const writer = findings.find((f) => f.blockingChain[0]!.primitive === 'rwsem_write')!;
  assert.equal(writer.keyFrames[0], 'do_mprotect_pkey');
});

test('ps + /proc/PID/stack (seed 000): rmmod waits on a workqueue flush from the module exit', () => {
  const f = runPlugin(hungTaskBlocked, seedText('000_f2b6f952a013b8da.txt')).findings[0]!;
  assert.equal(f.blockingChain[0]!.task, 'rmmod:31969');
  assert.equal(f.blockingChain[0]!.primitive, 'flush_workqueue');
  assert.equal(f.keyFrames[0], 'flush_scheduled_work');
});
