import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workqueueLockup } from './index.ts';
import { consoleFixture, runPlugin } from '../generic-helpers/test-support.ts';

test('workqueue lockup: the pool waits on the in-flight worker, which waits on a rw_semaphore for write', () => {
  const f = runPlugin(workqueueLockup, consoleFixture('workqueue-lockup-flush.txt')).findings[0]!;
  assert.equal(f.pattern, 'workqueue-lockup');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
    ['workqueue events', 'workqueue', 'kworker/3:1:2190'],
    ['kworker/3:1:2190', 'rwsem_write', null],
  ]);
  assert.ok(f.blockingChain[0]!.waitsOn.includes('vmstat_shepherd'));
  assert.equal(f.keyFrames[0], 'demo_health_check');
  assert.ok(f.nextSteps.some((s) => s.includes('rw_semaphore')));
});

test('a lockup line without the dump still gives a finding, with nothing invented', () => {
  const f = runPlugin(workqueueLockup, 'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!').findings[0]!;
  assert.equal(f.blockingChain.length, 1);
  assert.equal(f.blockingChain[0]!.heldBy, null);
  assert.deepEqual(f.keyFrames, []);
});
