// `list rwsem_waiter.list -s rwsem_waiter.task,type -h ADDR` (seed 003): each node address on its own
// line followed by the requested members ("task = 0x...", "type = RWSEM_WAITING_FOR_WRITE"). The
// order is the wait queue's order, first waiter first; with -h the first node is ADDR itself.

import type { WaiterList } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';
import { crashSession } from './session.ts';
import { scanFields } from './struct-fields.ts';
import { hex, stripPrompt } from './text-shapes.ts';

/**
 * The struct type and list head of a crash `list` command, with its options in any order (crash's
 * `list [-o offset] [-s struct[.member,...]] [-H|-h address] [struct.member]`): "list
 * rwsem_waiter.list -s rwsem_waiter.task,type -h ADDR", "list -H ADDR -s mutex_waiter.task", "list -s
 * rwsem_waiter.task,type -H ADDR". The type is the -s struct's, else the positional struct.member's
 * (with -H and no offset the list_head is the struct's first member). Needs -h/-H: a head to tie to a lock.
 */
function listCommand(cmd: string): { structType: string; head: string } | null {
  if (!cmd.startsWith('list ')) return null;
  const tokens = cmd.slice(5, 600).split(' ');
  let head: string | null = null;
  let shown: string | null = null;
  let offsetOf: string | null = null;
  for (let k = 0; k < tokens.length && k < 24; k++) {
    const tok = tokens[k]!;
    if (tok === '') continue;
    if (tok === '-h' || tok === '-H') {
      const v = /^(?:0x)?([0-9a-fA-F]{6,16})$/.exec(tokens[++k] ?? '');
      if (!v) return null;
      head = v[1]!;
    } else if (tok === '-s' || tok === '-S') {
      // "-s rwsem_waiter.task,type" names the struct; a bare "-s task" may be a member of the offset's
      const v = /^(\w{1,64})(\.[\w,.]{1,256})?$/.exec(tokens[++k] ?? '');
      if (v) shown = v[2] ? v[1]! : shown ?? `?${v[1]!}`;
    } else if (tok === '-o' || tok === '-l' || tok === '-e') {
      const v = tokens[++k] ?? '';
      if (tok === '-o') offsetOf = /^(\w{1,64})\.\w{1,64}$/.exec(v)?.[1] ?? offsetOf;
    } else if (tok === 'struct') continue;
    else if (!tok.startsWith('-')) offsetOf = /^(\w{1,64})\.\w{1,64}$/.exec(tok)?.[1] ?? offsetOf;
  }
  const structType = shown !== null && !shown.startsWith('?') ? shown : offsetOf ?? shown?.slice(1) ?? null;
  return head !== null && structType !== null ? { structType, head } : null;
}
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
