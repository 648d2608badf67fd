// /proc/modules rows (kernel/module/procfs.c m_show: "name size refcount deps state 0xbase [taints]"):
// where each module's memory was. A paste that shows them before an rmmod tells which module an
// address that faults afterwards belonged to.

import type { Recognizer } from '../recognizer.ts';

const ROW = /^([A-Za-z0-9_]{1,64}) (\d{1,10}) (\d{1,6}|-) (\S{1,512}) (Live|Loading|Unloading) 0x([0-9a-f]{8,16})(?: \([A-Z+-]{1,12}\))?$/;

export const procModulesRecognizer: Recognizer = {
  name: 'proc-modules',
  starts(lines, i) {
    return ROW.test(lines[i].text);
  },
  consume(lines, i, model) {
    let j = i;
    for (; j < lines.length && j < i + 10000; j++) {
      const m = ROW.exec(lines[j].text);
      if (!m) break;
      (model.modules ??= []).push({ name: m[1]!, size: Number(m[2]), base: m[6]!, line: lines[j].no });
    }
    return Math.max(j, i + 1);
  },
};
