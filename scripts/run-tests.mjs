#!/usr/bin/env node
// Runs every *.test.ts under analyzers/, bot/, adapters/, config/ and test/ with node's own test
// runner (TypeScript through tsx). Node 20's `--test` does not expand globs, so we list the files.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters the file list)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['analyzers', 'bot', 'adapters', 'config', 'test'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(relative(root, p));
  }
}
for (const r of roots) {
  try { walk(join(root, r)); } catch { /* folder may not exist yet */ }
}
const filters = process.argv.slice(2);
const chosen = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (chosen.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...chosen], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LOCKDOWN_TEST: '1' },
});
process.exit(r.status ?? 1);
