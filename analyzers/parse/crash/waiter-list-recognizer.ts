// `list rwsem_waiter.list -s rwsem_waiter.task,type -h ADDR` (seed 003): each node address on its own
// line followed by the requested members ("task = 0x...", "type = RWSEM_WAITING_FOR_WRITE"). The
// order is the wait queue's order, first waiter first; with -h the first node is ADDR itself.

import type { WaiterList } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';
import { crashSession } from './session.ts';
import { scanFields } from './struct-fields.ts';
import { hex, stripPrompt } from './text-shapes.ts';

const LIST = /^list (?:-[A-Za-z] \S{1,128} )*(?:struct )?(\w{1,64})\.(\w{1,64})(?: .{0,256})? -[hH] (?:0x)?([0-9a-fA-F]{6,16})\b/;
// "list -H ADDR -s rwsem_waiter.task,type": the head given first, the member offset left out (the
// list_head is rwsem_waiter's/mutex_waiter's first member, offset 0)
const LIST_HEAD_FIRST = /^list (?:-[A-Za-z] \S{1,128} )*-[hH] (?:0x)?([0-9a-fA-F]{6,16}) (?:-[A-Za-z] \S{1,128} )*-s (?:struct )?(\w{1,64})\./;

function listCommand(cmd: string): { structType: string; head: string } | null {
  const m = LIST.exec(cmd);
  if (m) return { structType: LIST_S.exec(cmd)?.[1] ?? m[1]!, head: m[3]! };
  const h = LIST_HEAD_FIRST.exec(cmd);
  return h ? { structType: h[2]!, head: h[1]! } : null;
}
const LIST_S = /^list .{0,256}-s (?:struct )?(\w{1,64})[.\w,]{0,256}/;
const NODE = /^(?:0x)?([0-9a-f]{6,16})$/;

export const crashWaiterListRecognizer: Recognizer = {
  name: 'crash-list',
  starts(lines, i) {
    return listCommand(stripPrompt(lines[i].text)) !== null;
  },
  consume(lines, i, model) {
    const cmd = stripPrompt(lines[i].text);
    const m = listCommand(cmd);
    if (!m) return i + 1;
    crashSession(model).lastCommand = null;
    const list: WaiterList = { head: hex(m.head), structType: m.structType, entries: [], line: lines[i].no };
    let j = i + 1;
    while (j < lines.length) {
      const node = NODE.exec(lines[j].text);
      if (!node) break;
      const scan = scanFields(lines, j + 1);
      list.entries.push({ node: node[1], task: hex(scan.fields.task) , type: scan.fields.type ?? null, line: lines[j].no });
      j = Math.max(scan.end, j + 1);
    }
    model.waiterLists.push(list);
    addFormat(model, list.structType.startsWith('rwsem') ? 'crash-rwsem-list' : 'crash-struct');
    return j;
  },
};
