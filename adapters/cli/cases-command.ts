// `lockdown cases check DIR...`: validates user case files. Each problem is one line, file + JSON
// path + what to fix; exit 1 when there is any, 0 when every file is clean. `lockdown cases list`
// prints the built-in cases (and those of --case-dir DIRs).

import { existsSync } from 'node:fs';
import { BUILTIN_CASES } from '../../analyzers/cases/builtin/index.ts';
import { formatCaseProblem, loadCaseDirs } from '../../config/load-cases.ts';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

const USAGE = 'usage: lockdown cases check DIR...\n       lockdown cases list [--case-dir DIR]...\n';

export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    if (rest.length === 0 || rest.some((a) => a.startsWith('-'))) {
      io.stderr.write(`lockdown cases check: give one or more directories\n${USAGE}`);
      return EXIT_USAGE;
    }
    const missing = rest.filter((d) => !existsSync(d));
    if (missing.length) {
      io.stderr.write(`lockdown cases check: no such directory: ${missing.join(', ')}\n`);
      return EXIT_USAGE;
    }
    const { cases, problems } = loadCaseDirs(rest);
    for (const p of problems) io.stdout.write(`${formatCaseProblem(p)}\n`);
    const files = new Set(problems.map((p) => p.file)).size;
    io.stdout.write(problems.length
      ? `${problems.length} problem(s) in ${files} file(s); ${cases.length} valid case(s)\n`
      : `${cases.length} case(s) valid\n`);
    return problems.length ? EXIT_INPUT : EXIT_OK;
  }
  if (sub === 'list') {
    const dirs: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--case-dir' && rest[i + 1]) dirs.push(rest[++i]!);
      else {
        io.stderr.write(`lockdown cases list: unknown argument '${rest[i]}'\n${USAGE}`);
        return EXIT_USAGE;
      }
    }
    const user = dirs.length ? loadCaseDirs(dirs) : { cases: [], problems: [] };
    for (const c of [...BUILTIN_CASES, ...user.cases]) io.stdout.write(`${c.id}\t${c.origin ?? 'user'}\t${c.title}\n`);
    for (const p of user.problems) io.stderr.write(`${formatCaseProblem(p)}\n`);
    return EXIT_OK;
  }
  io.stderr.write(sub ? `lockdown cases: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
  return EXIT_USAGE;
}
