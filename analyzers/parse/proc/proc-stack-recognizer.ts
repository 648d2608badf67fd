// /proc/PID/stack: "[<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0 [mod]" (newer kernels hide the
// address: "[<0>] flush_workqueue+0x12c/0x5b0"), ending with "[<ffffffffffffffff>] 0xffffffffffffffff"
// on older kernels. The pid comes from the "cat /proc/N/stack" line when it was pasted; console
// "Call Trace:" blocks use the same frame shape but are claimed by the console recognizers first
// (they start at the "Call Trace:" line), and always carry "?" marks or timestamps we do not need here.

import type { Frame, Task } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';

const CAT = /(?:^|[\s/=>])\/proc\/(\d{1,10})(?:\/task\/(\d{1,10}))?\/stack\b/;
const FRAME = /^\[<([0-9a-f]{1,16})>\] (\S{1,256}?)\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([^\]\s]{1,64})\])?$/;
const TERMINATOR = /^\[<f{16}>\] 0xf{16}$/;

export const procStackRecognizer: Recognizer = {
  name: 'proc-stack',
  starts(lines, i) {
    const t = lines[i].text;
    if (FRAME.test(t)) return true;
    return CAT.test(t) && t.length < 300 && FRAME.test(lines[i + 1]?.text ?? '');
  },
  consume(lines, i, model) {
    let pid: number | null = null;
    let j = i;
    const header: number[] = [];
    const cat = FRAME.test(lines[i].text) ? null : CAT.exec(lines[i].text);
    if (cat) {
      pid = Number(cat[2] ?? cat[1]);
      header.push(lines[i].no);
      j++;
    }
    const frames: Frame[] = [];
    for (; j < lines.length; j++) {
      const t = lines[j].text;
      if (TERMINATOR.test(t)) {
        j++;
        break;
      }
      const f = FRAME.exec(t);
      if (!f) break;
      frames.push({
        fn: f[2],
        offset: parseInt(f[3], 16),
        size: parseInt(f[4], 16),
        address: /^0+$/.test(f[1]) ? null : f[1],
        module: f[5] ?? null,
        unreliable: false,
        context: 'process',
        line: lines[j].no,
      });
    }
    const task: Task = {
      key: `raw:proc:${lines[i].no}`,
      pid,
      comm: null,
      task: null,
      cpu: null,
      state: null,
      stack: frames.length > 0 ? [{ context: 'process', frames, exception: null }] : [],
      sources: ['proc-stack'],
      lines: header.length > 0 ? header : [lines[i].no],
      kthread: false,
    };
    model.tasks.push(task);
    addFormat(model, 'proc-stack');
    return Math.max(j, i + 1);
  },
};
