// crash `ps`: "   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM", rows such as
// "   4790      2   1  ffff88003570de20  UN   0.0       0      0  [kworker/1:2]"; a leading ">"
// marks the task active on its CPU. The TASK column ties a task_struct address to a pid.

import type { PsRow, Task, TraceModel } from '../../model/trace-model.ts';
import { addFormat, type Line, type Recognizer } from '../recognizer.ts';
import { normalizeState } from '../task-state.ts';

const HEADER = /^PID PPID CPU TASK ST %MEM VSZ RSS COMM$/;
// `ps -m` / `ps -l`: "[0 00:02:13.456] [UN]  PID: 4790  TASK: ffff88003570de20  CPU: 1  COMMAND: "kworker/1:2""
// (time since the task last ran, or its last-run timestamp): the usual way to list blocked tasks.
const LAST_RUN_ROW = /^\[[\d :.]{1,24}\] \[([A-Z]{2})\] PID: (\d{1,10}) TASK: ([0-9a-f]{6,16}) CPU: (\d{1,5}|-) COMMAND: "([^"]{0,64})"/;
const ROW = /^(>)? ?(\d{1,10}) (\d{1,10}) (\d{1,5}|-) ([0-9a-f]{8,16}) ([A-Z]{2}) (\d{1,3}(?:\.\d{1,3})?) (\d{1,20}) (\d{1,20}) (.{1,128})$/;

export const crashPsRecognizer: Recognizer = {
  name: 'crash-ps',
  starts(lines, i) {
    const t = lines[i].text;
    return HEADER.test(t) || ROW.test(t) || LAST_RUN_ROW.test(t);
  },
  consume(lines, i, model) {
    if (LAST_RUN_ROW.test(lines[i].text)) return consumeLastRun(lines, i, model);
    let j = HEADER.test(lines[i].text) ? i + 1 : i;
    for (; j < lines.length; j++) {
      const m = ROW.exec(lines[j].text);
      if (!m) break;
      const comm = m[10].trim();
      const kthread = /^\[.*\]$/.test(comm);
      const row: PsRow = {
        pid: Number(m[2]),
        ppid: Number(m[3]),
        cpu: m[4] === '-' ? null : Number(m[4]),
        task: m[5],
        state: normalizeState(m[6]) ?? m[6],
        comm: kthread ? comm.slice(1, -1) : comm,
        kthread,
        line: lines[j].no,
      };
      model.psRows.push(row);
      // Blocked and on-CPU tasks are evidence on their own; the others only lend their pid/state
      // to tasks found elsewhere (merge pass).
      if (row.state === 'D' || m[1] === '>') model.tasks.push(taskFromRow(row, 'crash-ps'));
    }
    addFormat(model, 'crash-ps');
    return Math.max(j, i + 1);
  },
};

function consumeLastRun(lines: readonly Line[], i: number, model: TraceModel): number {
  let j = i;
  for (; j < lines.length; j++) {
    const m = LAST_RUN_ROW.exec(lines[j].text);
    if (!m) break;
    const row: PsRow = { pid: Number(m[2]), ppid: null, cpu: m[4] === '-' ? null : Number(m[4]), task: m[3], state: normalizeState(m[1]) ?? m[1], comm: m[5], kthread: false, line: lines[j].no };
    model.psRows.push(row);
    if (row.state === 'D') model.tasks.push(taskFromRow(row, 'crash-ps'));
  }
  addFormat(model, 'crash-ps');
  return Math.max(j, i + 1);
}

export function taskFromRow(row: PsRow, source: 'crash-ps' | 'ps'): Task {
  return {
    key: `raw:${source}:${row.line}`,
    pid: row.pid,
    comm: row.comm,
    task: row.task,
    cpu: row.cpu,
    state: row.state,
    stack: [],
    sources: [source],
    lines: [row.line],
    kthread: row.kthread,
  };
}
