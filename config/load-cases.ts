// User case files (`cases.dirs` in the config, `--case-dir` on the command line): every *.json in
// each directory, parsed and validated against the case schema. Reading files happens here, outside
// analyzers/; analyze() receives the valid cases as data. A bad file never stops the others: it
// becomes a problem with the file, the JSON path and what to fix.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validateCase, type CaseDef } from '../analyzers/cases/schema.ts';
import { BUILTIN_CASES } from '../analyzers/cases/builtin/index.ts';
import { getDefaultRegistry } from '../analyzers/plugins/registry.ts';

export interface CaseFileProblem {
  file: string;
  /** JSON path inside the file (`$.match.patterns[0]`), or `$` for the whole file. */
  path: string;
  message: string;
}

export interface LoadedCases {
  cases: CaseDef[];
  problems: CaseFileProblem[];
}

const MAX_FILE_BYTES = 1024 * 1024;

/** Line and column of a JSON.parse error position, never the text itself. */
function syntaxWhere(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return 'not valid JSON';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `not valid JSON (syntax error at line ${line}, column ${col})`;
}

export function loadCaseDirs(dirs: readonly string[]): LoadedCases {
  const cases: CaseDef[] = [];
  const problems: CaseFileProblem[] = [];
  const known = new Set(getDefaultRegistry().plugins.map((p) => p.id));
  const ids = new Map<string, string>(BUILTIN_CASES.map((c) => [c.id, 'built-in case']));
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    } catch (e) {
      problems.push({ file: dir, path: '$', message: `cannot read the directory (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      let text: string;
      try {
        if (statSync(file).size > MAX_FILE_BYTES) {
          problems.push({ file, path: '$', message: 'larger than 1 MiB: a case file is a small JSON document' });
          continue;
        }
        text = readFileSync(file, 'utf8');
      } catch (e) {
        problems.push({ file, path: '$', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
        continue;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        problems.push({ file, path: '$', message: syntaxWhere(text, e) });
        continue;
      }
      const found = validateCase(obj, known);
      if (found.length) {
        for (const p of found) problems.push({ file, path: p.path, message: p.message });
        continue;
      }
      const c = obj as CaseDef;
      const dup = ids.get(c.id);
      if (dup) {
        problems.push({ file, path: '$.id', message: `id "${c.id}" is already used by ${dup}: pick another id` });
        continue;
      }
      ids.set(c.id, file);
      cases.push({ ...c, origin: 'user' });
    }
  }
  return { cases, problems };
}

export function formatCaseProblem(p: CaseFileProblem): string {
  return `${p.file}: ${p.path}: ${p.message}`;
}
