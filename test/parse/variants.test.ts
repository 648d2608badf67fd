// The same traces as the plain fixtures, mangled the ways chat clients and blogs mangle them, with
// other addresses and pids, with and without crash prompts: the parse must come out the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../../analyzers/parse/parse.ts';
import type { TraceModel } from '../../analyzers/model/trace-model.ts';
import { checkSeed000, checkSeed001, checkSeed002, checkSeed003, checkSeed004 } from './seed-checks.ts';

const dir = fileURLToPath(new URL('../fixtures/seeds-plain/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const checks = [checkSeed000, checkSeed001, checkSeed002, checkSeed003, checkSeed004];

/** What the analyzers read, without line numbers (which a mangling legitimately shifts). */
function projection(m: TraceModel, withState = true): unknown {
  return {
    tasks: m.tasks.map((t) => ({
      pid: t.pid,
      comm: t.comm,
      task: t.task,
      cpu: t.cpu,
      state: withState ? t.state : undefined,
      kthread: t.kthread,
      stack: t.stack.map((s) => ({ c: s.context, e: s.exception && { fn: s.exception.fn, off: s.exception.offset, regs: s.exception.registers }, f: s.frames.map((f) => `${f.fn}/${f.address}/${f.module}/${f.context}`) })),
    })),
    structs: m.structs.map((s) => ({ type: s.type, address: s.address, fields: s.fields })),
    lists: m.waiterLists.map((w) => ({ head: w.head, entries: w.entries.map((e) => [e.node, e.task, e.type]) })),
    bindings: m.bindings.map((b) => [b.task, b.pid]),
    rd: m.invalidAddresses.map((a) => a.address),
    ps: m.psRows.map((r) => [r.pid, r.state, r.comm, r.task]),
    sys: m.sys && { ...m.sys, line: 0 },
  };
}

const lines = (s: string) => s.split('\n');
const variants: Record<string, (s: string) => string> = {
  'Windows line endings': (s) => s.replace(/\n/g, '\r\n'),
  'Slack escapes and quoting': (s) => lines(s).map((l) => `&gt; ${l.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`).join('\n'),
  'bullets and "?" for spaces (seed 001 style)': (s) =>
    lines(s)
      .map((l) => (l === '' ? l : `  • ${l.replace(/^ +/, (m) => '?'.repeat(m.length)).replace(/ {2,}/g, (m) => `${'?'.repeat(m.length - 1)} `)}`))
      .join('\n'),
  'a "-" line between every line (seed 004 style)': (s) => lines(s).join('\n-\n'),
  'a line-number gutter block before the paste (seed 003 style)': (s) => `${lines(s).map((_l, i) => String(i + 1)).join('\n')}\n${s}`,
  'a "N | " gutter on every line': (s) => lines(s).map((l, i) => `${String(i + 1).padStart(4)} | ${l}`).join('\n'),
  'double-spaced (a blank line after every line)': (s) => lines(s).join('\n\n'),
  'frame lines wrapped by a narrow chat window': (s) =>
    lines(s)
      .map((l, i) => (i % 3 === 0 ? l.replace(/^(\s*#\d+ \[[0-9a-f]+\]) /, '$1\n').replace(/^(\[<[0-9a-f]+>\]) (?=\S+\+0x)/, '$1\n') : l))
      .join('\n'),
  'without crash> prompts': (s) => s.replace(/^crash> /gm, ''),
  'inside a markdown code fence with prose around': (s) => `Here is what we saw last night:\n\n\`\`\`\n${s}\n\`\`\`\nAny idea?`,
};

fixtures.forEach((name, k) => {
  const text = readFileSync(dir + name, 'utf8');
  const base = projection(parse(text));
  for (const [label, mangle] of Object.entries(variants)) {
    test(`${name}: ${label}`, () => {
      const m = parse(mangle(text));
      checks[k](m);
      // A bare "bt -a" right after a console trace may be read as part of that trace; then its
      // tasks lose the state the command implies (running), nothing else.
      const keepState = label !== 'without crash> prompts';
      assert.deepEqual(projection(m, keepState), keepState ? base : projection(parse(text), false));
    });
  }
});

test('other addresses, pids and kernel build give the same structure with the new values', () => {
  const text = readFileSync(dir + fixtures[1], 'utf8');
  // shift every 16-digit address and every pid in headers/rows; the parse must follow
  const shiftHex = (h: string) => h.slice(0, 10) + ((parseInt(h.slice(10), 16) + 0x1230) % 0x1000000).toString(16).padStart(6, '0');
  const moved = text
    .replace(/\b[0-9a-f]{16}\b/g, shiftHex)
    .replace(/\b(2635|2857|491|2861)\b/g, (_m, p: string) => String(Number(p) + 1000))
    .replace(/RELEASE: 4\.18\.0/, 'RELEASE: 4.18.0-305.el8.x86_64');
  const a = parse(text);
  const b = parse(moved);
  assert.equal(b.tasks.length, a.tasks.length);
  a.tasks.forEach((t, i) => {
    const u = b.tasks[i];
    assert.equal(u.pid, t.pid === null ? null : t.pid + 1000);
    assert.equal(u.task, t.task && shiftHex(t.task));
    assert.deepEqual(u.stack.map((s) => s.context), t.stack.map((s) => s.context));
    assert.deepEqual(u.stack.map((s) => s.frames.map((f) => f.fn)), t.stack.map((s) => s.frames.map((f) => f.fn)));
  });
  const fio = b.tasks.find((t) => t.pid === 3857);
  assert.equal(fio?.stack[1].exception?.registers.RDI, shiftHex('ffff92adc0fc6400'));
  assert.equal(b.sys?.release, '4.18.0-305.el8.x86_64');
});
