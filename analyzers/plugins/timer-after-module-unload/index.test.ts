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

const hrtimerOops = (caller: string) => [
  '[ 512.10] BUG: unable to handle page fault for address: ffffffffc0a1b2c0',
  '[ 512.10] #PF: supervisor instruction fetch in kernel mode',
  '[ 512.10] Oops: 0010 [#1] PREEMPT SMP NOPTI',
  '[ 512.10] CPU: 5 PID: 0 Comm: swapper/5 Tainted: G           OE      6.5.0 #1',
  '[ 512.10] RIP: 0010:0xffffffffc0a1b2c0',
  '[ 512.10] RSP: 0018:ffffb04a40218ec8 EFLAGS: 00010046',
  '[ 512.10] Call Trace:',
  '[ 512.10]  <IRQ>',
  '[ 512.10]  ? __die+0x23/0x70',
  '[ 512.10]  ? asm_exc_page_fault+0x26/0x30',
  `[ 512.10]  ${caller}+0x112/0x2b0`,
  '[ 512.10]  hrtimer_interrupt+0xf8/0x230',
  '[ 512.10]  </IRQ>',
  '[ 512.10] Modules linked in: ixgbe mdio [last unloaded: nicx_coalesce]',
].join('\n');

test('the callback itself is gone: an unsymbolised module-area RIP called from __hrtimer_run_queues, the module named by "last unloaded"', () => {
  const a = analyze(hrtimerOops('__hrtimer_run_queues'));
  const f = findingOf(a, ID)!;
  assert.equal(a.findings[0], f);
  assert.match(f.headline, /CPU 5: __hrtimer_run_queues called a timer callback at ffffffffc0a1b2c0/);
  assert.match(f.headline, /\(nicx_coalesce\)/);
  assert.equal(f.confidence, 0.8);
  assert.deepEqual(f.keyFrames, ['__hrtimer_run_queues']);
  // the same jump from a work item is not a timer: not this finding
  assert.equal(findingOf(analyze(hrtimerOops('process_one_work')), ID), undefined);
});

test('arm64: a fault in __run_timers.part.0 on an address /proc/modules gave a module before its rmmod (x0 holds it)', () => {
  const a = analyze([
    'canx_bus 24576 0 - Live 0xffff800001240000 (O)',
    '',
    '[ 8841.40] Unable to handle kernel paging request at virtual address ffff8000012442c0',
    '[ 8841.46] Internal error: Oops: 0000000096000007 [#1] PREEMPT SMP',
    '[ 8841.47] Modules linked in: flexcan can_dev [last unloaded: canx_bus]',
    '[ 8841.48] CPU: 1 PID: 0 Comm: swapper/1 Tainted: G         C O       6.1.55 #1',
    '[ 8841.51] pc : __run_timers.part.0+0x17c/0x290',
    '[ 8841.51] lr : __run_timers.part.0+0x158/0x290',
    '[ 8841.59] x2 : ffff0000bfd5ac10 x1 : ffff80000a01be80 x0 : ffff8000012442c0',
    '[ 8841.59] Call trace:',
    '[ 8841.59]  __run_timers.part.0+0x17c/0x290',
    '[ 8841.60]  run_timer_softirq+0x3c/0x70',
  ].join('\n'));
  const f = findingOf(a, ID)!;
  assert.match(f.headline, /faulted on ffff8000012442c0 \(X0, in canx_bus's memory per \/proc\/modules, last unloaded\)/);
  // outside the module's range (a heap address), the same fault is not this finding
  const heap = analyze(['canx_bus 24576 0 - Live 0xffff800001240000 (O)', '', '[ 8841.40] Unable to handle kernel paging request at virtual address ffff0000c4a2e2c0', '[ 8841.46] Internal error: Oops: 0000000096000007 [#1] PREEMPT SMP', '[ 8841.51] pc : __run_timers.part.0+0x17c/0x290', '[ 8841.59] x0 : ffff0000c4a2e2c0', '[ 8841.59] Call trace:', '[ 8841.59]  __run_timers.part.0+0x17c/0x290'].join('\n'));
  assert.equal(findingOf(heap, ID), undefined);
  // a /proc/modules listing alone is no hang and no oops
  assert.equal(analyze('canx_bus 24576 0 - Live 0xffff800001240000 (O)').family, 'not_kernel');
});
