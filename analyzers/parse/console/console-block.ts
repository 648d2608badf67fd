// The console recognizer: one block is a detector report (from its header line up to the next
// header) or, without a header, a run of stack dumps ("CPU: N PID: N Comm: X", "Call Trace:", ...).
// It fills model.reports and model.tasks (key "pid:N"; the idle task of CPU N is "cpu:N").

import type { Line, Recognizer } from '../recognizer.ts';
import { addFormat } from '../recognizer.ts';
import type { ExceptionFrame, Report, TraceModel } from '../../model/trace-model.ts';
import { matchBlocker, matchDetector, type DetectorHit } from './detector-header.ts';
import { isRegisterLine, parseFrameLine, parseRegisters, parseRipLine, splitMarkers } from './frame-line.ts';
import { BlockState } from './block-state.ts';
import { atomicLine, lockdepLine, netdevHeader, newDetailState, rcuLine, refTrackerLine, spinDumpLine, workqueueLine } from './report-details.ts';
import { syzTitle } from '../../classify/syz-title.ts';
import { isForeignLine } from './foreign-line.ts';
import { startsHeldLocks } from './held-locks-recognizer.ts';
import { readCsdLine } from './csd-line.ts';

/** A normalised line may carry the printk caller context ("T123" / "C1", CONFIG_PRINTK_CALLER) or "console". */
export type ConsoleLine = Line & { ctx?: string; ts?: number };

const CPU_RE = /^CPU: (\d{1,5}) (?:UID: \d{1,10} )?PID: (\d{1,10}) Comm: (.{1,80})$/;
// 2.6.x-3.x kernels: "Pid: 12410, comm: xxxx Not tainted 2.6.32-220.el6.x86_64 #1"
const OLD_PID_RE = /^Pid: (\d{1,10}), comm: (.{1,16}?) (?:Not tainted|Tainted:)/;
const TASK_RE = /^task:(.{1,64}?) +state:([A-Za-z]) .*?\bpid: ?(\d{1,10})/;
const OLD_TASK_RE = /^(\S.{0,15}?) +([DRSTZXI]) ?\d{0,8} +(\d{1,10}) +(\d{1,10}) 0x[0-9a-f]{8}$/;
// before v4.11 (RHEL 7's 3.10 among them) sched_show_task printed the saved PC, or "running task",
// between the state and the free-stack count: "kworker/u64:2   D ffff88103fc94300     0 30012      2 0x00000080"
const PC_TASK_RE = /^(\S.{0,15}?) +([DRSTZXI]) +(?:[0-9a-f]{8}|[0-9a-f]{16}|running(?: task)?) +\d{1,8} +(\d{1,10}) +(\d{1,10}) 0x[0-9a-f]{8}$/;
const TRACE_END = [
  'Showing all locks held', 'Showing busy workqueues', 'Sending NMI from CPU', 'Kernel Offset',
  'Modules linked in', 'irq event stamp', '---[ end', 'Mem-Info', 'Dumping ftrace', 'Hardware name',
  'Showing all locks', 'stack backtrace:',
];

/** How many reports get a syzkaller-style title computed from the text (the first one decides). */
const TITLED_REPORTS = 16;

function commOf(rest: string): string {
  // RHEL and Fedora kernels print " Kdump: loaded" after the comm when a crash kernel is loaded
  for (const tail of [' Kdump: loaded', ' Not tainted', ' Tainted:', ' Tainted ']) {
    const k = rest.indexOf(tail);
    if (k > 0 && k <= 20) return rest.slice(0, k);
  }
  return rest.split(' ')[0] ?? rest;
}

function startsBlock(text: string): boolean {
  const t = text.trimStart();
  // sched_show_task's task line opens a block too, in its v4.11+ form and the older ones (the first
  // task of a sysrq-w dump follows only the "task PC stack pid father" header)
  return CPU_RE.test(t) || t.startsWith('Call Trace:') || t.startsWith('Call trace:') || t.startsWith('Backtrace:') || TASK_RE.test(t) || OLD_TASK_RE.test(t) || PC_TASK_RE.test(t);
}

