import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../analyze.ts';
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

// Crash sessions with no console report: the panicking task is the perf NMI watchdog calling
// nmi_panic; the stuck code is the segment below "--- <NMI exception stack> ---".
const crashFixture = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const VXFC = '../../classify/fixtures/crash-hard-lockup-vxfc-6.6.txt';
const NETX = './fixtures/crash-hard-lockup-netx-5.14.txt';
const NMI_MACHINERY = /pmi|nmi|perf_event|watchdog|panic|kexec|native_safe_halt/;

test('crash session, 6.6 watchdog_hardlockup_check -> nmi_panic under a WARNING PANIC string: CPU 7 spins on the lock in RDI', () => {
  const { findings } = runPlugin(hardLockup, crashFixture(VXFC));
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.match(f.headline, /^CPU 7 \(fio:4121\) spins/);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [['fio:4121', 'spinlock', 'ffff9d2e11a0e418', null]]);
  assert.equal(f.suspectLock?.address, 'ffff9d2e11a0e418');
  assert.equal(f.suspectLock?.holder, null, 'nothing in the dump says who holds it');
  assert.deepEqual(f.keyFrames, ['vxfc_queuecommand', 'scsi_queue_rq']);
  assert.ok(f.nextSteps.includes('crash> bt -a   (the CPU that holds it is running with it held)'));
  assert.ok(f.nextSteps.some((s) => s.startsWith('crash> struct raw_spinlock ffff9d2e11a0e418')));
  assert.ok(f.confidence >= 0.45 && f.confidence <= 0.55, 'same range as the console route');
});

test('crash session, 5.14 watchdog_overflow_callback.cold: the other CPU spinning on the same RDI joins the chain, one on another lock does not', () => {
  const f = runPlugin(hardLockup, crashFixture(NETX)).findings[0]!;
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.lock, l.heldBy]), [
    ['iperf3:20311', 'ffff8f3a4c2b1d40', null],
    ['kworker/1:0:412', 'ffff8f3a4c2b1d40', null],
  ]);
  assert.ok(f.blockingChain[0]!.evidence!.includes('RDI'));
  assert.deepEqual(f.keyFrames, ['netx_xmit_frame', 'dev_hard_start_xmit']);
  const a = analyze(crashFixture(NETX));
  assert.equal(a.family, 'hard_lockup');
  assert.deepEqual(a.keyFrames, ['netx_xmit_frame', 'dev_hard_start_xmit']);
  assert.ok(!a.keyFrames.some((k) => NMI_MACHINERY.test(k)));
});

test('crash route: a soft-lockup panic gives no hard-lockup finding; a sysrq panic gives none', () => {
  assert.deepEqual(runPlugin(hardLockup, crashFixture('../../classify/fixtures/crash-soft-lockup-cifsx-3.10.txt')).findings, []);
  const sysrq = crashFixture(VXFC).replace('watchdog_hardlockup_check', 'sysrq_handle_crash').replace('watchdog_overflow_callback', '__handle_sysrq');
  assert.deepEqual(runPlugin(hardLockup, sysrq).findings, []);
});

test('analyze() on the 6.6 crash session: the key frames are the driver, not the PMU/NMI handlers', () => {
  const a = analyze(crashFixture(VXFC));
  assert.equal(a.findings[0]?.pattern, 'hard-lockup');
  assert.deepEqual(a.keyFrames, ['vxfc_queuecommand', 'scsi_queue_rq']);
});
