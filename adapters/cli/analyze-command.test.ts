// `lockdown analyze` in-process: exit codes, size limit, stdin, --jsonl order, usage errors, and the
// human report. The CLI plumbing tests use a recording engine double (the command only reads, calls
// analyze() and prints); the end-to-end tests at the bottom use the real engine on the seed pastes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '../../test/helpers/capture-io.ts';
import { fileURLToPath } from 'node:url';
import type { Analysis } from '../../analyzers/contract.ts';
import { run, type AnalyzeFn } from './analyze-command.ts';

function io(stdinText?: string, env: NodeJS.ProcessEnv = {}) {
  const c = captureIo({ LOCKDOWN_CONFIG: '', ...env }, stdinText);
  return { io: c.io, stdout: { get data() { return c.out(); } }, stderr: { get data() { return c.err(); } } };
}

const dir = mkdtempSync(join(tmpdir(), 'lockdown-cli-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Engine double: records what it was given and answers with a minimal, contract-shaped document. */
function recorder() {
  const calls: Array<{ text: string; opts?: Record<string, unknown> }> = [];
  const analyze: AnalyzeFn = (text, opts) => {
    calls.push({ text, opts });
    const doc: Analysis = { schemaVersion: 1, family: text.includes('PID:') ? 'stuck_tasks' : 'not_kernel', title: `len ${text.length}`, signature: 'abc', formats: [], keyFrames: [], tasks: [], findings: [] };
    return doc;
  };
  return { analyze, calls };
}

test('analyses a file to JSON, exit 0', async () => {
  const r = recorder();
  const t = io();
  const code = await run([file('a.txt', 'PID: 1 TASK: ffff CPU: 0 COMMAND: "x"\n'), '--json'], t.io, r);
  assert.equal(code, 0);
  assert.equal(JSON.parse(t.stdout.data).family, 'stuck_tasks');
  assert.equal(r.calls[0].text, 'PID: 1 TASK: ffff CPU: 0 COMMAND: "x"\n');
  assert.equal(t.stderr.data, '');
});

test('reads standard input for "-" and when no FILE is given', async () => {
  for (const args of [['-', '--json'], ['--json']]) {
    const r = recorder();
    const t = io('hello from stdin');
    assert.equal(await run(args, t.io, r), 0);
    assert.equal(r.calls[0].text, 'hello from stdin');
    assert.equal(JSON.parse(t.stdout.data).family, 'not_kernel', 'not a kernel trace is still exit 0');
  }
});

test('an unreadable file: one line on stderr, nothing on stdout, exit 1', async () => {
  for (const p of [join(dir, 'missing.txt'), dir]) {
    const t = io();
    assert.equal(await run([p, '--json'], t.io, recorder()), 1);
    assert.equal(t.stdout.data, '');
    assert.equal(t.stderr.data.trim().split('\n').length, 1);
    assert.match(t.stderr.data, /cannot read|is a directory/);
    assert.doesNotMatch(t.stderr.data, /\n\s+at /, 'no stack trace');
  }
});

test('over the size limit (file and stdin): clear error, exit 1, the engine is never called', async () => {
  const cfg = file('small-limit.json', JSON.stringify({ limits: { analyzeBytes: 1024 } }));
  const big = file('big.txt', 'x'.repeat(2048));
  for (const [args, stdin] of [[[big, '--json'], undefined], [['-', '--json'], 'y'.repeat(5000)]] as const) {
    const r = recorder();
    const t = io(stdin, { LOCKDOWN_CONFIG: cfg });
    assert.equal(await run([...args], t.io, r), 1);
    assert.equal(r.calls.length, 0);
    assert.equal(t.stdout.data, '');
    assert.match(t.stderr.data, /over the 1024-byte limit/);
  }
});

test('--jsonl: one document per line per file, in order, with an error line for an unreadable one', async () => {
  const a = file('1.txt', 'PID: 1');
  const b = file('2.txt', 'prose');
  const r = recorder();
  const t = io();
  const code = await run(['--jsonl', a, join(dir, 'nope.txt'), b], t.io, r);
  assert.equal(code, 1);
  const lines = t.stdout.data.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.file, l.family ?? l.error.code]), [[a, 'stuck_tasks'], [join(dir, 'nope.txt'), 'LD_INPUT_UNREADABLE'], [b, 'not_kernel']]);
});

test('usage errors exit 2', async () => {
  for (const args of [['--frobnicate'], ['--jsonl'], ['a', 'b'], ['--json', '--jsonl', 'a'], ['--case-dir']]) {
    const t = io();
    assert.equal(await run(args, t.io, recorder()), 2, args.join(' '));
    assert.match(t.stderr.data, /usage: lockdown analyze/);
  }
  const t = io('x');
  assert.equal(await run(['--case-dir', join(dir, 'no-such-dir')], t.io, recorder()), 2);
});

