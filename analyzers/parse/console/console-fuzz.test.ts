// Property test (fixed seed, bounded runs): mutated console reports never make the console
// recognizer throw, and what it produces stays well-formed (line numbers inside the input, report
// tasks that exist, titles that are strings). Mutations are what chat does to pasted dmesg: lines
// dropped, duplicated, swapped, truncated, junk inserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from '../parse.ts';
import { classify } from '../../classify/index.ts';
import { genericPlugins } from '../../plugins/generic.ts';

const dir = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(new URL(f, dir), 'utf8').split('\n'));

const mutation = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat(), len: fc.nat({ max: 80 }) }),
  fc.record({ op: fc.constant('junk' as const), at: fc.nat(), text: fc.string({ maxLength: 60 }) }),
);

interface Mutation { op: string; at: number; to?: number; len?: number; text?: string }

function mutate(lines: string[], muts: readonly Mutation[]): string {
  const out = [...lines];
  for (const m of muts) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.op === 'drop') out.splice(i, 1);
    else if (m.op === 'dup') out.splice(i, 0, out[i]!);
    else if (m.op === 'swap') {
      const j = (m.to ?? 0) % out.length;
      [out[i], out[j]] = [out[j]!, out[i]!];
    } else if (m.op === 'cut') out[i] = out[i]!.slice(0, m.len ?? 0);
    else out.splice(i, 0, m.text ?? '');
  }
  return out.join('\n');
}

test('mutated console reports: no exception, well-formed model and findings', () => {
  fc.assert(
    fc.property(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { maxLength: 12 }), (k, muts) => {
      const text = mutate(fixtures[k]!, muts);
      const lineCount = text.split('\n').length;
      const model = parse(text);
      const keys = new Set(model.tasks.map((t) => t.key));
      for (const r of model.reports) {
        assert.ok(r.line >= 1 && r.line <= lineCount && r.endLine >= r.line);
        for (const key of r.taskKeys) assert.ok(keys.has(key), `report task ${key} exists`);
      }
      for (const t of model.tasks) for (const s of t.stack) for (const f of s.frames) assert.ok(f.line >= 1 && f.line <= lineCount);
      const { family, title } = classify(model);
      assert.equal(typeof title, 'string');
      for (const p of genericPlugins) {
        for (const f of p.run(model, { family })) {
          assert.ok(f.confidence > 0 && f.confidence < 1);
          assert.ok(f.blockingChain.length > 0);
          assert.ok(!f.keyFrames.some((k2) => /^(?:__)?schedule$/.test(k2)), 'schedule is never the key frame');
        }
      }
    }),
    { seed: 20261124, numRuns: 300 },
  );
});