function newReport(hit: DetectorHit, line: ConsoleLine): Report {
  const r: Report = {
    kind: hit.kind,
    header: line.text.trim().slice(0, 300),
    line: line.no,
    cpu: hit.cpu,
    pid: hit.pid,
    comm: hit.comm,
    seconds: hit.seconds,
    message: hit.message,
    taskKeys: [],
    workqueue: null,
    blocker: null,
    lockdep: null,
    details: {},
    endLine: line.no,
  };
  if (line.ts !== undefined) r.uptime = line.ts;
  return r;
}

function consumeBlock(lines: readonly ConsoleLine[], i: number, model: TraceModel): number {
  const first = lines[i]!;
  const hit = matchDetector(first.text);
  const report = hit ? newReport(hit, first) : null;
  if (report) {
    if (model.reports.length < TITLED_REPORTS) {
      const title = syzTitle(lines, i, hit!.kind);
      if (title) report.details.syzTitle = title.title;
      if (title?.frame) report.details.syzFrame = title.frame;
    }
    model.reports.push(report);
    if (report.kind === 'rcu_stall') lastRcu.set(model, report);
    if (report.kind.startsWith('lockdep')) addFormat(model, 'lockdep');
    // old one-line stall headers carry the CPUs and jiffies: "... stall on CPU { 2}  (t=60001 jiffies ...)"
    if (report.kind === 'rcu_stall') rcuLine(report, first.text, first.no);
  }
  addFormat(model, 'console');
  const st = new BlockState(model, report);
  const ds = newDetailState();
  if (hit && hit.pid !== null && hit.kind !== 'panic' && hit.kind !== 'oops') {
    st.useTask(hit.pid, hit.comm, hit.cpu, first.no, hit.kind === 'hung_task' ? 'D' : null);
  }
  // "NMI backtrace for cpu 3", "hard LOCKUP on cpu 18": the stack that follows is that CPU's
  if (hit && hit.cpu !== null) st.defaultCpu = hit.cpu;
  // printk caller context of the header: with CONFIG_PRINTK_CALLER other CPUs' lines interleave
  const firstCtx = first.ctx ?? /\]\[ {0,8}([TC]\d{1,10})\]/.exec(first.text.slice(0, 200))?.[1];
  const ctx = firstCtx && /^[TC]/.test(firstCtx) ? firstCtx : null;
  if (report?.kind === 'netdev_unregister') netdevHeader(report, ctx);
  let cpuTraceback = false;
  let j = report ? i + 1 : i;
  for (; j < lines.length; j++) {
    const line = lines[j]!;
    const raw = line.text;
    if (j > i) {
      const h = matchDetector(raw);
      if (h && h.kind === 'netdev_unregister' && report !== null && report.kind !== 'netdev_unregister') {
        // the unregister line is printed every 10 s from another task and lands inside other reports
        // (a hung task's Call Trace, syzkaller corpus 74): a report of its own that does not end this one
        j = inlineNetdevReport(lines, j, h, model);
        continue;
      }
      if (h) break;
    }
    if (isForeignLine(raw)) break;
    // sysrq-d's held-lock lists after sysrq-w stacks (no report to keep them): their own recognizer
    if (!report && j > i && startsHeldLocks(raw)) break;
    if (ctx && line.ctx !== ctx && !(cpuTraceback && line.ctx && line.ctx[0] === 'C')) continue;
    if (report) report.endLine = line.no;
    handleLine(st, ds, report, raw, line.no, () => { cpuTraceback = true; });
  }
  return Math.max(j, i + 1);
}

/** The one-line unregister_netdevice report at lines[j] and its ref_tracker lines; the last line used. */
function inlineNetdevReport(lines: readonly ConsoleLine[], j: number, hit: DetectorHit, model: TraceModel): number {
  const line = lines[j]!;
  const r = newReport(hit, line);
  const title = syzTitle(lines, j, hit.kind);
  if (title) r.details.syzTitle = title.title;
  netdevHeader(r, line.ctx ?? null);
  model.reports.push(r);
  const ds = newDetailState();
  let k = j + 1;
  while (k < lines.length && refTrackerLine(r, ds, lines[k]!.text.trim(), lines[k]!.no)) {
    r.endLine = lines[k]!.no;
    k++;
  }
  return k - 1;
}

