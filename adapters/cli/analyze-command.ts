// `lockdown analyze [FILE|-] [--json] [--case-dir DIR]...` and `lockdown analyze --jsonl FILE...`
// (analysis-contract.md). Exit 0 when the input was read and analysed (also "not a kernel trace"),
// 1 when it is unreadable or over the size limit (one line on stderr, nothing on stdout), 2 for a
// usage error. Output is built completely before it is written, so nothing is half-printed.

import { existsSync } from 'node:fs';
import type { Analysis } from '../../analyzers/contract.ts';
import { asLockdownError, isLockdownError, LockdownError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load-config.ts';
import { formatCaseProblem, loadCaseDirs } from '../../config/load-cases.ts';
import { analysisText } from './analysis-text.ts';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';
import { readInput } from './read-input.ts';

export type AnalyzeFn = (text: string, opts?: Record<string, unknown>) => Analysis;

const USAGE = 'usage: lockdown analyze [FILE|-] [--json] [--case-dir DIR]...\n       lockdown analyze --jsonl FILE... [--case-dir DIR]...\n';
const DEFAULT_LIMIT = 64 * 1024 * 1024;
const ENGINE = new URL('../../analyzers/analyze.ts', import.meta.url).href;

interface Options {
  files: string[];
  json: boolean;
  jsonl: boolean;
  caseDirs: string[];
}

function parseArgs(args: string[]): Options | string {
  const o: Options = { files: [], json: false, jsonl: false, caseDirs: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') o.json = true;
    else if (a === '--jsonl') o.jsonl = true;
    else if (a === '--case-dir' || a.startsWith('--case-dir=')) {
      const dir = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!dir) return 'lockdown analyze: --case-dir needs a directory';
      o.caseDirs.push(dir);
    } else if (a === '-' || !a.startsWith('-')) o.files.push(a);
    else return `lockdown analyze: unknown option '${a}'`;
  }
  if (o.jsonl && o.json) return 'lockdown analyze: --json and --jsonl are exclusive';
  if (o.jsonl && o.files.length === 0) return 'lockdown analyze: --jsonl needs at least one FILE';
  if (!o.jsonl && o.files.length > 1) return 'lockdown analyze: one FILE at a time (use --jsonl for several)';
  return o;
}

/** `deps` lets tests pass an engine; by default analyzers/analyze.ts is loaded. */
export async function run(args: string[], io: CliIo, deps: { analyze?: AnalyzeFn } = {}): Promise<number> {
  const o = parseArgs(args);
  if (typeof o === 'string') {
    io.stderr.write(`${o}\n${USAGE}`);
    return EXIT_USAGE;
  }
  // `lockdown analyze --jsonl *.txt | head` closes the pipe early: that is not an error of ours
  io.stdout.on?.('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') io.stderr.write(`lockdown analyze: cannot write the output (${e.code ?? e.message})\n`);
  });
  try {
    const limit = sizeLimit(io);
    const analyze = deps.analyze ?? (await loadEngine());
    const opts = o.caseDirs.length > 0 ? { cases: loadCases(o.caseDirs, io) } : {};
    if (o.jsonl) return await runJsonl(o.files, io, analyze, opts, limit);
    const name = o.files[0] ?? '-';
    const text = await readInput(name, io.stdin, limit);
    const a = analyze(text, opts);
    io.stdout.write(o.json ? `${JSON.stringify(a)}\n` : analysisText(a, name === '-' ? undefined : name));
    return EXIT_OK;
  } catch (e) {
    const err = asLockdownError(e);
    io.stderr.write(`lockdown analyze: ${err.code === 'LD_INTERNAL' ? err.userMessage : err.message}\n`);
    return err.code === 'LD_USAGE' ? EXIT_USAGE : EXIT_INPUT;
  }
}

/** One JSON document per line per file, in order; an unreadable file gets an error line and exit 1. */
async function runJsonl(files: string[], io: CliIo, analyze: AnalyzeFn, opts: Record<string, unknown>, limit: number): Promise<number> {
  let code = EXIT_OK;
  for (const file of files) {
    let line: string;
    try {
      const a = analyze(await readInput(file, io.stdin, limit), opts);
      line = JSON.stringify({ ...a, file });
    } catch (e) {
      const err = asLockdownError(e);
      io.stderr.write(`lockdown analyze: ${err.message}\n`);
      line = JSON.stringify({ file, error: { code: err.code, message: err.message } });
      code = EXIT_INPUT;
    }
    await write(io.stdout, `${line}\n`);
  }
  return code;
}

function write(stream: NodeJS.WritableStream, s: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(s)) resolve();
    else stream.once('drain', () => resolve());
  });
}

function sizeLimit(io: CliIo): number {
  try {
    return loadConfig(io.env).limits.analyzeBytes ?? DEFAULT_LIMIT;
  } catch (e) {
    if (isLockdownError(e)) throw new LockdownError('LD_USAGE', `configuration: ${e.message.split('\n')[0]}`);
    throw e;
  }
}

async function loadEngine(): Promise<AnalyzeFn> {
  const mod = (await import(ENGINE)) as { analyze?: AnalyzeFn };
  if (typeof mod.analyze !== 'function') throw new LockdownError('LD_INTERNAL', 'analyzers/analyze.ts exports no analyze()');
  return mod.analyze;
}

/** Case files of --case-dir, through config/load-cases.ts: each bad file is one line (file: JSON path: what to fix), the rest are used. */
function loadCases(dirs: string[], io: CliIo): unknown[] {
  for (const d of dirs) if (!existsSync(d)) throw new LockdownError('LD_USAGE', `--case-dir ${d}: no such directory`);
  const { cases, problems } = loadCaseDirs(dirs);
  for (const p of problems) io.stderr.write(`lockdown analyze: case file skipped: ${formatCaseProblem(p)}\n`);
  return cases;
}
