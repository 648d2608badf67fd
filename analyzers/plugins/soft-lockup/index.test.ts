import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../analyze.ts';
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

// Crash sessions with no console report: watchdog_timer_fn calling panic (softlockup_panic=1); the
// stuck code is the segment below "--- <IRQ stack> ---", with the timer interrupt's registers.
const crashFixture = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const CIFSX = '../../classify/fixtures/crash-soft-lockup-cifsx-3.10.txt';
const ZFSX = './fixtures/crash-soft-lockup-loop-zfsx-4.18.txt';

test('crash session, 3.10 watchdog_timer_fn -> panic under an oops PANIC string: CPU 2 busy in the interrupted cifsx code', () => {
  const { findings } = runPlugin(softLockup, crashFixture(CIFSX));
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.match(f.headline, /^CPU 2 \(swapper\/2:0\) stuck/);
  assert.deepEqual(f.keyFrames, ['smb2x_find_mid', 'cifsx_demultiplex_thread']);
  assert.equal(f.suspectLock, null);
  assert.equal(f.blockingChain[0]!.primitive, 'cpu');
  const a = analyze(crashFixture(CIFSX));
  assert.deepEqual(a.keyFrames, ['smb2x_find_mid', 'cifsx_demultiplex_thread'], 'not crash_nmi_callback of the idle CPU 0');
});

test('crash session, 4.18 soft lockup in a plain loop: no lock claimed, the other CPUs (idle, copying) are not in the chain', () => {
  const f = runPlugin(softLockup, crashFixture(ZFSX)).findings[0]!;
  assert.equal(f.suspectLock, null);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [['zfsx_arc_reclaim:1187', 'cpu', null, null]]);
  assert.ok(f.blockingChain[0]!.evidence!.includes('interrupts were enabled'), 'RFLAGS 0x286 has IF set');
  assert.deepEqual(f.keyFrames, ['zfsx_arc_evict_one', 'zfsx_arc_evict_state']);
  assert.deepEqual(f.nextSteps.slice(0, 1), ['crash> bt -c 3']);
  assert.ok(f.nextSteps.includes('crash> dis -l zfsx_arc_evict_one'));
  assert.ok(f.confidence < 0.55, 'no lock: less confident than a spinning CPU');
});

test('crash route: a hard-lockup panic gives no soft-lockup finding', () => {
  assert.deepEqual(runPlugin(softLockup, crashFixture('../../classify/fixtures/crash-hard-lockup-vxfc-6.6.txt')).findings, []);
});

test('MIPS: the general registers come before "epc :"; a0 ($4) of the spin is the lock, a kseg0 address', () => {
  const text = [
    '[ 8812.100100] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [hostapd:1452]',
    '[ 8812.100200] Modules linked in: ath9k ath9k_common ath9k_hw mac80211 cfg80211',
    '[ 8812.100300] CPU: 0 PID: 1452 Comm: hostapd Not tainted 5.10.176 #0',
    '[ 8812.100400] $ 0   : 00000000 00000001 00000000 00000000',
    '[ 8812.100500] $ 4   : 87d2c0b8 86a1e000 87d2c000 00000001',
    '[ 8812.100600] $ 8   : 00000000 0000001f 87d2c0b8 00000000',
    '[ 8812.100700] Hi    : 00000000',
    '[ 8812.100800] epc   : 8048a1c4 _raw_spin_lock_bh+0x44/0x70',
    '[ 8812.100900] ra    : 86b05e2c ath9k_tx_queue_flush+0x3c/0x120 [ath9k]',
    '[ 8812.101000] Call Trace:',
    '[ 8812.101100] [<8048a1c4>] _raw_spin_lock_bh+0x44/0x70',
    '[ 8812.101200] [<86b05e2c>] ath9k_tx_queue_flush+0x3c/0x120 [ath9k]',
    '[ 8812.101300] [<86b06110>] ath9k_flush+0x98/0x1c0 [ath9k]',
  ].join('\n');
  const f = runPlugin(softLockup, text).findings[0]!;
  assert.equal(f.suspectLock?.address, '87d2c0b8');
  assert.match(f.blockingChain[0]!.evidence ?? '', /first argument register \(a0\) holds the lock pointer/);
  // an a0 that is no kernel address (a small integer argument) is not taken for a lock
  assert.equal(runPlugin(softLockup, text.replace('$ 4   : 87d2c0b8', '$ 4   : 00000010')).findings[0]!.suspectLock?.address ?? null, null);
});
