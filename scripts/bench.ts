// `npm run bench`: speed and memory of the engine on generated `foreach bt` inputs (1k, 10k, 50k
// tasks built from the stack shapes of the seed traces, pids and addresses varied), a 64 MiB input,
// the seed pastes and the whole syzkaller corpus. Each input is measured in its own child process
// (so peak RSS is that input's), against a floor measured in the same run: reading the same bytes
// and splitting them into lines. Uses analyze() when analyzers/analyze.ts exists, parse() otherwise.
//
//   npm run bench                 all inputs
//   npm run bench -- --quick      skip the 50k-task and 64 MiB inputs
//   npm run bench -- --parse      measure parse() alone (the parser's share of the time)
//   npm run bench -- --write DIR  only write the generated foreach bt inputs to DIR (for profiling)
//
// The default run adds three rows for the 10k-task input: parse() alone, and two lower bounds: building
// only the model's Frame objects (frameObjectsOnly), which shows what the model's shape costs, and that
// plus one charCodeAt per character (framesAndEveryChar), the least a checking parser must add.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEEDS_PLAIN = join(ROOT, 'test/fixtures/seeds-plain');
const CORPUS = '/work/shared/corpus/syzkaller-linux-report';

type Engine = (text: string) => unknown;
type Mode = 'analyze' | 'parse' | 'frames' | 'chars';

/**
 * A lower bound, not an engine: one pass over the lines that builds only what the trace model cannot
 * do without for a foreach bt, a Frame object per "#N [sp] fn at addr" line (name interned, address
 * sliced), grouped per "PID:" header. No validation, registers, contexts, tasks or analysis. Whatever
 * keeps the model's one-object-per-frame shape costs at least this much.
 */
function frameObjectsOnly(text: string): unknown {
  const names = new Map<string, string>();
  const tasks: object[][] = [];
  let cur: object[] = [];
  let no = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    no++;
    let p = start;
    while (text.charCodeAt(p) === 32) p++;
    const c = text.charCodeAt(p);
    if (c === 80 && text.startsWith('PID:', p)) tasks.push((cur = []));
    else if (c === 35) {
      const n0 = text.indexOf('] ', p) + 2;
      const n1 = text.indexOf(' ', n0);
      if (n0 > 1 && n1 > n0 && n1 < end) {
        const name = text.slice(n0, n1);
        let fn = names.get(name);
        if (fn === undefined) names.set(name, (fn = name));
        let a1 = text.indexOf(' ', n1 + 4);
        if (a1 < 0 || a1 > end) a1 = end;
        cur.push({ fn, offset: null, size: null, address: text.slice(n1 + 4, a1), module: null, unreliable: false, context: 'process', line: no });
      }
    }
    start = end + 1;
  }
  return tasks;
}

/**
 * A second lower bound: frameObjectsOnly plus looking at every character once (charCodeAt, the least a
 * parser that checks what it accepts must do; frameObjectsOnly finds its fields with indexOf and
 * never looks at the rest of a line). Still no validation, registers, contexts, tasks or analysis.
 */
function framesAndEveryChar(text: string): unknown {
  let sum = 0;
  for (let k = 0; k < text.length; k++) sum = (sum + text.charCodeAt(k)) | 0;
  const tasks = frameObjectsOnly(text) as object[][];
  return sum === -1 ? null : tasks;
}

async function loadEngine(mode: Mode): Promise<{ name: string; run: Engine }> {
  if (mode === 'frames') return { name: 'frame objects only (a lower bound)', run: frameObjectsOnly };
  if (mode === 'chars') return { name: 'frame objects and every character once (a lower bound)', run: framesAndEveryChar };
  const parseOnly = mode === 'parse';
  const analyzePath = join(ROOT, 'analyzers/analyze.ts');
  if (!parseOnly && existsSync(analyzePath)) {
    const mod = (await import(pathToFileURL(analyzePath).href)) as { analyze?: (t: string, o?: unknown) => unknown };
    if (typeof mod.analyze === 'function') {
      const fn = mod.analyze;
      return { name: 'analyze()', run: (t) => fn(t, {}) };
    }
  }
  const { parse } = await import('../analyzers/parse/parse.ts');
  return { name: 'parse()', run: parse };
}

