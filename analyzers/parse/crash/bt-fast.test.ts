// The fast lane (bt-fast.ts) must give exactly the model the recognizers give: the same tasks, frames,
// registers, line numbers, notes and line count. Differential test: pastes built from the seed
// backtraces, cut into pieces and damaged the ways chat and crash sessions damage them, parsed with
// and without the lane; the JSON must be identical. A fixed seed keeps it reproducible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../parse.ts';
import { recognizers } from '../recognizers.ts';
import { normalize } from '../normalize.ts';

const dir = fileURLToPath(new URL('../../../test/fixtures/seeds-plain/', import.meta.url));

/** The per-task blocks of the seed backtraces (header and everything up to the next blank line). */
function seedBlocks(): string[][] {
  const blocks: string[][] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt')).sort()) {
    let cur: string[] | null = null;
    for (const line of readFileSync(dir + f, 'utf8').split('\n')) {
      if (line.trimStart().startsWith('PID: ') && line.includes('TASK:')) {
        if (cur) blocks.push(cur);
        cur = [line];
      } else if (cur && line.trim() !== '') cur.push(line);
      else if (cur) {
        blocks.push(cur);
        cur = null;
      }
    }
    if (cur) blocks.push(cur);
  }
  return blocks.filter((b) => b.length > 1);
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Line damage, each a thing the lane must either read exactly or hand back to the recognizers.
const damage: Array<(l: string, r: () => number) => string | string[]> = [
  (l) => l.replace(/ /g, '  '), // every space doubled
  (l) => `${l}   `, // trailing spaces
  (l) => `    ${l.trimStart()}`, // other indentation
  (l) => l.replace(' ', '\t'), // a tab
  (l) => `${l}\r`, // a CR
  (l) => l.replace(' ', '\u00a0'), // NBSP
  (l, r) => `[${(r() * 9999).toFixed(6).padStart(12)}] ${l}`, // console timestamp
  (l) => l.replace(/^(\s*#\d+ \[[0-9a-f]+\]) /, '$1\n'), // a frame wrapped by a chat window
  (l) => l.replace(/ at ([0-9a-f]+)/, ' at\n$1'), // wrapped before the address
  () => '[ffff88017b5bbb58] schedule at ffffffff8168b759', // bt -t text symbol
  () => 'PC: ffff80001043f0b8  [arch_cpu_idle+16]', // arm64
  () => 'START: __schedule at ffffffff8168b1e5', // bt -t
  () => '    ...', // elided frames
  () => 'bt: WARNING: possibly bogus exception frame', // crash warning
  () => 'ffff88003a40fd08: ffff88003a40fd38 ffffffff8168b759 ', // bt -f stack words
  () => ' #0 [ffff88003a40fd18] __schedule at ffffffff8168b1e5', // a second headerless bt
  (l) => l.slice(0, Math.max(1, Math.floor(l.length / 2))), // truncated
  () => '', // a blank line inside the block
  () => ['', ''], // two blank lines
  (l) => `${l.slice(0, 12)}${'x'.repeat(300)}${l.slice(12)}`, // over the name limit
  (l) => l.replace(/\[([a-z0-9_]+)\]$/, '[$1  x]'), // a module with a double space
  (l) => l.replace(/: ([0-9a-f]{4})/g, (_m, h: string) => `: ${h.toUpperCase()}`), // upper-case hex
  (l) => `Nov 17 05:56:07 host kernel: ${l}`, // syslog
  (l, r) => `${Math.floor(r() * 500)} | ${l}`, // gutter
  (l) => l.replace(/</g, '&lt;').replace(/>/g, '&gt;'), // HTML entities
  (l) => `\`${l}\``, // inline code
  (l) => `${l}  // stuck here`, // a comment
  (l) => `> ${l}`, // quote
  (l) => `  • ${l}`, // bullet
  (l) => l.replace(/^(\s*)RIP/, '$1R1P'), // a register-looking line that is not one
  () => 'PID: 77 TASK: ffff880012345678 CPU: 1 COMMAND: "next  one"', // header with a double space in the comm
  () => 'PID: 4790', // sys-style PID line
  () => '-', // a "-" separator line
  () => '```', // a fence
];

const separators = ['', '\n', '\n\n', '\n\n\n', '\ncrash> foreach UN bt', '\ncrash> bt -a\n', '\nsome prose between blocks', '\n   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM\n   4790      2   1  ffff88003570de20  UN   0.0       0      0  [kworker/1:2]\n', '\nKERNEL: /usr/lib/debug/vmlinux\n    CPUS: 4\n'];

function paste(seed: number, blocks: string[][]): string {
  const r = rng(seed);
  const out: string[] = [r() < 0.5 ? 'crash> foreach bt' : 'crash> bt -a'];
  const n = 1 + Math.floor(r() * 6);
  for (let b = 0; b < n; b++) {
    const block = blocks[Math.floor(r() * blocks.length)];
    const hits = r() < 0.4 ? 0 : 1 + Math.floor(r() * 2);
    const lines = [...block];
    for (let h = 0; h < hits; h++) {
      const at = Math.floor(r() * lines.length);
      const d = damage[Math.floor(r() * damage.length)](lines[at], r);
      if (Array.isArray(d)) lines.splice(at, 1, lines[at], ...d);
      else if (d.startsWith('PID: ') || d.startsWith('[ffff') || d === '    ...' || d.startsWith('bt:') || d.startsWith('ffff') || d.startsWith(' #0') || d === '' || d.startsWith('PC:') || d.startsWith('START:') || d === '-' || d === '```') lines.splice(at + 1, 0, d);
      else lines[at] = d;
    }
    out.push(lines.join('\n'));
    out.push(separators[Math.floor(r() * separators.length)]);
  }
  return out.join('\n');
}

test('the fast lane gives exactly the recognizers\' model on damaged foreach bt pastes (500 pastes, fixed seed)', () => {
  const blocks = seedBlocks();
  assert.ok(blocks.length >= 10, `seed blocks found: ${blocks.length}`);
  let laneUsed = 0;
  let laneDeclined = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const text = paste(seed, blocks);
    const norm = normalize(text);
    if (norm.fast.length > 0) laneUsed++;
    if (norm.lines.some((l) => /^PID: \d+ TASK:/.test(l.text) && l.fast === undefined)) laneDeclined++;
    const fast = JSON.stringify(parse(text));
    const slow = JSON.stringify(parse(text, recognizers, { fastBt: false }));
    if (fast !== slow) {
      let k = 0;
      while (k < fast.length && fast[k] === slow[k]) k++;
      assert.fail(`seed ${seed}: models differ at ${k}:\n fast …${fast.slice(Math.max(0, k - 120), k + 120)}\n slow …${slow.slice(Math.max(0, k - 120), k + 120)}\n--- paste ---\n${text}`);
    }
  }
  // the comparison means something only if the lane both read and declined blocks
  assert.ok(laneUsed > 250, `lane used in ${laneUsed} of 500 pastes`);
  assert.ok(laneDeclined > 100, `lane declined a block in ${laneDeclined} of 500 pastes`);
});

test('the fast lane reads a plain foreach bt: one line per task, the rest counted', () => {
  const text = 'crash> foreach bt\nPID: 10   TASK: ffff880012345678  CPU: 1   COMMAND: "kworker/1:2"\n #0 [ffff88003a40fd18] __schedule at ffffffff8168b1e5\n #1 [ffff88003a40fd80] schedule at ffffffff8168b759  [mod]\n\nPID: 11   TASK: ffff880012345679  CPU: 0   COMMAND: "x"\n #0 [ffff88003a40fd18] schedule_timeout+0x1ed at ffffffff8168b1e5\n';
  const norm = normalize(text);
  assert.equal(norm.fast.length, 2);
  assert.equal(norm.hidden, 3);
  assert.deepEqual(norm.lines.map((l) => [l.no, l.fast ?? null]), [[1, null], [2, 0], [5, null], [6, 1], [8, null]]);
  const m = parse(text);
  assert.equal(m.lineCount, 8);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.comm, t.task, t.cpu, t.stack[0].frames.map((f) => [f.fn, f.offset, f.address, f.module, f.line])]), [
    [10, 'kworker/1:2', 'ffff880012345678', 1, [['__schedule', null, 'ffffffff8168b1e5', null, 3], ['schedule', null, 'ffffffff8168b759', 'mod', 4]]],
    [11, 'x', 'ffff880012345679', 0, [['schedule_timeout', 0x1ed, 'ffffffff8168b1e5', null, 7]]],
  ]);
});
