import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { parse } from '../../parse/parse.ts';
import { flushWaitsOnBlockedWorker } from './index.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'flush-waits-on-blocked-worker';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 000 document', () => readSeed('000_f2b6f952a013b8da.txt')], ['seed 000 plain paste', () => readPlain('000')]] as const) {
  test(`${name}: rmmod → kworker/1:2 → its own ww_mutex, the GPU case attached`, () => {
    const f = findingOf(analyze(text()), ID)!;
    assert.ok(f);
    assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['rmmod:31969', 'kworker/1:2:4790'], ['kworker/1:2:4790', 'kworker/1:2:4790']]);
    assert.equal(f.blockingChain[1]!.lock, 'ffff880035acf1e0');
    assert.equal(f.cycle, true);
    assert.equal(f.keyFrames[0], 'ttm_eu_reserve_buffers');
    assert.equal(f.caseId, 'gpu-ww-mutex-rmmod-flush');
    assert.ok(f.nextSteps.includes('crash> struct mutex ffff880035acf1e0'));
    assert.ok(f.checklist.length >= 3);
  });
}

test('ext4 umount flush behind a jbd2-blocked rsv worker (proc stacks): chain ends in the journal wait, holder unknown', () => {
  const f = findingOf(analyze(fx('ext4-umount-jbd2-proc.txt')), ID)!;
  assert.ok(f);
  assert.deepEqual(f.blockingChain.map((l) => l.task), ['umount:8812', 'kworker/u8:2:517']);
  assert.equal(f.blockingChain[0]!.heldBy, 'kworker/u8:2:517');
  assert.equal(f.blockingChain[1]!.primitive, 'journal');
  assert.equal(f.blockingChain[1]!.heldBy, null);
  assert.equal(f.cycle, false);
  assert.equal(f.caseId, null, 'the GPU case must not attach to an ext4 flush');
  assert.equal(f.keyFrames[0], 'jbd2_log_wait_commit');
});

test('cancel_work_sync under RTNL behind a worker waiting for rtnl_lock (console hung tasks) closes the cycle', () => {
  const a = analyze(fx('nic-cancel-work-hung-task-console.txt'));
  const f = findingOf(a, ID)!;
  assert.equal(a.findings[0]!.pattern, ID);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['ip:40211', 'kworker/3:1:2290'], ['kworker/3:1:2290', 'ip:40211']]);
  assert.equal(f.blockingChain[1]!.lock, 'rtnl_mutex');
  assert.equal(f.cycle, true);
});

test('near miss: the worker is RUNNING, so no blocked-worker finding (only the generic hung flush, holder unknown)', () => {
  const a = analyze(fx('nearmiss-worker-running.txt'));
  assert.equal(findingOf(a, ID), undefined);
  const g = findingOf(a, 'hung-task-blocked')!;
  assert.equal(g.blockingChain[0]!.heldBy, null);
  assert.match(g.headline, /holder unknown/);
  assert.equal(flushWaitsOnBlockedWorker.run(parse(fx('nearmiss-worker-running.txt')), { family: 'stuck_tasks' }).length, 0);
});

test('a worker cancel_work_sync-ing work queued behind it on its own ordered workqueue waits for itself (5.10 "delayed:" wording)', () => {
  const text = fx('ordered-wq-cancel-sync-behind-self-5.10.txt');
  const f = findingOf(analyze(text), ID)!;
  assert.ok(f, 'finding');
  assert.equal(f.cycle, true);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['kworker/u64:7:8820', 'kworker/u64:7:8820']]);
  assert.match(f.blockingChain[0]!.evidence ?? '', /ordered workqueue vdec_events \(max_active 1\).*vdec_buffer_done_work, vdec_eos_work are queued behind it/);
  assert.match(f.checklist[0]!, /ordered workqueue/);
  // the same worker on a workqueue that runs many items at once (active=1/256) is not waiting for itself
  const wide = analyze(text.replace('active=1/1', 'active=1/256'));
  assert.equal(findingOf(wide, ID), undefined);
  // nothing queued behind it: the flushed work is elsewhere, nothing to claim
  const alone = analyze(text.replace(/^.*delayed: .*$/m, ''));
  assert.equal(findingOf(alone, ID), undefined);
});
