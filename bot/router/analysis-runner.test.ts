import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalysisRunner } from './analysis-runner.ts';
import { selfDeadlockAnalysis } from '../../test/fixtures/analysis-samples.ts';
import { isLockdownError } from '../../config/errors.ts';

const FAKE = new URL('../../test/fixtures/fake-analyzer.ts', import.meta.url).href;

test('small pastes are analysed in-process', async () => {
  let calls = 0;
  const r = createAnalysisRunner({ analyze: (t) => (calls++, selfDeadlockAnalysis(`len-${t.length}`)), asyncBytes: 100, workerModule: FAKE });
  const out = await r.run('short');
  assert.equal(out.inWorker, false);
  assert.equal(out.analysis.signature, 'len-5');
  assert.equal(calls, 1);
});

test('large pastes go to a worker thread running the analyzer module (TypeScript through tsx)', async () => {
  let calls = 0;
  const r = createAnalysisRunner({ analyze: () => (calls++, selfDeadlockAnalysis()), asyncBytes: 100, workerModule: FAKE });
  const out = await r.run('y'.repeat(5000));
  assert.equal(out.inWorker, true);
  assert.equal(calls, 0, 'the main-thread analyzer was not used');
  assert.equal(out.analysis.signature, 'worker-5000');
  assert.equal(out.analysis.findings[0]!.blockingChain.length, 2);
});

test('a worker that throws becomes LD_INTERNAL, not a crash', async () => {
  const r = createAnalysisRunner({ analyze: () => selfDeadlockAnalysis(), asyncBytes: 10, workerModule: FAKE, exportName: 'analyzeThrows' });
  await assert.rejects(r.run('z'.repeat(100)), (e) => isLockdownError(e, 'LD_INTERNAL') && /parser exploded/.test(e.message));
});

test('the default worker runs the real engine and agrees with the in-process analysis (seed 001)', async () => {
  const { readFileSync } = await import('node:fs');
  const { analyze } = await import('../../analyzers/analyze.ts');
  const text = readFileSync('/work/shared/seeds/001_92ad9bb8df84726d.txt', 'utf8');
  const r = createAnalysisRunner({ analyze: () => assert.fail('not on the main thread'), asyncBytes: 1024 });
  const out = await r.run(text);
  assert.equal(out.inWorker, true);
  const local = analyze(text);
  assert.equal(out.analysis.signature, local.signature);
  assert.deepEqual(out.analysis.findings.map((f) => f.pattern), local.findings.map((f) => f.pattern));
  assert.notEqual(out.analysis.family, 'not_kernel');
});
