// Frame-name helpers shared by classification, signatures and the generic plugins.

import type { Task } from '../model/trace-model.ts';

/** "fn.isra.0" / "fn.cold.12" / "fn.constprop.3" → "fn": compiler clones are the same function. */
export function baseName(fn: string): string {
  const k = fn.indexOf('.');
  return k > 0 ? fn.slice(0, k) : fn;
}

const DEFAULT_OPTS: { exceptions?: boolean } = {};

/** Reliable frame names of a task, innermost first, all contexts; an exception RIP comes before its segment's frames. */
export function taskFrames(t: Task, opts: { exceptions?: boolean } = DEFAULT_OPTS): string[] {
  // plain loops: this runs on every task in several analyzers (no closure, no options object per call)
  const out: string[] = [];
  const exceptions = opts.exceptions !== false;
  for (const seg of t.stack) {
    if (exceptions && seg.exception?.fn) out.push(seg.exception.fn);
    // old unwinders (no frame pointers) mark every frame "?": then they are all we have, minus the
    // "+0x0/" ones, which are function pointers left in stack data (wait-queue entries), not returns
    let anyReliable = false;
    for (const f of seg.frames) {
      if (!f.unreliable) {
        anyReliable = true;
        break;
      }
    }
    for (const f of seg.frames) {
      if (!f.fn) continue;
      if (!f.unreliable || (!anyReliable && f.offset !== 0)) out.push(f.fn);
    }
  }
  return out;
}
