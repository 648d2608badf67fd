// The dedup key of a hang: the same hang on another machine (other addresses, pids, timestamps,
// offsets, build) hashes the same; a different hang does not. Inputs: family, the title with numbers
// erased, the key frames and the top meaningful frames of the key stacks (names only, compiler
// suffixes dropped) and the lockdep class names (without the "#N" instance counters).

import { createHash } from 'node:crypto';
import type { Family } from '../contract.ts';
import type { Task, TraceModel } from '../model/trace-model.ts';
import { baseName, taskFrames } from './frames.ts';
import { primaryReport } from './family.ts';

const TOP = 6;
// Frames every blocked or interrupted stack shares; they say nothing about which hang this is.
const GENERIC = new Set([
  '__schedule', 'schedule', 'schedule_timeout', 'schedule_preempt_disabled', '__switch_to', 'context_switch',
  '__switch_to_asm', 'ret_from_fork', 'ret_from_fork_asm', 'kthread', 'entry_SYSCALL_64_after_hwframe',
  'do_syscall_64', 'io_schedule', 'io_schedule_timeout', 'worker_thread', 'process_one_work',
]);

function normalText(s: string): string {
  return s.replace(/0x[0-9a-f]+/gi, 'X').replace(/\b[0-9a-f]{8,16}\b/gi, 'X').replace(/\d+/g, 'N');
}

function lockName(n: string): string {
  return n.replace(/#\d+/g, '').replace(/\/\d+/g, '');
}

function topFrames(t: Task): string[] {
  const out: string[] = [];
  for (const f of taskFrames(t)) {
    const b = baseName(f);
    if (GENERIC.has(b) || out.includes(b)) continue;
    out.push(b);
    if (out.length >= TOP) break;
  }
  return out;
}

export function signature(model: TraceModel, family: Family, title: string, keyFrames: readonly string[]): string {
  const parts: string[] = [`family=${family}`, `title=${normalText(title)}`];
  parts.push(`key=${keyFrames.map(baseName).join(',')}`);
  const r = primaryReport(model);
  let keyTasks: Task[] = [];
  if (r) {
    // only a report's task keys are looked up: no index of a 10k-task foreach bt without one
    const byKey = new Map<string, Task>();
    for (const t of model.tasks) byKey.set(t.key, t);
    const main = r.taskKeys.map((k) => byKey.get(k)).find((t) => t && t.stack.length > 0);
    if (main) keyTasks = [main];
    const ld = r.lockdep;
    if (ld) {
      const locks = [ld.acquiring?.name, ...ld.held.map((l) => l.name), ...ld.chain.map((c) => c.lock.name)]
        .filter((x): x is string => !!x).map(lockName);
      parts.push(`locks=${[...new Set(locks)].sort().join(',')}`);
    }
  } else {
    keyTasks = model.tasks.filter((t) => t.state === 'D' && t.stack.length > 0);
    if (keyTasks.length === 0) {
      const first = model.tasks.find((t) => t.stack.length > 0);
      if (first) keyTasks = [first];
    }
  }
  // several blocked tasks: the set of their stacks, independent of order and count of duplicates
  const stacks = [...new Set(keyTasks.map((t) => topFrames(t).join('>')))].sort();
  parts.push(`stacks=${stacks.join('|')}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}
