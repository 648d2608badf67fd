import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softLockup } from './index.ts';
import { consoleFixture, runPlugin, seedText } from '../generic-helpers/test-support.ts';

test('soft lockup spinning in the qspinlock slow path: lock address from RDI of the interrupted frame', () => {
  const f = runPlugin(softLockup, consoleFixture('soft-lockup-spinlock-irq.txt')).findings[0]!;
  assert.equal(f.pattern, 'soft-lockup');
  assert.equal(f.suspectLock?.address, 'ffff92adc0fc6400');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [['fio:2857', 'spinlock', 'ffff92adc0fc6400', null]]);
  assert.equal(f.keyFrames[0], 'bfq_finish_requeue_request');
  assert.ok(f.nextSteps.some((s) => s.includes('ffff92adc0fc6400')));
});

test('soft lockup not on a lock (seed 001): the CPU is busy in smp_call_function_many, no lock claimed', () => {
  const f = runPlugin(softLockup, seedText('001_92ad9bb8df84726d.txt')).findings[0]!;
  assert.equal(f.suspectLock, null);
  assert.equal(f.blockingChain[0]!.primitive, 'cpu');
  assert.deepEqual(f.keyFrames, ['smp_call_function_many', 'on_each_cpu']);
  assert.ok(f.blockingChain[0]!.evidence!.includes('interrupts were enabled'), 'EFLAGS 0x202 has IF set');
});
