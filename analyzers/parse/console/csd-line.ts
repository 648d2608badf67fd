// kernel/smp.c csd_lock_wait_toolong (CONFIG_CSD_LOCK_WAIT_DEBUG, v5.10+): a CPU that has waited too
// long for another CPU to run its IPI function says which one:
//   "smp: csd: Detected non-responsive CSD lock (#1) on CPU#3, waiting 5000000343 ns for CPU#06 flush_tlb_func+0x0/0x1c0(...)"
// ("Continued" on later reports). The target is exact, where the stacks alone only say "some CPU".

import type { TraceModel } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';

const CSD = /csd: (?:Detected|Continued) non-responsive CSD lock \(#\d{1,10}\) on CPU#(\d{1,5}), waiting \d{1,20} ns for CPU#(\d{1,5})/;

/** Reads a CSD-lock debug line into model.csdWaits; false when the line is not one. */
export function readCsdLine(model: TraceModel, text: string, no: number): boolean {
  if (!text.includes('non-responsive CSD lock')) return false;
  const m = CSD.exec(text);
  if (!m) return false;
  const list = (model.csdWaits ??= []);
  if (list.length < 1024) list.push({ cpu: Number(m[1]), target: Number(m[2]), line: no });
  return true;
}

/** Standalone CSD lines (a `log | grep csd` paste); inside a console block the block reads them. */
export const csdRecognizer: Recognizer = {
  name: 'csd-lock-debug',
  starts(lines, i) {
    return lines[i].text.includes('non-responsive CSD lock') && CSD.test(lines[i].text);
  },
  consume(lines, i, model) {
    let j = i;
    while (j < lines.length && readCsdLine(model, lines[j].text, lines[j].no)) j++;
    addFormat(model, 'console');
    return Math.max(j, i + 1);
  },
};
