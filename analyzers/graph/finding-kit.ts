// Small helpers the mechanism plugins share to assemble a Finding (defaults, key frames).

import type { Finding } from '../contract.ts';
import type { Task } from '../model/trace-model.ts';
import { blameFrames } from '../plugins/generic-helpers/index.ts';
import { taskFrames } from '../classify/frames.ts';

/** A finding as a plugin assembles it; case data (caseId, references) is attached later by analyze(). */
export type FindingParts = Omit<Finding, 'caseId' | 'references'>;

export function finding(p: FindingParts): Finding {
  return { ...p, caseId: null, keyFrames: dedupe(p.keyFrames).slice(0, 4), nextSteps: dedupe(p.nextSteps), references: [] };
}

/** Where a task is stuck and what to blame (mechanics, lock primitives and entry code removed). */
export function keyFramesOf(t: Task | null | undefined, n = 2): string[] {
  if (!t) return [];
  // the NMI segment is the dump/watchdog machinery (crash_nmi_callback...), never what to blame. A
  // made-up task, so the frame list is made here (classify/frames), not looked up in per-task caches
  const own = { ...t, stack: t.stack.filter((s) => s.context !== 'nmi') };
  return blameFrames(taskFrames(own).filter((f) => !/^(?:crash_nmi_callback|nmi_handle|do_nmi|default_do_nmi)$/.test(f)), n);
}

export function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export function uniqLines(...xs: Array<readonly number[] | undefined>): number[] {
  const s = new Set<number>();
  for (const a of xs) for (const n of a ?? []) if (Number.isInteger(n) && n > 0) s.add(n);
  return [...s].sort((a, b) => a - b);
}
