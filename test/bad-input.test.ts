// Inputs nobody should paste but someone will: binary files, NUL bytes, one 64 MiB line, a million
// short lines, traces cut in the middle, and random mutations of real console reports. The parser
// must return a model (with a note when it had to drop something) and never throw.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from '../analyzers/parse/parse.ts';
import { recognizers } from '../analyzers/parse/recognizers.ts';
import type { Recognizer } from '../analyzers/parse/recognizer.ts';
import type { TraceModel } from '../analyzers/model/trace-model.ts';

const seedsDir = fileURLToPath(new URL('./fixtures/seeds-plain/', import.meta.url));
const seedTexts = readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(seedsDir + f, 'utf8'));
const CORPUS = '/work/shared/corpus/syzkaller-linux-report';
const corpusFiles = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => !f.startsWith('.') && f !== 'LICENSE').sort() : [];

/** Every line number the model cites must exist in the input. */
function assertWellFormed(m: TraceModel, inputLines: number): void {
  assert.ok(Array.isArray(m.tasks) && Array.isArray(m.reports) && Array.isArray(m.notes));
  for (const t of m.tasks) {
    for (const l of t.lines) assert.ok(l >= 1 && l <= inputLines, `task line ${l} out of range`);
    for (const s of t.stack) for (const f of s.frames) assert.ok(f.line >= 1 && f.line <= inputLines);
  }
  assert.equal(new Set(m.tasks.map((t) => t.key)).size, m.tasks.length, 'task keys are unique');
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

test('binary data: a model and a note saying it looked binary', () => {
  const rnd = xorshift(7);
  const bytes = Buffer.from(Array.from({ length: 256 * 1024 }, () => Math.floor(rnd() * 256)));
  for (const text of [bytes.toString('latin1'), bytes.toString('utf8')]) {
    const m = parse(text);
    assertWellFormed(m, text.split('\n').length);
    assert.ok(m.notes.some((n) => /binary|control/.test(n)), m.notes.join('; '));
  }
});

test('NUL bytes inside a real trace: removed with a note, the trace still parses', () => {
  const text = seedTexts[3].replace(/schedule/g, 'sche\u0000dule').replace(/\n/g, '\u0000\n');
  const m = parse(text);
  assert.ok(m.notes.some((n) => n.includes('control byte')));
  assert.equal(m.tasks.find((t) => t.pid === 12862)?.stack[0].frames[1].fn, 'schedule');
});

test('a 64 MiB single line: cut to the line limit, with a note', () => {
  const text = `${'A'.repeat(64 * 1024 * 1024)}\ncrash> bt\nPID: 7 TASK: ffff880012345678 CPU: 1 COMMAND: "x"\n#0 [ffff8800aaaa0000] schedule at ffffffff81000000\n`;
  const m = parse(text);
  assert.ok(m.notes.some((n) => n.includes('cut')));
  assert.equal(m.tasks[0]?.pid, 7, 'what follows the long line is still read');
});

test('a million short lines', () => {
  const block = 'PID: 1 TASK: ffff880012345678 CPU: 1 COMMAND: "x"\n#0 [ffff8800aaaa0000] schedule at ffffffff81000000\nhello\nworld\n';
  const text = block.repeat(250_000);
  const m = parse(text);
  assert.equal(m.lineCount, 1_000_001);
  assert.equal(m.tasks.length, 1, 'the same task printed 250k times is one task');
});

test('traces cut at any line: no exception, and never more tasks than the whole trace', () => {
  for (const text of seedTexts) {
    const all = text.split('\n');
    const full = parse(text).tasks.length;
    for (let cut = 1; cut < all.length; cut += 3) {
      const part = all.slice(0, cut).join('\n');
      const m = parse(part);
      assertWellFormed(m, cut);
      assert.ok(m.tasks.length <= full);
      // and cut in the middle of a line
      parse(part + all[cut].slice(0, Math.floor(all[cut].length / 2)));
    }
  }
});

test('a recognizer that throws costs its block, not the parse', () => {
  const broken: Recognizer = {
    name: 'broken',
    starts: (lines, i) => lines[i].text.startsWith('PID: 2857'),
    consume: () => {
      throw new Error('boom');
    },
  };
  const m = parse(seedTexts[1], [broken, ...recognizers]);
  assert.ok(m.notes.some((n) => n.includes('broken') && n.includes('boom')));
  assert.ok(m.tasks.some((t) => t.pid === 491), 'other tasks still parsed');
});

test('every syzkaller corpus report parses without an exception', { skip: corpusFiles.length === 0 && 'corpus not present' }, () => {
  for (const f of corpusFiles) {
    const text = readFileSync(`${CORPUS}/${f}`, 'utf8');
    assertWellFormed(parse(text), text.split('\n').length);
  }
});

test('random mutations of corpus reports and seed traces never throw (fast-check, fixed seed)', () => {
  const bases = [...seedTexts, ...corpusFiles.filter((_f, i) => i % 15 === 0).map((f) => readFileSync(`${CORPUS}/${f}`, 'utf8'))];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.nat(200) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 40 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.nat(2000) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.nat(bases.length - 1), fc.array(mutation, { minLength: 1, maxLength: 8 }), (which, muts) => {
      let s = bases[which];
      for (const m of muts) {
        const at = s.length === 0 ? 0 : m.at % s.length;
        if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
        else if (m.kind === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
        else if (m.kind === 'duplicate') s = s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len);
        else if (m.kind === 'truncate') s = s.slice(0, at);
        else {
          const lines = s.split('\n');
          const a = m.at % lines.length;
          const b = m.other % lines.length;
          [lines[a], lines[b]] = [lines[b], lines[a]];
          s = lines.join('\n');
        }
      }
      const model = parse(s);
      assertWellFormed(model, s.split('\n').length);
    }),
    { seed: 20261124, numRuns: 300 },
  );
});

test('pathological shapes stay linear: a struct dump of 100k junk lines, a bt of 200k frames', () => {
  const junk = `crash> struct mutex ffff880035acf1e0\nstruct mutex {\n${`${'a'.repeat(200)} ${'b'.repeat(200)};\n`.repeat(100_000)}}\n`;
  const m1 = parse(junk);
  assert.equal(m1.structs.length, 0, 'no values, no dump');
  const frames = Array.from({ length: 200_000 }, (_v, i) => `#${i % 100000} [ffff8800000${(i % 65536).toString(16).padStart(5, '0')}] f${i} at ffffffff81000000`).join('\n');
  const m2 = parse(`PID: 9 TASK: ffff880000000009 CPU: 0 COMMAND: "x"\n${frames}`);
  assert.ok(m2.tasks.length >= 1);
});
