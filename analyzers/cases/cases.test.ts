import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../contract.ts';
import { BUILTIN_CASES } from './builtin/index.ts';
import { validateCase, type CaseDef } from './schema.ts';
import { attachCase, bestCase, caseScore, fill, mergeCommands, placeholderValues } from './match.ts';
import { getDefaultRegistry } from '../plugins/registry.ts';

const ids = new Set(getDefaultRegistry().plugins.map((p) => p.id));

function finding(over: Partial<Finding> = {}): Finding {
  return {
    pattern: 'mutex-self-deadlock', caseId: null, confidence: 0.9, headline: 'h', cycle: true, keyFrames: [], checklist: ['plugin step'], nextSteps: ['crash> foreach UN bt'], references: [],
    blockingChain: [{ task: 'kworker/1:2:4790', waitsOn: 'mutex', primitive: 'mutex', lock: 'ffff880035acf1e0', heldBy: 'kworker/1:2:4790' }],
    suspectLock: { primitive: 'mutex', address: 'ffff880035acf1e0', name: null, holder: 'kworker/1:2:4790', evidence: 'e' },
    ...over,
  };
}

test('the five built-in cases are valid, cite their seed and only name existing analyzers', () => {
  assert.equal(BUILTIN_CASES.length, 5);
  for (const c of BUILTIN_CASES) {
    assert.deepEqual(validateCase(c, ids), [], c.id);
    assert.match(c.references[0]!, /^00[0-4]_[0-9a-f]{16}\.txt$/);
    assert.ok(c.summary.length > 200, `${c.id}: a real summary`);
  }
  assert.equal(new Set(BUILTIN_CASES.map((c) => c.id)).size, 5);
});

test('a case needs its analyzer and, when it names frames or modules, one of them in the paste', () => {
  const c = BUILTIN_CASES.find((x) => x.id === 'gpu-ww-mutex-rmmod-flush')!;
  const ctx = (frames: string[], modules: string[] = []) => ({ family: 'stuck_tasks' as const, frames: new Set(frames), modules: new Set(modules) });
  assert.equal(caseScore(c, finding(), ctx([])), 0);
  assert.equal(caseScore(c, finding({ pattern: 'lockdep-cycle' }), ctx(['ttm_eu_reserve_buffers'])), 0);
  assert.ok(caseScore(c, finding(), ctx(['ttm_eu_reserve_buffers'], ['ttm', 'qxl'])) > caseScore(c, finding(), ctx(['ttm_eu_reserve_buffers'])));
  const user: CaseDef = { ...c, id: 'copy', origin: 'user' };
  assert.equal(bestCase([c, user], finding(), ctx(['ttm_eu_reserve_buffers']))!.id, c.id, 'a tie keeps the built-in case');
});

test('placeholders take this paste\'s lock, pid, task address and CPU; unknown ones stay visible', () => {
  const v = placeholderValues(finding(), [{ pid: 4790, comm: 'kworker/1:2', state: 'D', cpu: 1, task: 'ffff88003570de20', frames: [] }]);
  assert.deepEqual(v, { lock: 'ffff880035acf1e0', comm: 'kworker/1:2', pid: '4790', task: 'ffff88003570de20', cpu: '1', address: 'ffff880035acf1e0' });
  assert.equal(fill('crash> struct mutex {lock}; bt {pid}; task {task}', v), 'crash> struct mutex ffff880035acf1e0; bt 4790; task ffff88003570de20');
  assert.equal(fill('crash> bt {pid}', {}), 'crash> bt <pid>');
});

test('attaching a case: id, its checklist first, filled commands, references, and its lock name', () => {
  const c = BUILTIN_CASES.find((x) => x.id === 'bfq-spin-unlock-irq-reentry')!;
  const f = attachCase(finding({ pattern: 'irq-reentrant-spinlock' }), c, [{ pid: 4790, comm: 'x', state: null, cpu: 1, task: null, frames: [] }]);
  assert.equal(f.caseId, c.id);
  assert.equal(f.checklist[0], c.checklist[0]);
  assert.ok(f.checklist.includes('plugin step'));
  assert.ok(f.nextSteps.includes('crash> bt -c 1'));
  assert.ok(f.nextSteps.includes('crash> foreach UN bt'));
  assert.equal(f.suspectLock!.name, 'bfqd->lock');
  assert.deepEqual(f.references, ['001_92ad9bb8df84726d.txt']);
});

test('commands merge once each, the explained variant replacing the bare one in place', () => {
  assert.deepEqual(mergeCommands(['crash> rd -32 ffff1', 'crash> bt -f 7'], ['crash> rd -32 ffff1   (Next high, Owner low)', 'crash> bt -a']),
    ['crash> rd -32 ffff1   (Next high, Owner low)', 'crash> bt -f 7', 'crash> bt -a']);
});
