// `lockdown cases check DIR` / `lockdown cases list`: exit codes and what lands on stdout/stderr.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureIo } from '../../test/helpers/capture-io.ts';
import { run } from './cases-command.ts';

const dir = (name: string) => new URL(`../../config/fixtures/${name}`, import.meta.url).pathname;

async function cli(args: string[]) {
  const c = captureIo();
  const code = await run(args, c.io);
  return { code, stdout: c.out(), stderr: c.err() };
}

describe('lockdown cases', () => {
  it('check: a clean directory exits 0', async () => {
    const r = await cli(['check', dir('cases-good')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^1 case\(s\) valid$/m);
  });

  it('check: every problem as file + JSON path + what to fix, exit 1', async () => {
    const r = await cli(['check', dir('cases-bad')]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    const has = (file: string, path: string, what: RegExp) =>
      assert.ok(lines.some((l) => l.includes(`${file}: ${path}: `) && what.test(l)), `${file} ${path} ${what}: ${r.stdout}`);
    has('typo-and-missing.json', '$.sumary', /did you mean "summary"/);
    has('typo-and-missing.json', '$.summary', /missing/);
    has('typo-and-missing.json', '$.id', /lower-case/);
    has('typo-and-missing.json', '$.checklist', /at least 1/);
    has('unknown-analyzer.json', '$.match.patterns[0]', /no analyzer has the id "mutex-self-deadlok"/);
    has('syntax.json', '$', /line 3, column \d+/);
    has('duplicate-builtin.json', '$.id', /already used by built-in case/);
    assert.match(lines.at(-1)!, /problem\(s\) in 4 file\(s\)/);
  });

  it('check: usage errors exit 2', async () => {
    assert.equal((await cli(['check'])).code, 2);
    assert.equal((await cli(['check', '/nonexistent/cases'])).code, 2);
    assert.equal((await cli(['frobnicate'])).code, 2);
  });

  it('list: built-in cases, then the valid user cases of --case-dir', async () => {
    const r = await cli(['list', '--case-dir', dir('cases-good')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^gpu-ww-mutex-rmmod-flush\tbuiltin\t/m);
    assert.match(r.stdout, /^nic-tx-timeout-rtnl\tuser\t/m);
    assert.equal(r.stdout.trim().split('\n').length, 6);
  });
});
