import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'rwsem-writer-queue-cycle';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 003 document', () => readSeed('003_8e2fec0ccb6e1cbe.txt')], ['seed 003 plain paste', () => readPlain('003')]] as const) {
  test(`${name}: java 22134 → dataio_srv readers → writer java 12862 → 22134`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.equal(f.cycle, true);
    assert.equal(f.suspectLock!.address, 'ffff8b92ab737e20');
    assert.equal(f.suspectLock!.name, 'mmap_sem');
    assert.equal(f.suspectLock!.holder, 'java:22134');
    assert.equal(f.blockingChain[0]!.task, 'java:22134');
    // the readers are kept out by the queued writer (waitsOn) from a lock java 22134 holds for read (heldBy)
    assert.deepEqual(f.blockingChain.slice(1, 4).map((l) => [l.task, l.heldBy]), [
      ['dataio_srv/1:28946', 'java:22134'], ['dataio_srv/2:28947', 'java:22134'], ['dataio_srv/3:28948', 'java:22134']]);
    for (const l of f.blockingChain.slice(1, 4)) assert.match(l.waitsOn, /queued behind writer java:12862/);
    assert.deepEqual([f.blockingChain.at(-1)!.task, f.blockingChain.at(-1)!.heldBy], ['java:12862', 'java:22134']);
    assert.equal(f.caseId, 'mmap-sem-reader-writer-cycle');
    assert.ok(f.nextSteps.includes('crash> list rwsem_waiter.list -s rwsem_waiter.task,type -h ffff8b92ab737e20'));
  });
}

test('5.x mmap_lock: list -h on the first waiter, semaphore from its dump, holder from the owner word', () => {
  const f = findingOf(analyze(fx('mmap-lock-5x-owner-word.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff8c11a7e6a168');
  assert.equal(f.suspectLock!.name, 'mmap_lock');
  assert.equal(f.suspectLock!.holder, 'gvfsd-fuse:3307');
  assert.equal(f.cycle, true);
  assert.deepEqual(f.blockingChain.map((l) => l.task), ['gvfsd-fuse:3307', 'gvfsd-fuse:3301', 'gvfsd-fuse:3290']);
});

test('near miss: readers behind a writer but no read-side holder in the paste → no cycle claimed', () => {
  const a = analyze(fx('nearmiss-no-reader-holder.txt'));
  assert.equal(findingOf(a, ID), undefined);
  assert.ok(a.findings.every((f) => !f.cycle));
});

test('near miss: the read-side holder waits for page I/O (a convoy behind a slow reader), not for the readers', () => {
  const a = analyze(fx('nearmiss-convoy-behind-page-io.txt'));
  assert.equal(findingOf(a, ID), undefined);
  assert.ok(a.findings.every((f) => !f.cycle));
  const queue = a.findings[0]!.blockingChain;
  assert.match(queue[0]!.waitsOn, /queued behind writer trainer:7003/, 'the generic chain still shows the queue');
  assert.equal(queue[0]!.heldBy, 'trainer:7001', 'the read-side holder, not the queued writer, which holds nothing');
  assert.equal(queue[1]?.task, 'trainer:7003');
});
