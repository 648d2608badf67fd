import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'mutex-self-deadlock';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 000 document', () => readSeed('000_f2b6f952a013b8da.txt')], ['seed 000 plain paste', () => readPlain('000')]] as const) {
  test(`${name}: struct mutex owner == mutex_waiter.task == kworker/1:2, ranked first`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.equal(f.suspectLock!.address, 'ffff880035acf1e0');
    assert.equal(f.suspectLock!.holder, 'kworker/1:2:4790');
    assert.equal(f.cycle, true);
    assert.equal(f.blockingChain[0]!.task, 'rmmod:31969', 'the flusher leads into the cycle');
    assert.equal(f.blockingChain.at(-1)!.heldBy, f.blockingChain.at(-1)!.task);
    assert.equal(f.caseId, 'gpu-ww-mutex-rmmod-flush');
    assert.deepEqual(f.references, ['000_f2b6f952a013b8da.txt']);
  });
}

test('net driver, plain mutex, 5.x: owner.counter in signed decimal with MUTEX_FLAG_WAITERS', () => {
  const f = findingOf(analyze(fx('netdrv-plain-mutex-crash.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff9b3a51e2a6d0');
  assert.equal(f.suspectLock!.holder, 'ethtool:2291');
  assert.equal(f.keyFrames[0], 'qnic_phy_read');
  assert.equal(f.caseId, null);
});

test('hung-task blocker line naming the blocked task itself (v6.15+ console)', () => {
  const f = findingOf(analyze(fx('blocker-line-self-console.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.blockingChain[0]!.heldBy, 'fsck.exfat:11873');
  assert.equal(f.cycle, true);
  assert.ok(f.nextSteps.some((s) => s.includes('bt -f 11873')));
});

test('near miss: the owner is another task → an ordinary chain, not a self-deadlock', () => {
  const a = analyze(fx('nearmiss-owner-other-task.txt'));
  assert.equal(findingOf(a, ID), undefined);
  const f = a.findings[0]!;
  assert.equal(f.blockingChain[0]!.heldBy, 'kworker/2:3:318');
  assert.equal(f.suspectLock!.address, 'ffff9b3a51e2a6d0');
  assert.equal(f.cycle, false);
});

test('lockdep recursive locking on the same object is a self-deadlock; on two objects of one class it is not', () => {
  const same = findingOf(analyze(fx('lockdep-recursive-same-object.txt')), ID)!;
  assert.ok(same);
  assert.equal(same.suspectLock!.address, 'ffff888104a1c0d8');
  assert.equal(same.suspectLock!.holder, 'modprobe:388');
  assert.equal(same.cycle, true);
  const two = analyze(fx('nearmiss-lockdep-recursive-two-objects.txt'));
  assert.equal(findingOf(two, ID), undefined);
  assert.ok(two.findings.every((f) => !f.cycle));
});

test('near miss: the owner word names the waiter with MUTEX_FLAG_PICKUP set: a handoff not yet picked up, not a self-deadlock', () => {
  const text = fx('netdrv-plain-mutex-crash.txt');
  assert.ok(findingOf(analyze(text), ID), 'owner word with WAITERS only: the self-deadlock');
  // the same dump with the owner word's PICKUP bit (0x4) set as well: WAITERS|PICKUP
  const handoff = analyze(text.replace('counter = -110800290349055', 'counter = -110800290349051'));
  assert.equal(findingOf(handoff, ID), undefined);
  assert.ok(handoff.findings.every((f) => !f.cycle), 'no cycle either');
  assert.ok(handoff.findings.some((f) => f.blockingChain.some((l) => /MUTEX_FLAG_PICKUP/.test(l.evidence ?? ''))));
});
