// Small shared helpers for rendering: family labels, dates, truncation. Kept pure.

import type { Family } from '../../analyzers/contract.ts';
import type { Incident } from '../types.ts';

const FAMILY_LABELS: Record<Family, string> = {
  hung_task: 'Hung task',
  soft_lockup: 'Soft lockup',
  hard_lockup: 'Hard lockup',
  rcu_stall: 'RCU stall',
  lockdep_circular: 'Lockdep: circular dependency',
  lockdep_recursive: 'Lockdep: recursive locking',
  lockdep_irq_inconsistent: 'Lockdep: inconsistent IRQ state',
  spinlock_recursion_or_lockup: 'Spinlock recursion / lockup',
  workqueue_lockup: 'Workqueue lockup',
  atomic_sleep: 'Sleeping in atomic context',
  stuck_tasks: 'Stuck tasks',
  oops: 'Oops (not a hang)',
  not_kernel: 'Not a kernel trace',
};

export function familyLabel(family: string): string {
  return (FAMILY_LABELS as Record<string, string>)[family] ?? family;
}

/** "2026-11-02" from an ISO time (dates in chat are UTC days: unambiguous across teams). */
export function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '?';
}

/** "2026-11-02 09:14 UTC". */
export function minute(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '?';
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

export function channelRef(name: string | null, id: string | null): string {
  if (name) return name.startsWith('#') ? name : `#${name}`;
  return id ? `#${id}` : 'an unknown channel';
}

export function statusLabel(i: Pick<Incident, 'status' | 'duplicateOf' | 'mutedUntil'>): string {
  if (i.status === 'duplicate' && i.duplicateOf) return `duplicate of ${i.duplicateOf}`;
  if (i.status === 'muted' && i.mutedUntil) return `muted until ${day(i.mutedUntil)}`;
  return i.status;
}

/** Whole days between two ISO times (age of an incident in a digest). */
export function ageDays(fromIso: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 86_400_000));
}
