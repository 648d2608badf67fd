import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, rank } from './analyze.ts';
import type { Finding } from './contract.ts';
import type { Plugin } from './plugins/plugin.ts';
import { createRegistry, getDefaultRegistry, mechanismPlugins } from './plugins/registry.ts';
import { readPlain, readSeed } from '../test/helpers/fixture-reader.ts';

// Expected per seed (issue 3): the first finding, its lock, holder and cycle, for both forms.
const SEEDS: Array<[string, string, string, string | null, string | null, boolean]> = [
  ['000_f2b6f952a013b8da.txt', '000', 'mutex-self-deadlock', 'ffff880035acf1e0', 'kworker/1:2:4790', true],
  ['001_92ad9bb8df84726d.txt', '001', 'irq-reentrant-spinlock', 'ffff92adc0fc6400', 'fio:2857', true],
  ['002_f5b2a25c39dda0a7.txt', '002', 'timer-after-module-unload', 'ffff88007b90c000', 'swapper/1:0', true],
  ['003_8e2fec0ccb6e1cbe.txt', '003', 'rwsem-writer-queue-cycle', 'ffff8b92ab737e20', 'java:22134', true],
  ['004_789fb14b6ba577d5.txt', '004', 'ticket-spinlock-corruption', 'ffff881054610960', null, false],
];

for (const [file, plain, pattern, lock, holder, cycle] of SEEDS) {
  for (const [form, text] of [['document', () => readSeed(file)], ['plain paste', () => readPlain(plain)]] as const) {
    test(`seed ${plain} ${form}: ${pattern} first, lock, holder, cycle, case and checklist`, () => {
      const a = analyze(text());
      const f = a.findings[0]!;
      assert.equal(f.pattern, pattern);
      assert.equal(f.suspectLock?.address, lock);
      assert.equal(f.suspectLock?.holder ?? null, holder);
      assert.equal(f.cycle, cycle);
      assert.ok(f.caseId, 'a built-in case is attached');
      assert.ok(f.checklist.length >= 3);
      assert.ok(f.references.includes(file));
      assert.deepEqual(a.keyFrames, f.keyFrames);
      assert.ok(a.tasks.length > 0 && a.tasks.every((t) => Array.isArray(t.frames)));
      assert.match(a.signature, /^[0-9a-f]{8,}$/);
    });
  }
}

test('seed 000 also carries the flush finding; seed 001 and 004 the IPI finding', () => {
  assert.ok(analyze(readSeed('000_f2b6f952a013b8da.txt')).findings.some((f) => f.pattern === 'flush-waits-on-blocked-worker'));
  assert.ok(analyze(readSeed('001_92ad9bb8df84726d.txt')).findings.some((f) => f.pattern === 'ipi-waits-on-irqs-off-cpu'));
  assert.ok(analyze(readPlain('004')).findings.some((f) => f.pattern === 'ipi-waits-on-irqs-off-cpu'));
});

test('no mechanism evidence: the generic finding says the holder is unknown and how to find it', () => {
  const text = [
    '[  600.100000] INFO: task kjournald:412 blocked for more than 120 seconds.',
    '[  600.100002]       Not tainted 4.4.0-210-generic #242-Ubuntu',
    '[  600.100004] kjournald       D ffff88003f8cbd28     0   412      2 0x00000000',
    '[  600.100010] Call Trace:',
    '[  600.100012]  [<ffffffff8184a9c5>] schedule+0x35/0x80',
    '[  600.100014]  [<ffffffff8184d7d5>] schedule_preempt_disabled+0xe/0x10',
    '[  600.100016]  [<ffffffff8184b9f9>] __mutex_lock_slowpath+0xb9/0x130',
    '[  600.100018]  [<ffffffff8184ba8f>] mutex_lock+0x1f/0x30',
    '[  600.100020]  [<ffffffffc01a2e11>] acme_flush_log+0x31/0x90 [acme]',
    '[  600.100022]  [<ffffffffc01a3e62>] acme_commit+0x52/0x110 [acme]',
    '[  600.100024]  [<ffffffff810a0808>] kthread+0xd8/0xf0',
  ].join('\n');
  const a = analyze(text);
  assert.equal(a.family, 'hung_task');
  assert.ok(a.findings.length > 0);
  assert.ok(a.findings.every((f) => !mechanismPlugins.some((p) => p.id === f.pattern)));
  const f = a.findings[0]!;
  assert.match(f.headline, /holder unknown/);
  assert.ok(f.blockingChain.every((l) => l.heldBy === null));
  assert.ok(f.nextSteps.length > 0);
});