test('--case-dir case files reach analyze() as loaded data', async () => {
  const cases = join(dir, 'cases');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cases, { recursive: true });
  const builtin = fileURLToPath(new URL('../../analyzers/cases/builtin/', import.meta.url));
  const valid = existsSync(builtin) ? readdirSync(builtin).find((f) => f.endsWith('.json')) : undefined;
  const good = valid ? JSON.parse(readFileSync(join(builtin, valid), 'utf8')) : { id: 'my-case', title: 'ours' };
  writeFileSync(join(cases, 'good.json'), JSON.stringify({ ...good, id: 'my-own-case' }));
  writeFileSync(join(cases, 'broken.json'), '{ not json');
  const r = recorder();
  const t = io('text');
  assert.equal(await run(['--case-dir', cases, '--json'], t.io, r), 0);
  const got = r.calls[0].opts?.cases as Array<{ id: string }>;
  assert.ok(Array.isArray(got) && got.some((c) => c.id === 'my-own-case'));
  assert.ok(!got.some((c) => c === undefined));
  assert.match(t.stderr.data, /broken\.json/, 'a bad case file is named on stderr');
});

test('--case-dir problems are one line each: file, JSON path, what to fix (formatCaseProblem)', async () => {
  const cases = join(dir, 'cases-problems');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cases, { recursive: true });
  writeFileSync(join(cases, 'a-syntax.json'), '{\n  "id": \n}');
  writeFileSync(join(cases, 'b-shape.json'), JSON.stringify({ id: 'no-title-case' }));
  const t = io('text');
  assert.equal(await run(['--case-dir', cases, '--json'], t.io, recorder()), 0);
  const lines = t.stderr.data.trim().split('\n');
  assert.ok(lines.length >= 2, t.stderr.data);
  for (const l of lines) {
    // no JSON object dumped into the message: "<file>: <$.path>: <message>"
    assert.doesNotMatch(l, /\{"file"/);
    assert.match(l, /^lockdown analyze: case file skipped: \/\S+\.json: \$\S*: \S/);
  }
  assert.ok(lines.some((l) => l.includes(`${join(cases, 'a-syntax.json')}: $: not valid JSON`)), t.stderr.data);
  assert.ok(lines.some((l) => l.includes(join(cases, 'b-shape.json'))), t.stderr.data);
});

test('the human report shows family, title, chain, lock, checklist and next steps', async () => {
  const analyze: AnalyzeFn = () => ({
    schemaVersion: 1,
    family: 'hung_task',
    title: 'INFO: task hung in flush_workqueue',
    signature: '9f2c0000',
    formats: ['proc-stack', 'ps'],
    keyFrames: ['flush_workqueue'],
    tasks: [{ pid: 31969, comm: 'rmmod', state: 'D', cpu: null, task: null, frames: ['flush_workqueue'] }],
    findings: [
      {
        pattern: 'mutex-self-deadlock',
        caseId: 'gpu-ww-mutex-rmmod-flush',
        confidence: 0.95,
        headline: 'kworker/1:2 (4790) waits for a mutex it already owns',
        blockingChain: [{ task: 'rmmod:31969', waitsOn: 'workqueue flush', primitive: 'flush_workqueue', lock: null, heldBy: 'kworker/1:2:4790' }],
        cycle: true,
        suspectLock: { primitive: 'mutex', address: 'ffff880035acf1e0', name: null, holder: 'kworker/1:2:4790', evidence: 'owner == waiter' },
        keyFrames: ['ttm_eu_reserve_buffers'],
        checklist: ['Compare the mutex owner with the waiting task'],
        nextSteps: ['crash> struct mutex ffff880035acf1e0'],
        references: [],
      },
    ],
  });
  const t = io('x');
  assert.equal(await run([], t.io, { analyze }), 0);
  for (const s of ['hung_task', 'INFO: task hung in flush_workqueue', 'rmmod:31969 waits on workqueue flush held by kworker/1:2:4790', 'suspect lock: mutex ffff880035acf1e0', 'Compare the mutex owner', 'crash> struct mutex ffff880035acf1e0', 'deadlock']) {
    assert.ok(t.stdout.data.includes(s), `missing ${s}`);
  }
});

// ---- end to end with the real engine -------------------------------------------------------------
const engineReady = existsSync(fileURLToPath(new URL('../../analyzers/analyze.ts', import.meta.url)));
const seeds = fileURLToPath(new URL('../../test/fixtures/seeds-plain/', import.meta.url));

test('real engine: seed pastes and prose through --jsonl', { skip: !engineReady && 'analyzers/analyze.ts not there yet' }, async () => {
  const prose = file('prose.txt', 'Hello team, the build is green again. Lunch at noon?\n');
  const java = file('java.txt', 'Exception in thread "main" java.lang.NullPointerException\n\tat com.example.Main.main(Main.java:14)\n');
  const t = io();
  const files = [`${seeds}000-rmmod-flush-workqueue-ww-mutex.txt`, `${seeds}003-mmap-sem-rwsem-writer-cycle.txt`, prose, java];
  assert.equal(await run(['--jsonl', ...files], t.io), 0);
  const docs = t.stdout.data.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(docs.length, 4);
  assert.equal(docs[0].schemaVersion, 1);
  assert.ok(docs[0].tasks.some((x: { pid: number; state: string }) => x.pid === 31969 && x.state === 'D'));
  assert.ok(docs[1].tasks.some((x: { pid: number }) => x.pid === 12862));
  assert.equal(docs[2].family, 'not_kernel');
  assert.equal(docs[2].findings.length, 0);
  assert.equal(docs[3].family, 'not_kernel');
});