interface Measure {
  ms: number;
  floorMs: number;
  maxRssMb: number;
  bytes: number;
  files: number;
  maxFileMs?: number;
  over200?: number;
}

/** Child: measure one input file (or a directory of files) and print JSON. */
async function child(path: string, repeat: number, mode: Mode): Promise<void> {
  const engine = await loadEngine(mode);
  const files = path.endsWith('/') ? readdirSync(path).filter((f) => !f.startsWith('.') && f !== 'LICENSE').sort().map((f) => path + f) : [path];
  // warm the JIT on the seed pastes first, as a running bot would be
  const warm = readdirSync(SEEDS_PLAIN).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(SEEDS_PLAIN, f), 'utf8'));
  for (let k = 0; k < 20; k++) for (const w of warm) engine.run(w);
  let floor = Infinity;
  let best = Infinity;
  let maxFileMs = 0;
  let over200 = 0;
  let bytes = 0;
  for (let r = 0; r < repeat; r++) {
    // floor: read + split into lines, the least any line-oriented parser must do
    let t0 = performance.now();
    let n = 0;
    for (const f of files) n += readFileSync(f, 'utf8').split('\n').length;
    floor = Math.min(floor, performance.now() - t0);
    if (n < 0) console.log(n);
    t0 = performance.now();
    bytes = 0;
    for (const f of files) {
      const t1 = performance.now();
      const text = readFileSync(f, 'utf8');
      bytes += Buffer.byteLength(text);
      engine.run(text);
      const dt = performance.now() - t1;
      if (r === repeat - 1) {
        maxFileMs = Math.max(maxFileMs, dt);
        if (dt > 200) over200++;
      }
    }
    best = Math.min(best, performance.now() - t0);
  }
  const m: Measure = { ms: best, floorMs: floor, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes, files: files.length, maxFileMs, over200 };
  process.stdout.write(`${JSON.stringify({ engine: engine.name, ...m })}\n`);
}

// ---- input generation -------------------------------------------------------------------------

/** The per-task blocks of the seed backtraces (their stack shapes), split at the PID headers. */
function taskShapes(): string[] {
  const shapes: string[] = [];
  for (const f of readdirSync(SEEDS_PLAIN).sort()) {
    const text = readFileSync(join(SEEDS_PLAIN, f), 'utf8');
    let cur: string[] | null = null;
    for (const line of text.split('\n')) {
      if (line.startsWith('PID: ')) {
        if (cur && cur.length > 2) shapes.push(cur.join('\n'));
        cur = [line];
      } else if (cur && /^\s*(#\d|\[exception|---|[A-Z0-9_]{2,8}: [0-9a-f])/.test(line)) cur.push(line);
      else if (cur) {
        if (cur.length > 2) shapes.push(cur.join('\n'));
        cur = null;
      }
    }
    if (cur && cur.length > 2) shapes.push(cur.join('\n'));
  }
  return shapes;
}

function foreachBt(tasks: number, shapes: string[]): string {
  const out: string[] = ['crash> foreach bt'];
  for (let i = 0; i < tasks; i++) {
    const pid = 1000 + i;
    const salt = (i * 2654435761) >>> 0;
    const block = shapes[i % shapes.length]
      .replace(/^PID: +\d+/, `PID: ${pid}`)
      .replace(/\b(ffff[0-9a-f]{4})([0-9a-f]{8})\b/g, (_m, hi: string, lo: string) => hi + ((parseInt(lo, 16) ^ salt) >>> 0).toString(16).padStart(8, '0'));
    out.push(block, '');
  }
  return out.join('\n');
}

function runChild(path: string, repeat: number, mode: Mode): (Measure & { engine: string }) | string {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', path, String(repeat), mode], {
      cwd: ROOT,
      maxBuffer: 1 << 20,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10 * 60 * 1000,
    });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}');
  } catch (e) {
    const err = e as { signal?: string | null; stderr?: string };
    const why = /heap out of memory/.test(err.stderr ?? '') ? 'out of memory' : err.signal ? `killed (${err.signal})` : 'failed';
    return `FAILED: ${why}`;
  }
}

