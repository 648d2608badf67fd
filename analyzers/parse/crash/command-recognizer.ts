// A "crash> ..." line no other recognizer took: remember it as the session's last command (a bt
// block after `bt -a` or `foreach UN bt` learns its tasks' state from it). Asked last among the
// crash recognizers, so the struct/list/print commands keep their own blocks.

import type { Recognizer } from '../recognizer.ts';
import { crashSession } from './session.ts';

// A backtrace command pasted without its prompt: "bt -a", "foreach UN bt", "bt 491".
const BARE_BT = /^(?:bt(?: -[a-zA-Z]{1,8})*(?: \d{1,10})?|foreach(?: [A-Za-z0-9_-]{1,16}){0,4} bt(?: -[a-zA-Z]{1,8})*)$/;

export const crashCommandRecognizer: Recognizer = {
  name: 'crash-command',
  starts(lines, i) {
    const t = lines[i].text;
    return t.startsWith('crash> ') || BARE_BT.test(t);
  },
  consume(lines, i, model) {
    const t = lines[i].text;
    crashSession(model).lastCommand = t.startsWith('crash> ') ? t.slice(7).trim() : t;
    return i + 1;
  },
};
