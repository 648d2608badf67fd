// CONFIG_PRINTK_CALLER logs as dmesg prints them: a lockdep record of several lines has the
// "[time][T1234] " prefix on its first line only and its other lines padded (23 columns from dmesg,
// 15 from other tools, none after a chat client trimmed them). Those lines must be read as the
// reporting task's, also when another CPU's line ("[C2]") is interleaved. Own reports (ALSA USB
// driver, evdev), not the variant cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../analyzers/analyze.ts';
import { parse } from '../../analyzers/parse/parse.ts';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

test('recursive locking with 23-column continuations and a [C2] line between: mutex self-deadlock on &chip->mutex', () => {
  const a = analyze(fixture('printk-caller-recursive-snd-usb.txt'));
  assert.equal(a.family, 'lockdep_recursive');
  const f = a.findings[0];
  assert.equal(f?.pattern, 'mutex-self-deadlock', a.findings.map((x) => x.pattern).join(','));
  assert.equal(f.suspectLock?.address, 'ffff88810a3e5e10');
  assert.equal(f.suspectLock?.name, '&chip->mutex');
  assert.equal(f.suspectLock?.holder, 'alsa-sink:4471');
  assert.equal(f.cycle, true);
});

test('the "already holding" line of a 23-column record is the reporting task\'s held lock', () => {
  const m = parse(fixture('printk-caller-recursive-snd-usb.txt'));
  const ld = m.reports.find((x) => x.kind === 'lockdep_recursive')?.lockdep;
  assert.ok(ld);
  assert.equal(ld.acquiring?.address, 'ffff88810a3e5e10');
  assert.deepEqual(ld.acquirer, { comm: 'alsa-sink', pid: 4471 });
  // read from the line after "but task is already holding lock:" (a continuation line), with the
  // "[C2]" line of another CPU between them
  assert.deepEqual(ld.held.map((l) => [l.address, l.name]), [['ffff88810a3e5e10', '&chip->mutex']]);
  assert.deepEqual(ld.heldBy.map((h) => [h.pid, h.locks.length]), [[4471, 2]]);
});

test('circular dependency with 15-column and unindented continuations: the two-lock cycle through &evdev->mutex', () => {
  const a = analyze(fixture('printk-caller-circular-evdev.txt'));
  assert.equal(a.family, 'lockdep_circular');
  const f = a.findings[0];
  assert.equal(f?.pattern, 'lockdep-cycle', a.findings.map((x) => x.pattern).join(','));
  assert.equal(f.cycle, true);
  assert.equal(f.suspectLock?.address, 'ffff888112c40b58');
  assert.deepEqual(f.blockingChain.map((l) => l.lock), ['ffff888112c40b58', 'ffff888112d81c30']);
  assert.equal(f.blockingChain[0]?.task, 'inputd:902');
  assert.equal(f.blockingChain[1]?.heldBy, 'inputd:902');
  // the "-> #1" dependency (an unindented line after a bare prefix) is where the chain's second link comes from
  assert.ok(f.keyFrames.includes('evdev_disconnect'), f.keyFrames.join(','));
});

test('the same reports with the prefix on every line reach the same conclusion and signature', () => {
  for (const name of ['printk-caller-recursive-snd-usb.txt', 'printk-caller-circular-evdev.txt']) {
    const text = fixture(name);
    let prefix = '';
    const every = text.split('\n').map((l) => {
      const m = /^\[[^\]]{1,20}\]\[[^\]]{1,10}\] /.exec(l);
      if (m) {
        if (!l.includes('][    C')) prefix = m[0];
        return l;
      }
      return l.trim() === '' ? l : prefix + l.trimStart();
    }).join('\n');
    const x = analyze(text);
    const y = analyze(every);
    assert.equal(x.signature, y.signature, name);
    assert.deepEqual(x.findings.map((f) => [f.pattern, f.suspectLock?.address, f.suspectLock?.holder]), y.findings.map((f) => [f.pattern, f.suspectLock?.address, f.suspectLock?.holder]), name);
  }
});