function row(label: string, m: Measure & { engine: string }): string {
  const mb = m.bytes / (1024 * 1024);
  const perInput = m.ms / m.files;
  const cells = [
    label.padEnd(34),
    `${mb.toFixed(2).padStart(8)} MB`,
    `${(mb / (m.ms / 1000)).toFixed(1).padStart(7)} MB/s`,
    `${perInput.toFixed(perInput < 10 ? 2 : 0).padStart(8)} ms/input`,
    `floor ${(m.ms / m.floorMs).toFixed(2).padStart(6)}x`,
    `RSS ${m.maxRssMb.toFixed(0).padStart(5)} MB`,
  ];
  if (m.files > 1) cells.push(`max ${m.maxFileMs?.toFixed(1)} ms, ${m.over200} over 200 ms`);
  return cells.join('  ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], Number(args[2] ?? 3), (args[3] ?? 'analyze') as Mode);
  const writeAt = args.indexOf('--write');
  if (writeAt >= 0) {
    const out = args[writeAt + 1];
    if (!out) throw new Error('--write needs a directory');
    const shapes = taskShapes();
    for (const n of [1000, 10000, 50000]) writeFileSync(join(out, `fe-${n}.txt`), foreachBt(n, shapes));
    console.log(`wrote fe-1000.txt, fe-10000.txt, fe-50000.txt to ${out}`);
    return;
  }
  const quick = args.includes('--quick');
  const parseOnly = args.includes('--parse');
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-bench-'));
  try {
    const shapes = taskShapes();
    const engine = await loadEngine(parseOnly ? 'parse' : 'analyze');
    console.log(`engine: ${engine.name}; ${shapes.length} task shapes from the seed traces; node ${process.version}`);
    const inputs: Array<{ label: string; path: string; repeat: number; mode?: Mode }> = [];
    for (const n of quick ? [1000, 10000] : [1000, 10000, 50000]) {
      const p = join(dir, `foreach-bt-${n}.txt`);
      writeFileSync(p, foreachBt(n, shapes));
      inputs.push({ label: `foreach bt, ${n} tasks`, path: p, repeat: n >= 50000 ? 2 : 3 });
      // the parser's share of the target input, in the same run
      if (n === 10000 && !parseOnly) {
        inputs.push({ label: `  parse() alone, ${n} tasks`, path: p, repeat: 3, mode: 'parse' });
        inputs.push({ label: `  frame objects only (lower bound)`, path: p, repeat: 3, mode: 'frames' });
        inputs.push({ label: `  + every character once (bound)`, path: p, repeat: 3, mode: 'chars' });
      }
    }
    if (!quick) {
      // a 64 MiB paste (the default size limit): distinct tasks up to the limit, the last one cut
      const p = join(dir, 'foreach-bt-64mib.txt');
      writeFileSync(p, foreachBt(46000, shapes).slice(0, 64 * 1024 * 1024));
      inputs.push({ label: 'foreach bt, 64 MiB', path: p, repeat: 1 });
    }
    const seedDir = `${SEEDS_PLAIN}/`;
    inputs.push({ label: 'seed pastes (each ≤ 64 KB)', path: seedDir, repeat: 5 });
    if (existsSync(CORPUS)) inputs.push({ label: 'syzkaller corpus (747 reports)', path: `${CORPUS}/`, repeat: 2 });
    for (const input of inputs) {
      const m = runChild(input.path, input.repeat, input.mode ?? (parseOnly ? 'parse' : 'analyze'));
      console.log(typeof m === 'string' ? `${input.label.padEnd(34)}  ${m}` : row(input.label, m));
    }
    console.log('targets: ≤ 4x floor on 10k tasks; a paste ≤ 64 KB under 20 ms; 64 MiB under 1024 MB RSS; no corpus report over 200 ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
