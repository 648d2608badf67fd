// spinlock-debug on CONFIG_DEBUG_SPINLOCK reports from other subsystems and kernels: the holder comes
// from spin_dump's .owner, the self case is a cycle, a bad magic trusts no owner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../analyze.ts';
import { parse } from '../../parse/parse.ts';
import { spinlockDebug } from './index.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('lockup suspected: the lock and its .owner on another CPU, where the owner is (its NMI backtrace)', () => {
  const a = analyze(fixture('lockup-owner-on-other-cpu-ext4-3.10.txt'));
  assert.equal(a.family, 'spinlock_recursion_or_lockup');
  const f = a.findings.find((x) => x.pattern === 'spinlock-debug')!;
  assert.ok(f, JSON.stringify(a.findings.map((x) => x.pattern)));
  assert.equal(f.suspectLock?.address, 'ffff8807f3a4e2d0');
  assert.equal(f.suspectLock?.holder, 'jbd2/dm-3-8:1402');
  assert.equal(f.cycle, false);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.heldBy]), [['dd:30117', 'jbd2/dm-3-8:1402'], ['jbd2/dm-3-8:1402', null]]);
  assert.equal(f.keyFrames[0], 'jbd2_journal_write_revoke_records');
  assert.ok(f.nextSteps.includes('crash> bt -c 3'));
});

const recursion = (ownerLine: string): string => `[  412.118201] BUG: spinlock recursion on CPU#1, kworker/1:3/2290
[  412.118214]  ${ownerLine}
[  412.118219] CPU: 1 PID: 2290 Comm: kworker/1:3 Not tainted 5.10.0-debug #1
[  412.118224] Workqueue: events hidx_poll_work [hidx]
[  412.118226] Call Trace:
[  412.118233]  dump_stack+0x6b/0x83
[  412.118240]  do_raw_spin_lock+0x9b/0xc0
[  412.118248]  hidx_report_flush+0x2a/0x90 [hidx]
[  412.118255]  hidx_poll_work+0x51/0x120 [hidx]
[  412.118262]  process_one_work+0x1d0/0x370
[  412.118268]  worker_thread+0x50/0x3d0
[  412.118274]  kthread+0x11b/0x140
[  412.118281]  ret_from_fork+0x22/0x30
`;

test('recursion by the task itself is a self-deadlock; a static lock is named; no owner or a bad magic names no holder', () => {
  const self = analyze(recursion('lock: 0xffff9a3c4d2e8818, .magic: dead4ead, .owner: kworker/1:3/2290, .owner_cpu: 1'));
  const f = self.findings.find((x) => x.pattern === 'spinlock-debug')!;
  assert.equal(f.cycle, true);
  assert.equal(f.suspectLock?.holder, 'kworker/1:3:2290');
  assert.equal(f.blockingChain[0]!.heldBy, 'kworker/1:3:2290');
  assert.equal(f.keyFrames[0], 'hidx_report_flush');

  const named = parse(recursion('lock: hidx_global_lock+0x0/0x40 [hidx], .magic: dead4ead, .owner: kworker/1:3/2290, .owner_cpu: 1'));
  // "%pS" of a module symbol carries the module; the name is what the text shows before the offset
  const g = spinlockDebug.run(named, { family: 'spinlock_recursion_or_lockup' })[0]!;
  assert.equal(g.suspectLock?.address, null);
  assert.equal(g.suspectLock?.name, 'hidx_global_lock');

  for (const line of ['lock: 0xffff9a3c4d2e8818, .magic: dead4ead, .owner: <none>/-1, .owner_cpu: -1',
    'lock: 0xffff9a3c4d2e8818, .magic: 6b6b6b6b, .owner: kworker/1:3/2290, .owner_cpu: 1']) {
    const h = analyze(recursion(line)).findings.find((x) => x.pattern === 'spinlock-debug')!;
    assert.equal(h.suspectLock?.holder, null, line);
    assert.ok(h.blockingChain.every((l) => l.heldBy === null), line);
    assert.equal(h.cycle, false, line);
  }
});

test('no spin_dump line in the paste: the finding says so and names no lock', () => {
  const text = recursion('').replace(/^.*\]  $/m, '');
  const f = analyze(text).findings.find((x) => x.pattern === 'spinlock-debug')!;
  assert.equal(f.suspectLock, null);
  assert.match(f.headline, /not in the paste, holder unknown/);
});

test('unlock-side checks report a bug, not a wait: a double unlock names no holder; a wrong owner names the task the lock records; neither is a cycle', () => {
  const text = recursion('lock: 0xffff9a3c4d2e8818, .magic: dead4ead, .owner: <none>/-1, .owner_cpu: -1').replace('spinlock recursion', 'spinlock already unlocked');
  const dbl = analyze(text).findings.filter((x) => x.pattern === 'spinlock-debug');
  assert.equal(dbl.length, 1);
  assert.deepEqual([dbl[0]!.suspectLock?.address, dbl[0]!.suspectLock?.holder, dbl[0]!.cycle], ['ffff9a3c4d2e8818', null, false]);
  assert.match(dbl[0]!.headline, /double unlock/);
  const wrong = analyze(recursion('lock: 0xffff9a3c4d2e8818, .magic: dead4ead, .owner: irq/88-xhci/412, .owner_cpu: 3').replace('spinlock recursion', 'spinlock wrong owner'))
    .findings.filter((x) => x.pattern === 'spinlock-debug');
  assert.deepEqual(wrong.map((f) => [f.suspectLock?.holder, f.cycle, f.blockingChain[0]!.waitsOn]), [['irq/88-xhci:412', false, 'unlock of spinlock ffff9a3c4d2e8818 (wrong owner)']]);
  // a magic that is not dead4ead: the owner field is not trusted
  const bad = analyze(recursion('lock: 0xffff9a3c4d2e8818, .magic: 6b6b6b6b, .owner: irq/88-xhci/412, .owner_cpu: 3').replace('spinlock recursion', 'spinlock wrong owner'))
    .findings.filter((x) => x.pattern === 'spinlock-debug');
  assert.equal(bad[0]!.suspectLock?.holder, null);
});
