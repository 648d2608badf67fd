// Family, title and signature of a parsed paste (analysis-contract.md). Pure.

import type { Family } from '../contract.ts';
import type { Task, TraceModel } from '../model/trace-model.ts';
import { familyOfReport, primaryReport } from './family.ts';
import { hangFrame } from './syz-frames.ts';
import { taskFrames } from './frames.ts';

export { signature } from './signature.ts';
export { familyOfReport, primaryReport } from './family.ts';
export { taskFrames, baseName } from './frames.ts';

function hasStack(t: Task): boolean {
  return t.stack.some((s) => s.frames.length > 0 || s.exception !== null);
}

export function classify(model: TraceModel): { family: Family; title: string } {
  const r = primaryReport(model);
  if (r) {
    const family = familyOfReport(r);
    const syz = r.details.syzTitle;
    const title = typeof syz === 'string' && syz ? syz : r.header.slice(0, 200);
    return { family, title };
  }
  const blocked = model.tasks.filter((t) => t.state === 'D' && hasStack(t));
  const anyBlocked = model.tasks.some((t) => t.state === 'D');
  const stacks = model.tasks.filter(hasStack);
  if (blocked.length > 0 || anyBlocked || stacks.length > 0) {
    const main = blocked[0] ?? stacks[0];
    const fn = main ? hangFrame(taskFrames(main)) : '';
    const title = blocked.length > 0 || anyBlocked
      ? `INFO: task hung in ${fn || 'unknown'}`
      : `stack trace in ${fn || 'unknown'}`;
    return { family: 'stuck_tasks', title };
  }
  return { family: 'not_kernel', title: 'not a kernel trace' };
}
