import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCaseDirs, formatCaseProblem } from './load-cases.ts';

const dir = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

test('valid files load as user cases; invalid ones become problems and never stop the others', () => {
  const { cases, problems } = loadCaseDirs([dir('cases-good'), dir('cases-bad')]);
  assert.deepEqual(cases.map((c) => [c.id, c.origin]), [['nic-tx-timeout-rtnl', 'user']]);
  const files = new Set(problems.map((p) => p.file.split('/').pop()));
  assert.deepEqual([...files].sort(), ['duplicate-builtin.json', 'syntax.json', 'typo-and-missing.json', 'unknown-analyzer.json']);
  assert.ok(problems.every((p) => p.path.startsWith('$')));
});

test('a missing directory is a problem, not an exception; a problem line never quotes the file text', () => {
  const { cases, problems } = loadCaseDirs(['/nonexistent/cases']);
  assert.equal(cases.length, 0);
  assert.match(formatCaseProblem(problems[0]!), /^\/nonexistent\/cases: \$: cannot read the directory/);
  const syntax = loadCaseDirs([dir('cases-bad')]).problems.find((p) => p.file.endsWith('syntax.json'))!;
  assert.doesNotMatch(syntax.message, /"title"/);
});

test('the same id twice across user directories: the second is reported', () => {
  const { cases, problems } = loadCaseDirs([dir('cases-good'), dir('cases-good')]);
  assert.equal(cases.length, 1);
  assert.match(problems[0]!.message, /already used by .*nic-tx-timeout-rtnl\.json/);
});
