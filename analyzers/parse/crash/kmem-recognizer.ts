// crash `kmem -s ADDR`: the slab cache and object that hold an address, and whether that object is
// allocated ("[ffff...]" under "FREE / [ALLOCATED]") or free (the bare address). A lock owner word
// that points into a FREE task_struct names a task that has exited: no one can release the lock.

import { addFormat, type Recognizer } from '../recognizer.ts';
import { stripPrompt } from './text-shapes.ts';

const COMMAND = /^kmem -s (?:0x)?([0-9a-fA-F]{8,16})$/;
const CACHE_ROW = /^[0-9a-f]{8,16} +\d{1,8} +\d{1,10} +\d{1,10} +\d{1,10} +\d{1,5}k +(\S{1,64})$/;

export const crashKmemRecognizer: Recognizer = {
  name: 'crash-kmem',
  starts(lines, i) {
    return COMMAND.test(stripPrompt(lines[i].text));
  },
  consume(lines, i, model) {
    const query = COMMAND.exec(stripPrompt(lines[i].text))![1]!.toLowerCase();
    let cache: string | null = null;
    let j = i + 1;
    for (; j < lines.length && j < i + 12; j++) {
      const t = lines[j].text.trim();
      if (t.startsWith('crash>') || t === '') break;
      const c = CACHE_ROW.exec(t);
      if (c) cache = c[1]!;
      if (t === 'FREE / [ALLOCATED]') {
        const obj = /^(\[)?([0-9a-f]{8,16})\]?$/.exec(lines[j + 1]?.text.trim() ?? '');
        if (obj) {
          (model.slabObjects ??= []).push({ query, object: obj[2]!, free: !obj[1], cache, line: lines[j + 1]!.no });
          j += 2;
        }
        break;
      }
    }
    addFormat(model, 'crash-struct');
    return Math.max(j, i + 1);
  },
};
