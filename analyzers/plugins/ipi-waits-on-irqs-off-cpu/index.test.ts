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
