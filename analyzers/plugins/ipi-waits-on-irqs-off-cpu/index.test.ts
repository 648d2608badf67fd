import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'ipi-waits-on-irqs-off-cpu';
const fx = (n: string) => readFixture(import.meta.url, n);

test('seed 001 (both forms): CPU0 in smp_call_function_many waits for CPU1, which deadlocked on itself', () => {
  for (const text of [readSeed('001_92ad9bb8df84726d.txt'), readPlain('001')]) {
    const f = findingOf(analyze(text), ID)!;
    assert.ok(f);
    assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
      ['kworker/0:1:2635', 'ipi', 'fio:2857'], ['fio:2857', 'spinlock', 'fio:2857']]);
    assert.equal(f.cycle, true);
  }
});

test('seed 004 (both forms): CPUs 3 and 19 in flush_tlb_others_ipi wait for CPU18 spinning with IRQs off', () => {
  for (const text of [readSeed('004_789fb14b6ba577d5.txt'), readPlain('004')]) {
    const f = findingOf(analyze(text), ID)!;
    assert.ok(f);
    assert.deepEqual(f.blockingChain.filter((l) => l.primitive === 'ipi').map((l) => l.task), ['xxx:15042', 'xxxxx:18122']);
    assert.equal(f.blockingChain.at(-1)!.lock, 'ffff881054610960');
    assert.equal(f.cycle, false);
  }
});

test('4.18 console: rdmsr_safe_on_cpu waits for the hard-lockup CPU polling a BMC with IRQs off', () => {
  const a = analyze(fx('console-smp-call-single-4x.txt'));
  assert.equal(a.findings[0]!.pattern, ID);
  const f = a.findings[0]!;
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['turbostat:31102', 'ipmi_poll:2714'], ['ipmi_poll:2714', null]]);
  assert.equal(f.blockingChain[1]!.primitive, 'irqs_off');
});

test('near miss: IPI sender with no CPU shown running with IRQs off → no IPI finding, honest generic', () => {
  const a = analyze(fx('nearmiss-targets-irqs-on.txt'));
  assert.equal(findingOf(a, ID), undefined);
  assert.match(a.findings[0]!.headline, /holder unknown/);
});

test('two CPUs run with interrupts off; the CSD-lock debug line names the one the waiter waits for', () => {
  const bt = (pid: number, cpu: number, comm: string, rip: string, rflags: string, frames: string[]) => [
    `PID: ${pid}   TASK: ffff9d2e8a${String(pid).padStart(6, '0')}  CPU: ${cpu}   COMMAND: "${comm}"`,
    ` #0 [fffffe000012${cpu}e50] crash_nmi_callback at ffffffff9a65a9b3`,
    ` #1 [fffffe000012${cpu}e58] nmi_handle at ffffffff9a623873`,
    ` #2 [fffffe000012${cpu}ef0] end_repeat_nmi at ffffffff9a6016d4`,
    `    [exception RIP: ${rip}]`,
    `    RIP: ffffffffc0a2f8c6  RSP: ffffb0b4c8a5fcf0  RFLAGS: ${rflags}`,
    '--- <NMI exception stack> ---',
    ...frames.map((f, i) => ` #${i + 3} [ffffb0b4c8a5fd${String(i).padStart(2, '0')}] ${f} at ffffffffc0a2f${String(900 + i)}`),
    '',
  ].join('\n');
  const base = [
    'crash> bt -a',
    bt(5120, 2, 'kvm-vcpu', 'kvmx_spin_poll+44', '00000046', ['kvmx_spin_poll', 'kvmx_run', 'kvm_vcpu_ioctl']),
    bt(6610, 5, 'fwupd', 'fxhba_mbox_poll+118', '00000086', ['fxhba_mbox_poll', 'fxhba_fw_flash', 'fxhba_ioctl']),
    bt(7001, 1, 'munmap-test', 'smp_call_function_many_cond+380', '00000202', ['smp_call_function_many_cond', 'on_each_cpu_cond_mask', 'flush_tlb_mm_range', 'zap_page_range']),
  ].join('\n');
  const csd = 'crash> log | grep csd\n[ 8113.402291] smp: csd: Detected non-responsive CSD lock (#1) on CPU#1, waiting 5000000343 ns for CPU#05 flush_tlb_func+0x0/0x1c0(0xffffa5a1c81f3d08).\n';
  const root = (text: string) => findingOf(analyze(text), 'ipi-waits-on-irqs-off-cpu')?.blockingChain.at(-1)?.task;
  assert.equal(root(base), 'kvm-vcpu:5120', 'without the CSD line: the first CPU with interrupts off');
  assert.equal(root(base + '\n' + csd), 'fwupd:6610', 'the CSD line names CPU 5');
});
