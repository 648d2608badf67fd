// The syzkaller Linux report corpus (../shared/corpus/syzkaller-linux-report/, 747 files with the title
// syzkaller gives each one). Every file goes through the whole engine (analyze(): parse, classify,
// every plugin, cases, signature) without an exception or an internal-error note; on the 190
// hang/lockup/stall/lock-order files the family must be right on >= 98 % and the title must equal
// syzkaller's TITLE or one of its ALT titles on >= 90 %.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../analyzers/contract.ts';
import { analyze } from '../../analyzers/analyze.ts';
import { readCorpusFile } from './corpus-driver.ts';

const DIR = new URL('../../../shared/corpus/syzkaller-linux-report/', import.meta.url).pathname;
const HANG_TITLE = /(hung|lockup|deadlock|stall|can.t die|circular locking|recursive locking|inconsistent lock state|spinlock recursion|lock inversion)/;

/**
 * The family a TITLE stands for. syzkaller names every lockdep ordering report "possible deadlock",
 * so for those the kernel's own banner in the log decides: recursive locking → lockdep_recursive,
 * irq lock inversion / "X-safe -> X-unsafe" → lockdep_irq_inconsistent, otherwise circular.
 */
function expectedFamily(title: string, log: string): Family | null {
  if (/^INFO: task (hung|can't die)|^kernel panic: hung_task/.test(title)) return 'hung_task';
  if (title.startsWith('INFO: rcu detected stall')) return 'rcu_stall';
  if (title.startsWith('BUG: soft lockup')) return 'soft_lockup';
  if (title.startsWith('inconsistent lock state')) return 'lockdep_irq_inconsistent';
  if (title.startsWith('BUG: spinlock')) return 'spinlock_recursion_or_lockup';
  if (title.startsWith('BUG: workqueue lockup')) return 'workqueue_lockup';
  if (title.startsWith('possible deadlock') || title.includes('circular locking dependency')) {
    const banners: Array<[string, Family]> = [
      ['possible circular locking dependency', 'lockdep_circular'],
      ['possible recursive locking detected', 'lockdep_recursive'],
      ['possible irq lock inversion dependency', 'lockdep_irq_inconsistent'],
      ['-unsafe lock order detected', 'lockdep_irq_inconsistent'],
    ];
    let best: [number, Family] = [Infinity, 'lockdep_circular'];
    for (const [b, f] of banners) {
      const k = log.indexOf(b);
      if (k >= 0 && k < best[0]) best = [k, f];
    }
    return best[1];
  }
  return null;
}

test('syzkaller corpus: every report analysed; hang family >= 98 %, title >= 90 %; all titled reports: title >= 95 %', { skip: !existsSync(DIR) }, () => {
  const names = readdirSync(DIR).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  assert.ok(names.length >= 700, `corpus has ${names.length} files`);
  let hang = 0;
  let famOk = 0;
  let titleOk = 0;
  const famMiss: string[] = [];
  const titleMiss: string[] = [];
  const errors: string[] = [];
  let titled = 0;
  let anyTitleOk = 0;
  for (const name of names) {
    const f = readCorpusFile(join(DIR, name), name);
    let family: Family;
    let title: string;
    try {
      const a = analyze(f.log);
      ({ family, title } = a);
      // analyze() never throws: its own failures (a recognizer, a plugin, the graph) become notes
      const failures = (a.notes ?? []).filter((n) => /internal error|failed/.test(n));
      if (failures.length) throw new Error(failures.join('; '));
      assert.match(a.signature, /^[0-9a-f]{32}$/);
    } catch (err) {
      errors.push(`${name}: ${(err as Error).stack ?? err}`);
      continue;
    }
    if (f.title) {
      titled++;
      if (title === f.title || f.alts.includes(title)) anyTitleOk++;
    }
    if (!f.title || !HANG_TITLE.test(f.title)) continue;
    hang++;
    const want = expectedFamily(f.title, f.log);
    if (want === family) famOk++;
    else famMiss.push(`${name}: family ${family}, want ${want} (${f.title})`);
    if (title === f.title || f.alts.includes(title)) titleOk++;
    else titleMiss.push(`${name}: "${title}" want "${f.title}"`);
  }
  const famPct = (100 * famOk) / hang;
  const titlePct = (100 * titleOk) / hang;
  const allTitlePct = (100 * anyTitleOk) / titled;
  console.log(`syzkaller corpus: ${names.length} files, ${errors.length} errors; ${hang} hang reports: ` +
    `family ${famPct.toFixed(1)} % (${famOk}/${hang}), title ${titlePct.toFixed(1)} % (${titleOk}/${hang}); ` +
    `all titled reports: title ${allTitlePct.toFixed(1)} % (${anyTitleOk}/${titled})`);
  if (famMiss.length) console.log(`family misses:\n  ${famMiss.join('\n  ')}`);
  if (titleMiss.length) console.log(`title misses:\n  ${titleMiss.join('\n  ')}`);
  assert.deepEqual(errors, []);
  assert.equal(hang, 190);
  assert.ok(famPct >= 98, `family ${famPct.toFixed(1)} % < 98 %`);
  assert.ok(titlePct >= 90, `title ${titlePct.toFixed(1)} % < 90 %`);
  // the other report kinds (KASAN, GPF, WARNING, panics...) are titled by the same rules: kept from sliding back
  assert.ok(allTitlePct >= 95, `all titled reports: title ${allTitlePct.toFixed(1)} % < 95 %`);
});
