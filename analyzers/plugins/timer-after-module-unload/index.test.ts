import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';
import { inModuleArea } from './index.ts';

const ID = 'timer-after-module-unload';
const fx = (n: string) => readFixture(import.meta.url, n);

test('x86-64 module area bounds', () => {
  assert.equal(inModuleArea('ffffffffa88b53b0'), true);
  assert.equal(inModuleArea('ffffffffc0a4d2e8'), true);
  assert.equal(inModuleArea('ffffffff8124e2a0'), false, 'core kernel text');
  assert.equal(inModuleArea('ffff88007b90c000'), false, 'direct map');
});

for (const [name, text] of [['seed 002 document', () => readSeed('002_f5b2a25c39dda0a7.txt')], ['seed 002 plain paste', () => readPlain('002')]] as const) {
  test(`${name}: run_timer_softirq+248 faults on RCX ffffffffa88b53b0, then spins on its own base lock`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.match(f.headline, /run_timer_softirq\+248/);
    assert.match(f.headline, /ffffffffa88b53b0/);
    assert.equal(f.suspectLock!.address, 'ffff88007b90c000');
    assert.equal(f.cycle, true);
    assert.equal(f.blockingChain[0]!.heldBy, f.blockingChain[0]!.task);
    assert.equal(f.caseId, 'module-unload-armed-timer');
    assert.ok(f.nextSteps.some((s) => s.startsWith('crash> rd ffffffffa88b53b0')));
    assert.ok(f.checklist.some((c) => /del_timer_sync|timer_shutdown_sync/.test(c)));
  });
}

test('RHEL7 variant with other addresses: fault register that `rd` calls invalid, base lock from RDI', () => {
  const f = findingOf(analyze(fx('crash-rhel7-mod-timer-spin.txt')), ID)!;
  assert.ok(f);
  assert.match(f.headline, /ffffffffc06a1a48 \(R10, invalid address\)/);
  assert.equal(f.suspectLock!.address, 'ffff9a51ffad2000');
  assert.equal(f.cycle, true);
});

test('5.x console oops in call_timer_fn: reported, but no base-lock claim (the lock is dropped around callbacks)', () => {
  const f = findingOf(analyze(fx('console-expire-timers-5x.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock, null);
  assert.equal(f.cycle, false);
  assert.ok(f.confidence < 0.8);
});

test('near miss: a live module timer that loops (soft lockup, no bad address) is not this finding', () => {
  assert.equal(findingOf(analyze(fx('nearmiss-timer-live-module.txt')), ID), undefined);
});

test('registers trimmed from the paste: the oops line\'s fault address in the module area still identifies it', () => {
  const f = findingOf(analyze(fx('console-no-registers-5x.txt')), ID)!;
  assert.ok(f);
  assert.match(f.headline, /ffffffffc0a4d2e8 \(fault address, module area\)/);
});
