import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { detectTrace } from './detect-trace.ts';

const SEEDS = '/work/shared/seeds';

test('every documented case, pasted whole, is recognised as a trace', () => {
  const files = readdirSync(SEEDS).filter((f) => /^\d{3}_.*\.txt$/.test(f));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const d = detectTrace(readFileSync(`${SEEDS}/${f}`, 'utf8'));
    assert.ok(d.isTrace, `${f}: ${d.signals.join(',')}`);
  }
});

test('each paste style fires its own signal', () => {
  assert.deepEqual(detectTrace('PID: 4790   TASK: ffff88003570de20  CPU: 1   COMMAND: "kworker/1:2"').signals, ['crash-header']);
  assert.ok(detectTrace('[  760.247152] INFO: task rmmod:31969 blocked for more than 120 seconds.').signals.includes('detector'));
  const proc = '[<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n[<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';
  assert.deepEqual(detectTrace(proc), { isTrace: true, signals: ['frames:2'] });
  const crash = ' #0 [ffff8800358f7c60] __schedule at ffffffff816a94c5\n #1 [ffff8800358f7cc8] schedule at ffffffff816a9a19\n';
  assert.deepEqual(detectTrace(crash), { isTrace: true, signals: ['frames:2'] });
  const fresh = ' ? __schedule+0x2e5/0x8a0\n  schedule+0x32/0x80\n';
  assert.equal(detectTrace(fresh).isTrace, true);
  // Chat mangling: entities and NBSPs where spaces were.
  assert.equal(detectTrace('&lt;IRQ&gt;\n[<ffffffff8108f3cc>]\u00a0flush_workqueue+0x11c/0x3a0\n[<ffffffff8108f3cc>]\u00a0x+0x1/0x2').isTrace, true);
});

test('ordinary chat gets no reply', () => {
  for (const t of [
    'hey, anyone seen the storage box hang again?',
    'I think flush_workqueue+0x11c/0x3a0 is where it stops', // one frame mentioned in prose
    'PID: 12 is stuck, TASK: unknown',
    'deploying 5.10.3 now\n\nthanks!',
    '',
    'Exception in thread "main" java.lang.NullPointerException\n\tat com.example.Foo.bar(Foo.java:10)\n\tat com.example.Main.main(Main.java:3)',
  ]) {
    assert.equal(detectTrace(t).isTrace, false, t);
  }
});

test('only the head of a huge paste is scanned', () => {
  const junk = 'x'.repeat(200_000) + '\nINFO: task a:1 blocked for more than 120 seconds.';
  assert.equal(detectTrace(junk, 64 * 1024).isTrace, false);
  assert.equal(detectTrace(junk, 256 * 1024).isTrace, true);
});
