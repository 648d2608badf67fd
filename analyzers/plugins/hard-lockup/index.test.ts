import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hardLockup } from './index.ts';
import { consoleFixture, runPlugin, seedText } from '../generic-helpers/test-support.ts';

test('2.6.32 hard LOCKUP, console only: spinning in _spin_lock_irq under _ctl_do_mpt_command', () => {
  const f = runPlugin(hardLockup, consoleFixture('old-nmi-hard-lockup.txt')).findings[0]!;
  assert.equal(f.pattern, 'hard-lockup');
  assert.equal(f.blockingChain[0]!.task, 'mptctl:12410');
  assert.equal(f.blockingChain[0]!.primitive, 'spinlock');
  assert.equal(f.keyFrames[0], '_ctl_do_mpt_command');
  assert.equal(f.suspectLock?.address, null, 'no register dump, no address');
});

test('seed 004 with the crash bt: the ticket lock address comes from RDI, the duplicate paste gives one finding', () => {
  const { findings } = runPlugin(hardLockup, seedText('004_789fb14b6ba577d5.txt'));
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.suspectLock?.address, 'ffff881054610960');
  assert.equal(findings[0]!.keyFrames[0], '_ctl_do_mpt_command');
});

test('v5.4 hard LOCKUP in an IRQ handler on the idle CPU: RDI of the NMI-interrupted slow path is the lock', () => {
  const f = runPlugin(hardLockup, consoleFixture('hard-lockup-irq-handler-spin.txt')).findings[0]!;
  assert.equal(f.suspectLock?.address, 'ffff9a2b5c3f1a08');
  assert.equal(f.blockingChain[0]!.task, 'swapper/3:0');
  assert.deepEqual(f.keyFrames, ['mydrv_irq_handler', '__handle_irq_event_percpu']);
  assert.ok(f.blockingChain[0]!.evidence!.includes('RDI'));
});