function handleLine(st: BlockState, ds: ReturnType<typeof newDetailState>, report: Report | null,
  raw: string, no: number, onNmiSend: () => void): void {
  const text = raw.trim();
  if (text === '') return;
  const cpu = CPU_RE.exec(text);
  if (cpu) {
    st.useTask(Number(cpu[2]), commOf(cpu[3]!), Number(cpu[1]), no);
    return;
  }
  const op = OLD_PID_RE.exec(text);
  if (op) {
    st.useTask(Number(op[1]), op[2]!, st.task?.pid === null ? st.task.cpu : st.defaultCpu, no);
    return;
  }
  const tk = TASK_RE.exec(text) ?? OLD_TASK_RE.exec(text) ?? PC_TASK_RE.exec(text);
  if (tk) {
    const pid = Number(tk[3]);
    const cur = st.task;
    st.useTask(pid, tk[1]!.trim(), cur?.pid === pid ? cur.cpu : st.dumpCpu, no, tk[2]!.toUpperCase());
    st.dumpCpu = null;
    return;
  }
  // "Task dump for CPU 2:" (kernel/sched/core.c dump_cpu_task): where a CPU cannot be sent an NMI (arm64
  // without pseudo-NMI, a CPU not answering), the RCU stall and other watchdogs print that CPU's
  // current task with sched_show_task: the task line that follows runs on that CPU
  if (text.startsWith('Task dump for CPU ')) {
    const m = /^Task dump for CPU (\d{1,5}):?$/.exec(text);
    if (m) st.dumpCpu = Number(m[1]);
    return;
  }
  if (text.startsWith('Call Trace:') || text.startsWith('Call trace:') || text.startsWith('Backtrace:')) {
    st.startTrace(no);
    const rest = text.slice(text.indexOf(':') + 1);
    if (rest.trim()) frameLine(st, rest, no);
    return;
  }
  if (text.startsWith('Workqueue: ')) {
    if (report && !report.workqueue) report.workqueue = text.slice(11).trim().slice(0, 200);
    return;
  }
  if (text.startsWith('Sending NMI from CPU')) onNmiSend();
  // "Modules linked in: ... [last unloaded: canx_bus]" (kernel/module/main.c print_modules)
  const lu = text.indexOf('[last unloaded: ');
  if (lu >= 0) {
    const m = /^\[last unloaded: ([A-Za-z0-9_-]{1,64})/.exec(text.slice(lu));
    if (m) st.model.lastUnloaded ??= { name: m[1]!.replace(/-/g, '_'), line: no };
  }
  if (readCsdLine(st.model, text, no)) return;
  // powerpc's show_regs prints the interrupted instruction twice: "NIP:  c000000000e3d2a0 LR: ..." in
  // the register block (read as the exception, address only), then "NIP [c000000000e3d2a0]
  // _raw_spin_lock_irq+0x60/0x100" with the symbol, which names that exception's function
  if (st.exc && st.exc.fn === '' && text.startsWith('NIP [')) {
    const sym = /^NIP \[([0-9a-f]{8,16})\] (.{1,300})$/.exec(text);
    const f = sym ? parseFrameLine(sym[2]!) : null;
    if (sym && f && (st.exc.address === null || st.exc.address === sym[1])) {
      st.exc.fn = f.fn;
      st.exc.offset = f.offset;
      st.exc.module = f.module;
      st.exc.address = sym[1]!;
      st.exc.lines.push(no);
      return;
    }
  }
  // ... and "LR [c0000000008a41d8] blk_mq_sched_dispatch_requests+0x48/0xb0", the caller: the first
  // Call Trace entry comes from the same link register and is printed "(unreliable)"; when it names
  // the same function it is the caller indeed (frameLine below)
  if (st.exc && text.startsWith('LR [')) {
    const sym = /^LR \[[0-9a-f]{8,16}\] (.{1,300})$/.exec(text);
    const f = sym ? parseFrameLine(sym[1]!) : null;
    if (f) {
      st.linkFn = f.fn;
      st.exc.lines.push(no);
      return;
    }
  }
  // powerpc: "--- interrupt: 901 at hash_net4_expire+0xa0/0x2a0 [ip_set_hash_net]" (show_stack,
  // arch/powerpc/kernel/process.c): the frames above ran in the handler of that exception, those below
  // are the code it interrupted, starting at the named function. 0x500 (external), 0x900/0x901
  // (decrementer: the timer) and 0x980/0xa00/0xea0/0xf00/0xf20 are interrupts; the others (0x300 data
  // storage, 0x400, 0x700 program...) are faults taken by the same context
  if (st.inTrace && text.startsWith('--- interrupt: ')) {
    const m = /^--- interrupt: ([0-9a-f]{1,4}) at (\S{1,300})/.exec(text);
    const f = m ? parseFrameLine(m[2]!) : null;
    if (m && f && st.task && !st.frozen) {
      const seg = st.seg;
      if (seg) {
        if (/^(?:500|900|901|980|a00|ea0|f00|f20)$/.test(m[1]!)) seg.context = seg.frames.some((x) => x.fn === '__do_softirq') ? 'softirq' : 'hardirq';
        else if (seg.frames.some((x) => x.fn === '__do_softirq')) seg.context = 'softirq';
        for (const x of seg.frames) x.context = seg.context;
      }
      st.context = 'process';
      st.exc = { fn: f.fn, offset: f.offset, address: f.address, module: f.module, registers: {}, context: 'process', line: no, lines: [no] };
      st.excUsed = false;
      st.seg = null;
      st.newSegment('process');
      return;
    }
  }
  // 32-bit arm __irq_svc dumps the interrupted context's pt_regs as memory before its unwinder line
  // (arch/arm/kernel/traps.c dump_mem): "Exception stack(0xc1a39e38 to 0xc1a39e80)" then rows of
  // words, r0..r12, sp, lr, pc, cpsr, orig_r0 in that order; armIrqEntry gives them to the segment
  // the "(__irq_svc) from" line opens
  const exs = /^Exception stack\(0x([0-9a-f]{8}) to 0x([0-9a-f]{8})\)$/.exec(text);
  if (exs) {
    st.armExcWords = [];
    st.armExcWant = Math.max(0, Math.min(32, (parseInt(exs[2]!, 16) - parseInt(exs[1]!, 16)) / 4));
    return;
  }
  if (st.armExcWords && st.armExcWords.length < st.armExcWant) {
    const row = /^[0-9a-f]{4}: ((?:[0-9a-f]{8} ?){1,8})$/.exec(text);
    if (row) {
      st.armExcWords.push(...row[1]!.trim().split(' '));
      return;
    }
  }
  // MIPS show_regs (arch/mips/kernel/traps.c): the general registers first, four a line ("$ 4   :
  // 8f5c3a24 8e5b1c00 ..."; $4 is a0, the first argument: the lock of a spin), then "epc   : ADDR
  // fn+0x5c/0x80", the interrupted code
  const mipsRegs = /^\$ ?(\d{1,2}) {0,4}: ((?:[0-9a-f]{8,16} ?){1,4})$/.exec(text);
  if (mipsRegs) {
    const regs = (st.mipsRegs ??= {});
    mipsRegs[2]!.trim().split(' ').forEach((v, k) => { regs[`$${Number(mipsRegs[1]) + k}`] = v; });
    if (regs.$4 !== undefined) regs.A0 = regs.$4;
    return;
  }
  if (text.startsWith('epc   : ') || text.startsWith('epc : ')) {
    const m = /^epc {1,3}: ([0-9a-f]{8,16}) (.{1,300})$/.exec(text);
    const f = m ? parseFrameLine(m[2]!) : null;
    if (m && f && f.fn) {
      if (!st.task) st.useTask(report?.pid ?? null, report?.comm ?? null, report?.cpu ?? null, no);
      st.setException({ fn: f.fn, offset: f.offset, address: m[1]!, module: f.module, registers: st.mipsRegs ?? {}, context: st.context, line: no, lines: [no] });
      st.mipsRegs = null;
      return;
    }
  }
  // arm64 __show_regs (v4.16+): "pc : queued_spin_lock_slowpath+0x74/0x3a8", "lr : ...", "sp : ...",
  // then "x29: ... x28: ... x27: ..." down to "x0 : ..."; before v4.16 "PC is at fn+0x/0x"
  if (text.startsWith('pc : ') || text.startsWith('PC is at ')) {
    const f = parseFrameLine(text.slice(text.startsWith('pc') ? 5 : 9));
    if (f && f.fn) {
      if (!st.task) st.useTask(report?.pid ?? null, report?.comm ?? null, report?.cpu ?? null, no);
      st.setException({ fn: f.fn, offset: f.offset, address: f.address, module: f.module, registers: {}, context: st.context, line: no, lines: [no] });
      return;
    }
  }
  // arm64 "x29: ... x28: ..." lines, and 32-bit arm __show_regs "r7 : ef7b1f00  r6 : ef7b5e00 ...",
  // "sp : c3b0fee8  ip : c3b0ff00  fp : c3b0fefc"
  const pairs = !st.exc ? null : ARM64_REGS_RE.test(text) ? ARM64_PAIR_RE : ARM32_REGS_RE.test(text) ? ARM32_PAIR_RE : null;
  if (st.exc && pairs) {
    parseRegisterPairs(text, pairs, st.exc.registers);
    st.exc.lines.push(no);
    return;
  }
  const rip = parseRipLine(text);
  if (rip) {
    const exc: ExceptionFrame = {
      fn: rip.fn, offset: rip.offset, address: rip.address, module: rip.module,
      registers: {}, context: st.context, line: no, lines: [no],
    };
    if (rip.address) exc.registers.RIP = rip.address;
    if (rip.cs) exc.registers.CS = rip.cs;
    if (!st.task) st.useTask(report?.pid ?? null, report?.comm ?? null, report?.cpu ?? null, no);
    st.setException(exc);
    return;
  }
  // "Code: 48 8b ..." follows a RIP line, also inside a trace (v5.x+ prints the interrupted registers there)
  if (text.startsWith('Code: ')) return;
  if (st.exc && isRegisterLine(text)) {
    parseRegisters(text, st.exc.registers);
    st.exc.lines.push(no);
    return;
  }
  if (report) {
    const b = matchBlocker(text);
    // the blocker line follows its own task's header; one naming another waiter is not this report's
    if (b && (report.pid === null || b.waiterPid === report.pid)) {
      report.blocker = { primitive: b.primitive, ownerComm: b.ownerComm, ownerPid: b.ownerPid, line: no, ...(b.ownerReader ? { ownerReader: true } : {}) };
      return;
    }
    if (lockdepLine(report, ds, raw, no)) return;
    // stall lines may follow the NMI backtraces the stall report triggered: they belong to it
    const rcuReport = report.kind === 'rcu_stall' ? report
      : text.includes('kthread starved') ? lastRcuReport(st.model) ?? report : null;
    if (rcuReport && rcuLine(rcuReport, raw, no)) return;
    // sysrq-t and the hung-task/workqueue watchdogs print the busy workqueues under any report
    if (text.startsWith('Showing busy workqueues and worker pools')) {
      ds.wqDump = true;
      return;
    }
    if (report.kind === 'workqueue_lockup' || ds.wq || ds.wqDump) {
      if (workqueueLine(report, ds, raw, no)) return;
    }
    if (report.kind === 'sleeping_in_atomic' || report.kind === 'scheduling_while_atomic') {
      if (atomicLine(report, ds, raw, no)) return;
    }
    if ((report.kind === 'spinlock_lockup' || report.kind === 'spinlock_recursion') && spinDumpLine(report, text, no)) return;
    if (report.kind === 'netdev_unregister' && refTrackerLine(report, ds, text, no)) return;
  }
  // 32-bit arm prints its unwinder's lines ("[<pc>] (fn) from [<lr>] (caller+0x/0x)") with no
  // "Call trace:" line before them (arch/arm/kernel/traps.c dump_backtrace, v4.x+)
  if (!st.inTrace && ARM_UNWIND_RE.test(text)) st.startTrace(no);
  if (st.inTrace) {
    if (TRACE_END.some((s) => text.startsWith(s))) {
      st.inTrace = false;
      return;
    }
    frameLine(st, raw, no);
    armIrqEntry(st, text, no);
  }
}

// 32-bit arm: "[<c0100b0c>] (__irq_svc) from [<c0b1d8e4>] (_raw_spin_lock+0x44/0x58)": the frames so far
// ran in the interrupt that __irq_svc entered from kernel mode; the caller it names is the code
// interrupted, where the "PC is at" registers belong (arch/arm/kernel/entry-armv.S)
const ARM_IRQ_SVC_RE = /^\[<[0-9a-f]{8}>\] \(__irq_svc\) from \[<[0-9a-f]{8}>\] \(([A-Za-z_$.][\w.$]{0,255})\+0x/;

const ARM_PT_REGS = ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'FP', 'IP', 'SP', 'LR', 'PC', 'CPSR', 'ORIG_R0'];

function armIrqEntry(st: BlockState, text: string, no: number): void {
  const m = ARM_IRQ_SVC_RE.exec(text);
  const seg = st.seg;
  const words = st.armExcWords;
  if (m) st.armExcWords = null;
  if (!m || !seg || st.frozen || seg.context !== 'process') return;
  seg.context = 'hardirq';
  for (const f of seg.frames) f.context = 'hardirq';
  const exc = seg.exception && seg.exception.fn === m[1] ? seg.exception : null;
  if (exc) seg.exception = null;
  else if (seg.exception) seg.exception.context = 'hardirq';
  st.context = 'process';
  const next = st.newSegment('process');
  if (exc && next.exception === null) {
    next.exception = exc;
    exc.context = 'process';
  } else if (!exc && next.exception === null && words && words.length >= 16) {
    // the Exception stack words of this entry: the interrupted code's registers, its pc the caller named
    const registers: Record<string, string> = {};
    words.slice(0, ARM_PT_REGS.length).forEach((w, k) => { registers[ARM_PT_REGS[k]!] = w; });
    next.exception = { fn: m[1]!, offset: null, address: registers.PC ?? null, module: null, registers, context: 'process', line: no, lines: [no] };
  }
}

// "x29: ffff8000a6ebb8f0 x28: ..." / "x9 : ffff800080b2d2a4" / "sp : ffff8000a6ebb8f0" / "lr : fn+0x84/0x98"
const ARM64_REGS_RE = /^(?:x\d{1,2} ?: [0-9a-f]{16}|sp : [0-9a-f]{16}|lr : \S)/;
const ARM64_PAIR_RE = /\b(x\d{1,2}|sp) ?: ([0-9a-f]{16})\b/g;
const ARM_UNWIND_RE = /^\[<[0-9a-f]{8,16}>\] \([A-Za-z_$.][\w.$]{0,255}(?: \[[\w.-]{1,64}\])?\) from \[</;
const ARM32_REGS_RE = /^(?:r\d{1,2} ?: [0-9a-f]{8}\b|sp : [0-9a-f]{8} )/;
const ARM32_PAIR_RE = /\b(r\d{1,2}|sp|ip|fp) ?: ([0-9a-f]{8})\b/g;

/** arm register pairs ("x0 : ...", "r0 : ...") into `regs` under upper-case names (X0, R0, SP), as the model keys them. */
function parseRegisterPairs(text: string, re: RegExp, regs: Record<string, string>): void {
  const t = text.slice(0, 400);
  re.lastIndex = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) regs[m[1]!.toUpperCase()] = m[2]!;
}

const lastRcu = new WeakMap<TraceModel, Report>();

function lastRcuReport(model: TraceModel): Report | undefined {
  return lastRcu.get(model);
}

function frameLine(st: BlockState, raw: string, no: number): void {
  const { context, rest } = splitMarkers(raw);
  if (context && context !== st.context) {
    // x86 show_regs() from an NMI (hard-lockup watchdog, nmi_backtrace) prints the registers the NMI
    // interrupted, then a trace whose NMI-stack entries are all "?" (arch/x86/kernel/dumpstack.c:
    // the unwind starts at those registers): the register block belongs to the code after </NMI>
    const seg = st.seg;
    if (st.context === 'nmi' && seg && seg.exception && seg.frames.length > 0 && seg.frames.every((f) => f.unreliable) && !st.frozen) {
      st.exc = seg.exception;
      st.excUsed = false;
      seg.exception = null;
      st.exc.context = context;
    }
    st.context = context;
    st.newSegment(context);
  }
  if (!rest) return;
  const f = parseFrameLine(rest);
  if (!f || !st.task) return;
  const seg = st.seg ?? st.newSegment(st.context);
  if (f.unreliable && st.linkFn !== null) {
    if (seg.frames.length === 0 && f.fn === st.linkFn) f.unreliable = false;
    st.linkFn = null;
  }
  seg.frames.push({ ...f, context: seg.context, line: no });
}

export const consoleRecognizer: Recognizer = {
  name: 'console',
  starts(lines, i) {
    const t = lines[i]?.text ?? '';
    return matchDetector(t) !== null || startsBlock(t);
  },
  consume(lines, i, model) {
    try {
      return consumeBlock(lines as readonly ConsoleLine[], i, model);
    } catch {
      // never let one odd block cost the whole paste
      return i + 1;
    }
  },
};
