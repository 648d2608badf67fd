// syzkaller titles of lockdep reports: "possible deadlock in FUNC" (circular, recursive, irq
// inversion, X-safe -> X-unsafe) and "inconsistent lock state in FUNC", each from the part of the
// report syzkaller reads for it (the "at:" lines, the dependency chain or the Call Trace).

import { AT_RE, CALL_TRACE, first, headerFrom, lineWith, pick, rawAt, type SyzTitle } from './syz-walk.ts';

export function lockdepTitle(text: readonly string[], head: string): SyzTitle {
  const marker = head.includes('WARNING:') ? 'WARNING:' : head.includes('INFO:') ? 'INFO:' : 'BUG:';
  const fallback: SyzTitle = { title: headerFrom(head, marker), frame: null };
  const old = marker === 'INFO:';
  const named = (prefix: string, fn: string | null): SyzTitle => (fn ? { title: prefix + fn, frame: fn } : fallback);
  if (head.includes('circular locking dependency')) {
    const k = lineWith(text, 'is trying to acquire lock');
    if (k < 0) return fallback;
    if (old) return named('possible deadlock in ', rawAt(text, k, true));
    // the lock being taken, the lock held, then the dependency chain's frames; workqueue
    // helpers take pseudo-locks of work items and never name the culprit
    const fn = pick(text, [AT_RE, AT_RE, 'stack'], ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'], first);
    return { title: `possible deadlock in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  if (head.includes('irq lock inversion')) {
    const k = lineWith(text, 'just changed the state of lock');
    return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, old));
  }
  if (/-safe -> \w{0,12}-unsafe lock order/.test(head)) {
    if (old) {
      const k = lineWith(text, 'is trying to acquire');
      return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, true));
    }
    const fn = pick(text, [/which became .* at:/, 'stack'], [], first);
    return { title: `possible deadlock in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  if (head.includes('recursive locking')) {
    const k = lineWith(text, 'is trying to acquire lock');
    return k < 0 ? fallback : named('possible deadlock in ', rawAt(text, k, old));
  }
  if (head.includes('inconsistent lock state')) {
    const k = lineWith(text, 'takes');
    if (k < 0 || rawAt(text, k, old) === null) return fallback;
    if (old) return named('inconsistent lock state in ', rawAt(text, k, true));
    const fn = pick(text, [CALL_TRACE, 'stack'], [], first);
    return { title: `inconsistent lock state in ${fn}`, frame: fn === 'corrupted' ? null : fn };
  }
  return fallback;
}

