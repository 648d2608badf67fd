// crash's `sys` banner (printed at start-up and by `sys`): KERNEL:, DUMPFILE:, CPUS:, RELEASE:,
// PANIC: "...", and the panic task's PID:, COMMAND:, TASK:, CPU:, STATE:.

import type { SysInfo } from '../../model/trace-model.ts';
import { addFormat, type Recognizer } from '../recognizer.ts';
import { BT_HEADER } from './bt-recognizer.ts';

// Keys only the banner prints; a block starts at one of them (PID:/CPU: alone are too common).
// (not a bare PANIC: — the console prints "PANIC: double fault, error_code: 0x0" itself)
const START = /^(?:KERNEL|DUMPFILE|SYSTEM MAP|DEBUG KERNEL|CPUS|NODENAME|LOAD AVERAGE): /;
// What `sys | grep -e RELEASE -e PANIC` leaves of the banner: a release number, and the panic string
// in crash's double quotes (the console's own "PANIC: ..." lines are never quoted).
const GREP_START = /^(?:RELEASE: \d{1,3}\.\d{1,3}|PANIC: ")/;
const SYS_KEYS = new Set(['KERNEL', 'DUMPFILE', 'SYSTEM MAP', 'DEBUG KERNEL', 'CPUS', 'DATE', 'UPTIME', 'LOAD AVERAGE', 'TASKS', 'NODENAME', 'RELEASE', 'VERSION', 'MACHINE', 'MEMORY', 'PANIC', 'PID', 'COMMAND', 'TASK', 'CPU', 'STATE', 'WARNING']);
const KEY = /^([A-Z][A-Z _]{1,14}): ?(.{0,512})$/;

export const crashSysRecognizer: Recognizer = {
  name: 'crash-sys',
  starts(lines, i) {
    const t = lines[i].text;
    return START.test(t) || GREP_START.test(t);
  },
  consume(lines, i, model) {
    const sys: SysInfo = { release: null, panic: null, cpus: null, pid: null, comm: null, cpu: null, line: lines[i].no };
    let task: string | null = null;
    let keys = 0;
    let j = i;
    for (; j < lines.length && j - i < 64; j++) {
      const m = KEY.exec(lines[j].text);
      if (!m || !SYS_KEYS.has(m[1]) || BT_HEADER.test(lines[j].text)) break;
      // the banner's PID:/CPU:/CPUS: hold a number alone; "CPU: 0 PID: 1 Comm: x" is a console line
      if ((m[1] === 'PID' || m[1] === 'CPU' || m[1] === 'CPUS') && (!/^\d{1,10}\b/.test(m[2]) || /\b(?:PID|Comm|UID): /.test(m[2]))) break;
      keys++;
      const value = m[2].trim();
      switch (m[1]) {
        case 'RELEASE':
          sys.release = value.split(' ')[0] || null;
          break;
        case 'KERNEL': {
          // "/usr/lib/debug/lib/modules/3.10.0-514.26.2.el7.x86_64/vmlinux" names the release too
          const r = /\/modules\/([^/\s]{1,128})\//.exec(value);
          if (r && !sys.release) sys.release = r[1];
          break;
        }
        case 'PANIC':
          sys.panic = value.replace(/^"|"$/g, '').trim() || null;
          break;
        case 'CPUS':
          sys.cpus = parseIntOrNull(value);
          break;
        case 'PID':
          sys.pid = parseIntOrNull(value);
          break;
        case 'COMMAND':
          sys.comm = value.replace(/^"|"$/g, '') || null;
          break;
        case 'CPU':
          sys.cpu = parseIntOrNull(value);
          break;
        case 'TASK': {
          const t = /^([0-9a-f]{6,16})\b/.exec(value);
          task = t ? t[1] : null;
          break;
        }
        default:
          break;
      }
    }
    // one line is a banner only when it is crash's quoted PANIC string
    if (keys < 2 && !(keys === 1 && sys.panic !== null && lines[i].text.startsWith('PANIC: "'))) return i + 1;
    // The banner's RELEASE is often the short "4.18.0"; prefer the fuller one from KERNEL when it extends it.
    model.sys = sys;
    if (sys.release && (!model.release || model.release.length < sys.release.length)) model.release = sys.release;
    if (task && sys.pid !== null) model.bindings.push({ task, pid: sys.pid, line: sys.line });
    addFormat(model, 'crash-sys');
    return j;
  },
};

function parseIntOrNull(v: string): number | null {
  const m = /^\d{1,10}/.exec(v);
  return m ? Number(m[0]) : null;
}
