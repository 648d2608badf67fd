// `ps aux` and `ps -eo pid,stat,comm,wchan` listings. The header row is optional for `ps aux` (its
// shape is fixed); for `-eo` the header names the columns. STAT's first letter is the state
// (D, R, S...); a COMMAND in [brackets] is a kernel thread.

import type { PsRow } from '../../model/trace-model.ts';
import { addFormat, type Line, type Recognizer } from '../recognizer.ts';
import { taskFromRow } from '../crash/ps-recognizer.ts';
import { bareComm, normalizeState } from '../task-state.ts';

const AUX_HEADER = /^USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND$/;
// TTY may be lost when a paste turned its "?" into a space (seed 001 style mangling).
const AUX_ROW = /^(\S{1,32}) (\d{1,10}) (\d{1,3}\.\d{1,2}) (\d{1,3}\.\d{1,2}) (\d{1,20}) (\d{1,20}) (?:(\S{1,16}) )?([DRSTZXIWt][<NLsl+]{0,6}) (\S{1,16}) (\S{1,16}) (.{1,512})$/;
// A -eo header: only known column names, PID and STAT (or S) among them.
const EO_HEADER = /^(?:(?:PID|PPID|STAT|S|COMMAND|CMD|COMM|WCHAN|TID|LWP|SPID|PSR|USER|UID|TT|TTY|TIME|ELAPSED|NI|PRI|%CPU|%MEM|VSZ|RSS|STARTED|START|F|ADDR|SZ|C|CLS|RTPRIO|POLICY) ?){2,16}$/;
const EO_ROW_PID_STAT = /^(\d{1,10}) ([DRSTZXIWt][<NLsl+]{0,6}) (\S{1,64})(?: (\S{1,64}))?$/;
// `ps axo stat,pid,comm | grep ^D` (the header is grepped away): "D 1234 kworker/1:2"
const EO_ROW_STAT_PID = /^([DRSTZXIWt][<NLsl+]{0,6}) (\d{1,10}) (\S{1,64})(?: (\S{1,64}))?$/;

export const psListingRecognizer: Recognizer = {
  name: 'ps',
  starts(lines, i) {
    const t = lines[i].text;
    if (AUX_HEADER.test(t) || AUX_ROW.test(t)) return true;
    if (EO_HEADER.test(t) && /\bPID\b/.test(t) && /\bS(?:TAT)?\b/.test(t)) return true;
    const next = lines[i + 1]?.text ?? '';
    return (EO_ROW_PID_STAT.test(t) && EO_ROW_PID_STAT.test(next)) || (EO_ROW_STAT_PID.test(t) && (EO_ROW_STAT_PID.test(next) || /^D/.test(t)));
  },
  consume(lines, i, model) {
    const t = lines[i].text;
    const first = model.psRows.length;
    let j: number;
    if (AUX_HEADER.test(t) || AUX_ROW.test(t)) j = consumeAux(lines, AUX_HEADER.test(t) ? i + 1 : i, model.psRows);
    else if (EO_HEADER.test(t)) j = consumeEo(lines, i + 1, t.split(' '), model.psRows);
    else if (EO_ROW_STAT_PID.test(t)) j = consumeEo(lines, i, ['STAT', 'PID', 'COMMAND', 'WCHAN'], model.psRows);
    else j = consumeEo(lines, i, ['PID', 'STAT', 'COMMAND', 'WCHAN'], model.psRows);
    for (let k = first; k < model.psRows.length; k++) if (model.psRows[k].state === 'D') model.tasks.push(taskFromRow(model.psRows[k], 'ps'));
    addFormat(model, 'ps');
    return Math.max(j, i + 1);
  },
};

function consumeAux(lines: readonly Line[], from: number, rows: PsRow[]): number {
  let j = from;
  for (; j < lines.length; j++) {
    const m = AUX_ROW.exec(lines[j].text);
    if (!m) break;
    rows.push(row(Number(m[2]), m[8], m[11], lines[j].no));
  }
  return j;
}

function consumeEo(lines: readonly Line[], from: number, columns: string[], rows: PsRow[]): number {
  // with threads (-L) the task is the thread: TID/LWP over PID
  const tidAt = Math.max(columns.indexOf('TID'), columns.indexOf('LWP'), columns.indexOf('SPID'));
  const pidAt = tidAt >= 0 ? tidAt : columns.indexOf('PID');
  const statAt = Math.max(columns.indexOf('STAT'), columns.indexOf('S'));
  const commAt = ['COMMAND', 'CMD', 'COMM'].map((c) => columns.indexOf(c)).find((k) => k >= 0) ?? -1;
  let j = from;
  for (; j < lines.length; j++) {
    const parts = lines[j].text.split(' ');
    if (parts.length < columns.length - 1 || !/^\d{1,10}$/.test(parts[pidAt] ?? '') || !/^[DRSTZXIWt][<NLsl+]{0,6}$/.test(parts[statAt] ?? '')) break;
    // The last column may hold spaces (a command line); only when it is the command do we join it.
    const comm = commAt < 0 ? '' : commAt === columns.length - 1 ? parts.slice(commAt).join(' ') : parts[commAt];
    rows.push(row(Number(parts[pidAt]), parts[statAt], comm, lines[j].no));
  }
  return j;
}

function row(pid: number, stat: string, command: string, line: number): PsRow {
  const cmd = command.trim();
  const kthread = /^\[[^\]]{1,64}\]$/.test(cmd);
  // ps aux shows the command line ("rmmod bsnmod", "/usr/sbin/sshd -D"); the task's comm is its program
  // name: the kernel sets it from the executed file's base name, cut to 15 characters (TASK_COMM_LEN),
  // so a login shell's argv[0] "-bash" is comm "bash" (the "-" is login's convention, fs/exec.c)
  const first = cmd.split(' ')[0] ?? '';
  let program = /^\.{0,2}\//.test(first) ? (first.split('/').pop() ?? first) : first;
  if (/^-[A-Za-z]/.test(program)) program = program.slice(1);
  return { pid, ppid: null, cpu: null, task: null, state: normalizeState(stat) ?? stat, comm: kthread ? cmd.slice(1, -1) : bareComm(program.slice(0, 15) || cmd), kthread, line };
}
