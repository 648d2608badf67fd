import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'irq-reentrant-spinlock';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 001 document', () => readSeed('001_92ad9bb8df84726d.txt')], ['seed 001 plain paste', () => readPlain('001')]] as const) {
  test(`${name}: CPU1 fio 2857 holds bfqd->lock in bfq_bio_merge and its softirq re-takes it`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.equal(f.suspectLock!.address, 'ffff92adc0fc6400');
    assert.equal(f.suspectLock!.name, 'bfqd->lock');
    assert.equal(f.suspectLock!.holder, 'fio:2857');
    assert.equal(f.cycle, true);
    assert.deepEqual(f.keyFrames.slice(0, 2), ['bfq_bio_merge', 'bfq_finish_requeue_request']);
    // every other CPU spinning on the lock and CPU0's IPI wait join the chain, the self-loop last
    assert.deepEqual(f.blockingChain.map((l) => l.task), ['kworker/0:1:2635', 'kworker/2:1H:491', 'fio:2861', 'fio:2857']);
    assert.equal(f.blockingChain[0]!.primitive, 'ipi');
    assert.ok(f.blockingChain.every((l) => l.heldBy === 'fio:2857'));
    assert.equal(f.caseId, 'bfq-spin-unlock-irq-reentry');
    assert.ok(f.nextSteps.some((s) => s.startsWith('crash> bt -c 1')));
    assert.ok(f.checklist.some((c) => /irqsave/.test(c)));
  });
}

test('NIC tx lock: hard IRQ re-takes the lock the interrupted xmit path holds (lock address live in RDI/R12)', () => {
  const f = findingOf(analyze(fx('nic-txlock-hardirq-crash.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff8f6e2b1c0a40');
  assert.equal(f.suspectLock!.holder, 'iperf3:14420');
  assert.equal(f.keyFrames[0], 'xnet_start_xmit');
  assert.deepEqual(f.blockingChain.map((l) => l.task), ['swapper/2:0', 'iperf3:14420']);
  assert.equal(f.caseId, null);
});

test('old console format: NAPI softirq spins on the lock the interrupted bnxq xmit path took', () => {
  const f = findingOf(analyze(fx('bnx-softirq-napi-console.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff9f41f9c74f58');
  assert.equal(f.suspectLock!.holder, 'nginx:9120');
  assert.equal(f.cycle, true);
});

test('near miss: the interrupted code is elsewhere (no taker, no lock in its registers) → not re-entrant', () => {
  assert.equal(findingOf(analyze(fx('nearmiss-other-function.txt')), ID), undefined);
});
