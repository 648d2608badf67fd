// The five documented cases, parsed from the plain-paste fixtures (in the repo) and, when the shared
// seed documents are present, from the blog pages as they were really pasted (bullets, "?" for
// spaces, gutters, "-" lines, prose between blocks).

import { test } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../../analyzers/parse/parse.ts';
import { checkSeed000, checkSeed001, checkSeed002, checkSeed003, checkSeed004 } from './seed-checks.ts';

const plain = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/seeds-plain/${name}`, import.meta.url)), 'utf8');
const SEEDS_DIR = '/work/shared/seeds';

const cases = [
  { plain: '000-rmmod-flush-workqueue-ww-mutex.txt', raw: '000_f2b6f952a013b8da.txt', check: checkSeed000 },
  { plain: '001-bfq-spin-lock-irq-reentry.txt', raw: '001_92ad9bb8df84726d.txt', check: checkSeed001 },
  { plain: '002-timer-after-module-unload.txt', raw: '002_f5b2a25c39dda0a7.txt', check: checkSeed002 },
  { plain: '003-mmap-sem-rwsem-writer-cycle.txt', raw: '003_8e2fec0ccb6e1cbe.txt', check: checkSeed003 },
  { plain: '004-mpt2sas-ticket-spinlock.txt', raw: '004_789fb14b6ba577d5.txt', check: checkSeed004 },
];

for (const c of cases) {
  test(`plain paste ${c.plain}`, () => c.check(parse(plain(c.plain))));
  const rawPath = `${SEEDS_DIR}/${c.raw}`;
  test(`seed document ${c.raw} as pasted`, { skip: existsSync(rawPath) ? false : 'shared seeds not present' }, () => c.check(parse(readFileSync(rawPath, 'utf8'))));
}
