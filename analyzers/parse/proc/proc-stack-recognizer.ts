// /proc/PID/stack: "[<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0 [mod]" (newer kernels hide the
// address: "[<0>] flush_workqueue+0x12c/0x5b0"), ending with "[<ffffffffffffffff>] 0xffffffffffffffff"
// on older kernels. The pid comes from the "cat /proc/N/stack" line when it was pasted; console
// "Call Trace:" blocks use the same frame shape but are claimed by the console recognizers first
// (they start at the "Call Trace:" line), and always carry "?" marks or timestamps we do not need here.

import type { Frame, Task } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';
import { bareComm } from '../task-state.ts';

const CAT = /(?:^|[\s/=>])\/proc\/(\d{1,10})(?:\/task\/(\d{1,10}))?\/stack\b/;
const FRAME = /^\[<([0-9a-f]{1,16})>\] (\S{1,256}?)\+0x([0-9a-f]{1,16})\/0x([0-9a-f]{1,16})(?: \[([^\]\s]{1,64})\])?$/;
const TERMINATOR = /^\[<f{16}>\] 0xf{16}$/;
// `grep -H . /proc/*/stack` prefixes every frame with its file: "/proc/812/stack:[<0>] fn+0x1/0x2"
const GREP_H = /^\/proc\/(\d{1,10})(?:\/task\/(\d{1,10}))?\/stack:(?=\[<)/;
// `for p in ...; do echo $p; cat /proc/$p/stack; done`: the pid alone on the line before the frames,
// or dressed up by the loop's echo ("== 2208", "--- 2208 ---", "pid 2208:", "PID=2208")
const ECHOED_PID = /^(?:[=#*-]{1,5} ?)?(?:pid ?[:=]? ?)?(\d{1,10})(?: ?[=#*-]{1,5})?:?$/i;
// ... with the comm echoed too ("== 214 kworker/3:2+events", "--- 2208 (nfsd) ---"): echo "$p $(cat /proc/$p/comm)"
const ECHOED_PID_COMM = /^(?:[=#*-]{1,5} ?)?(?:pid ?[:=]? ?)?(\d{1,10}) \(?([^\s()]{1,64}?)\)?(?: ?[=#*-]{1,5})?:?$/i;

// ... and the state from /proc/PID/stat or status echoed after them: "== 48213 ingest-worker state=S"
const ECHOED_STATE = / (?:state|stat|st)[=:] ?([RSDTtZXIP])\S{0,8}$/i;

function echoedPid(t: string): { pid: number; comm: string | null; state: string | null } | null {
  const st = ECHOED_STATE.exec(t);
  const head = st ? t.slice(0, st.index) : t;
  const state = st ? st[1]!.toUpperCase() : null;
  const m = ECHOED_PID.exec(head);
  if (m) return { pid: Number(m[1]), comm: null, state };
  const c = ECHOED_PID_COMM.exec(head);
  return c ? { pid: Number(c[1]), comm: c[2]!, state } : null;
}

export const procStackRecognizer: Recognizer = {
  name: 'proc-stack',
  starts(lines, i) {
    const t = lines[i].text;
    if (FRAME.test(t) || GREP_H.test(t)) return true;
    if (echoedPid(t)) return FRAME.test(lines[i + 1]?.text ?? '');
    return CAT.test(t) && t.length < 300 && FRAME.test(lines[i + 1]?.text ?? '');
  },
  consume(lines, i, model) {
    let pid: number | null = null;
    let j = i;
    const header: number[] = [];
    const first = lines[i].text;
    const grepPid = GREP_H.exec(first);
    const echoed = FRAME.test(first) || grepPid ? null : echoedPid(first);
    const cat = FRAME.test(first) || grepPid || echoed ? null : CAT.exec(first);
    let comm: string | null = null;
    let state: string | null = null;
    if (cat) {
      pid = Number(cat[2] ?? cat[1]);
      header.push(lines[i].no);
      j++;
    } else if (echoed) {
      pid = echoed.pid;
      comm = echoed.comm;
      state = echoed.state;
      header.push(lines[i].no);
      j++;
    } else if (grepPid) pid = Number(grepPid[2] ?? grepPid[1]);
    else if (i > 0) {
      // `ps -o ... -p $P; cat /proc/$P/stack` in a loop: a one-row ps listing right before the frames
      // is the process whose stack this is (a longer listing names no one in particular)
      const rows = model.psRows;
      const last = rows[rows.length - 1];
      if (last && last.line === lines[i - 1]!.no && !(rows.length > 1 && rows[rows.length - 2]!.line === lines[i - 2]?.no)) {
        pid = last.pid;
        state = last.state;
      }
    }
    const frames: Frame[] = [];
    for (; j < lines.length; j++) {
      let t = lines[j].text;
      if (grepPid) {
        const g = GREP_H.exec(t);
        if (!g || Number(g[2] ?? g[1]) !== pid) break; // the next file's frames start the next task
        t = t.slice(g[0].length);
      }
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
      comm: comm !== null ? bareComm(comm) : null,
      task: null,
      cpu: null,
      state,
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
