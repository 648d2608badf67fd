// Test-only helpers: read a plugin fixture or a seed, and pick findings of one analyzer. Kept under
// test/, not analyzers/: the engine does no I/O (architecture.md), and this file reads files.

import { readFileSync } from 'node:fs';
import type { Analysis, Finding } from '../../analyzers/contract.ts';

export const SEED_DIR = new URL('../../../shared/seeds/', import.meta.url);
export const PLAIN_DIR = new URL('../fixtures/seeds-plain/', import.meta.url);

export function readFixture(base: string | URL, name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, base), 'utf8');
}

export function readSeed(name: string): string {
  return readFileSync(new URL(name, SEED_DIR), 'utf8');
}

export function readPlain(prefix: string): string {
  const names: Record<string, string> = {
    '000': '000-rmmod-flush-workqueue-ww-mutex.txt',
    '001': '001-bfq-spin-lock-irq-reentry.txt',
    '002': '002-timer-after-module-unload.txt',
    '003': '003-mmap-sem-rwsem-writer-cycle.txt',
    '004': '004-mpt2sas-ticket-spinlock.txt',
  };
  return readFileSync(new URL(names[prefix]!, PLAIN_DIR), 'utf8');
}

export function findingOf(a: Analysis, pattern: string): Finding | undefined {
  return a.findings.find((f) => f.pattern === pattern);
}
