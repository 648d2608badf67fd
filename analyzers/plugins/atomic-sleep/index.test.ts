import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atomicSleep } from './index.ts';
import { consoleFixture, runPlugin } from '../generic-helpers/test-support.ts';

test('sleeping function under a spinlock: the sleeping caller, the held lock, where preemption was disabled', () => {
  const f = runPlugin(atomicSleep, consoleFixture('sleeping-in-atomic-spinlock.txt')).findings[0]!;
  assert.equal(f.pattern, 'atomic-sleep');
  assert.deepEqual(f.keyFrames, ['demo_fw_reload', 'demo_ioctl']);
  assert.deepEqual([f.suspectLock?.name, f.suspectLock?.holder], ['&dev->state_lock', 'demo-ctl:1733']);
  assert.ok(f.blockingChain[0]!.waitsOn.includes('in_atomic=1'));
  assert.ok(f.headline.includes('preemption disabled at demo_ioctl'));
});

test('scheduling while atomic without lock info: no suspect lock claimed', () => {
  const text = ['BUG: scheduling while atomic: kworker/1:0/25/0x00000002', 'CPU: 1 PID: 25 Comm: kworker/1:0 Not tainted 5.10.0 #1', 'Call Trace:', ' dump_stack+0x6d/0x88', ' __schedule_bug+0x51/0x60', ' __schedule+0x5b5/0x6e0', ' schedule+0x46/0xb0', ' msleep+0x29/0x40', ' demo_poll_ready+0x3e/0x80 [demo]'].join('\n');
  const f = runPlugin(atomicSleep, text).findings[0]!;
  assert.equal(f.suspectLock, null);
  assert.equal(f.keyFrames[0], 'msleep');
});