test('non-kernel input: not_kernel, no findings, and never an exception', () => {
  for (const text of ['', 'hello, is the VPN down?', 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError', '\u0000\u0001\u0002'.repeat(1000)]) {
    const a = analyze(text);
    assert.equal(a.family, 'not_kernel');
    assert.deepEqual(a.findings, []);
  }
  assert.doesNotThrow(() => analyze(undefined as unknown as string));
});

test('a plugin that throws costs its own finding and leaves a note', () => {
  const boom: Plugin = { id: 'boom', title: 'b', families: '*', run: () => { throw new Error('kaput'); } };
  const a = analyze(readPlain('000'), { plugins: [boom, ...mechanismPlugins] });
  assert.equal(a.findings[0]!.pattern, 'mutex-self-deadlock');
  assert.ok(a.notes!.some((n) => n.includes('boom') && n.includes('kaput')));
});

test('ranking: confidence first, a mechanism before a generic finding at equal confidence, duplicates dropped', () => {
  const mk = (pattern: string, confidence: number, headline = pattern): Finding => ({ pattern, caseId: null, confidence, headline, blockingChain: [], cycle: false, suspectLock: null, keyFrames: [], checklist: [], nextSteps: [], references: [] });
  const out = rank([mk('hung-task-blocked', 0.6), mk('lockdep-cycle', 0.6), mk('soft-lockup', 0.9), mk('soft-lockup', 0.9)]);
  assert.deepEqual(out.map((f) => f.pattern), ['soft-lockup', 'lockdep-cycle', 'hung-task-blocked']);
});

test('registry: duplicate or malformed ids are rejected; the default list holds the eight mechanisms', () => {
  const p: Plugin = { id: 'x-1', title: 't', families: '*', run: () => [] };
  assert.throws(() => createRegistry([p, p]), /duplicate plugin id "x-1"/);
  assert.throws(() => createRegistry([{ ...p, id: 'Bad Id' }]), /kebab-case/);
  const ids = getDefaultRegistry().plugins.map((x) => x.id);
  for (const id of ['flush-waits-on-blocked-worker', 'mutex-self-deadlock', 'irq-reentrant-spinlock', 'timer-after-module-unload', 'rwsem-writer-queue-cycle', 'ticket-spinlock-corruption', 'ipi-waits-on-irqs-off-cpu', 'lockdep-cycle', 'hung-task-blocked']) {
    assert.ok(ids.includes(id), id);
  }
});

test('user cases: a matching user case outranks a generic checklist; an invalid one is skipped with a note', () => {
  const userCase = {
    id: 'acme-log-mutex', title: 'acme log flush', summary: 'The acme journal thread waits for the log mutex.',
    match: { patterns: ['hung-task-blocked'], frames: ['acme_flush_log'] },
    checklist: ['Check who holds acme->log_mutex'], confirm: ['crash> bt {pid}'], references: ['postmortem-17'],
  };
  const text = 'INFO: task kjournald:412 blocked for more than 120 seconds.\nkjournald       D    0   412      2 0x00000000\nCall Trace:\n schedule+0x35/0x80\n __mutex_lock_slowpath+0xb9/0x130\n mutex_lock+0x1f/0x30\n acme_flush_log+0x31/0x90 [acme]\n kthread+0xd8/0xf0\n';
  const a = analyze(text, { cases: [userCase, { id: 'broken' }] });
  const f = a.findings[0]!;
  assert.equal(f.caseId, 'acme-log-mutex');
  assert.equal(f.checklist[0], 'Check who holds acme->log_mutex');
  assert.ok(f.nextSteps.includes('crash> bt 412'), 'placeholder filled with this paste\'s pid');
  assert.deepEqual(f.references, ['postmortem-17']);
  assert.ok(a.notes!.some((n) => /1 user case\(s\) skipped/.test(n)));
  // the same case does not attach where its frames are absent
  assert.equal(analyze(text.replace(/acme_flush_log/g, 'other_fn'), { cases: [userCase] }).findings[0]!.caseId, null);
});

test('a user case only outranks a built-in one when it matches more specifically', () => {
  const base = { summary: 's', checklist: ['c'], confirm: [], references: ['r'] };
  const vague = { ...base, id: 'vague', title: 'v', match: { patterns: ['mutex-self-deadlock'], frames: ['ttm_eu_reserve_buffers'] } };
  const sharp = { ...base, id: 'sharp', title: 's', match: { patterns: ['mutex-self-deadlock'], frames: ['ttm_eu_reserve_buffers', 'qxl_fb_work', 'qxl_release_reserve_list', 'qxl_draw_opaque_fb'], modules: ['ttm', 'qxl'] } };
  assert.equal(analyze(readPlain('000'), { cases: [vague] }).findings[0]!.caseId, 'gpu-ww-mutex-rmmod-flush');
  const strong = { ...sharp, match: { ...sharp.match, frames: [...sharp.match.frames, 'flush_workqueue'] } };
  assert.equal(analyze(readPlain('000'), { cases: [strong] }).findings[0]!.caseId, 'sharp');
});

test('signature: a seed as a document and as a plain paste is the same hang; different seeds differ', () => {
  const sigs = SEEDS.map(([file, plain]) => {
    const doc = analyze(readSeed(file)).signature;
    assert.equal(analyze(readPlain(plain)).signature, doc, file);
    return doc;
  });
  assert.equal(new Set(sigs).size, SEEDS.length);
});
