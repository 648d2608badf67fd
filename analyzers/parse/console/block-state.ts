// Mutable state of one console block while it is being consumed: the report being filled, the task
// whose stack is being read, the current stack segment and the pending exception frame (the
// "RIP:" line and its register lines, which describe the code that was interrupted).

import type {
  Context, ExceptionFrame, Report, StackSegment, Task, TraceModel,
} from '../../model/trace-model.ts';

const taskIndex = new WeakMap<TraceModel, Map<string, Task>>();

function indexOf(model: TraceModel): Map<string, Task> {
  let m = taskIndex.get(model);
  if (!m) {
    m = new Map();
    for (const t of model.tasks) if (!m.has(t.key)) m.set(t.key, t);
    taskIndex.set(model, m);
  }
  return m;
}

/** Key used for console tasks: "pid:N"; the per-CPU idle tasks (pid 0, "swapper/N") are "cpu:N". */
export function taskKey(pid: number | null, cpu: number | null, anon: () => string): string {
  if (pid !== null && pid > 0) return `pid:${pid}`;
  if (cpu !== null) return `cpu:${cpu}`;
  return anon();
}

export class BlockState {
  task: Task | null = null;
  seg: StackSegment | null = null;
  exc: ExceptionFrame | null = null;
  /** powerpc: the function in the link register ("LR [addr] fn+off/size") of the exception being read. */
  linkFn: string | null = null;
  inTrace = false;
  context: Context = 'process';
  /** CPU named by the report header, for a stack printed without a "CPU:" line. */
  defaultCpu: number | null = null;
  /** 32-bit arm "Exception stack(0xA to 0xB)" words being read, and how many the range holds. */
  armExcWords: string[] | null = null;
  armExcWant = 0;
  /** MIPS general registers read before their "epc :" line (show_regs prints them first). */
  mipsRegs: Record<string, string> | null = null;
  /** The CPU of a "Task dump for CPU N:" line, for the task line that follows it. */
  dumpCpu: number | null = null;

  private readonly reportKeys: Set<string>;

  constructor(
    readonly model: TraceModel,
    readonly report: Report | null,
  ) {
    this.reportKeys = new Set(report?.taskKeys ?? []);
  }

  private anon = (): string => `anon:${this.model.tasks.length}`;

  /** Find or create the task for (pid, comm, cpu) and make it current. */
  useTask(pid: number | null, comm: string | null, cpu: number | null, line: number, state: string | null = null): Task {
    const cur = this.task;
    // "NMI backtrace for cpu 1" then "CPU: 1 PID: 123 Comm: x": the same task, now with its pid
    if (cur && cur.pid === null && cpu !== null && cur.cpu === cpu && cur.stack.length === 0 && pid !== null) {
      const idx = indexOf(this.model);
      if (idx.get(cur.key) === cur) idx.delete(cur.key);
      cur.pid = pid;
      cur.key = taskKey(pid, cpu, this.anon);
      if (comm) cur.comm = comm;
      if (!idx.has(cur.key)) idx.set(cur.key, cur);
      cur.lines.push(line);
      if (this.report && !this.reportKeys.has(cur.key)) {
        this.reportKeys.add(cur.key);
        this.report.taskKeys.push(cur.key);
      }
      return cur;
    }
    const key = taskKey(pid, cpu, this.anon);
    const idx = indexOf(this.model);
    let t = idx.get(key);
    // printed again later (another report, a repeated paste): the first stack is kept and the
    // repeat is not stored, which keeps memory flat on logs that dump the same tasks over and over
    this.frozen = !!t && t.stack.length > 0 && t !== cur ? true : t === cur ? this.frozen : false;
    if (!t) {
      t = { key, pid, comm, task: null, cpu, state, stack: [], sources: ['console'], lines: [], kthread: false };
      this.model.tasks.push(t);
      if (!idx.has(key)) idx.set(key, t);
    }
    if (comm && !t.comm) t.comm = comm;
    if (cpu !== null && t.cpu === null) t.cpu = cpu;
    if (state && !t.state) t.state = state;
    t.lines.push(line);
    if (t !== cur) {
      this.task = t;
      this.seg = null;
      this.inTrace = false;
      this.context = 'process';
    }
    // a set, not includes(): one report (a sysrq-t dump) may name tens of thousands of tasks
    if (this.report && !this.reportKeys.has(t.key)) {
      this.reportKeys.add(t.key);
      this.report.taskKeys.push(t.key);
    }
    return t;
  }

  /** "Call Trace:" seen: frames follow. */
  startTrace(line: number): void {
    if (this.frozen) {
      this.inTrace = true;
      return;
    }
    if (!this.task || (this.task.stack.length > 0 && !this.inTrace && this.task.stack.some((s) => s.frames.length > 0))) {
      this.useTask(this.report?.pid ?? null, this.report?.comm ?? null, this.defaultCpu, line);
    }
    this.inTrace = true;
    this.context = 'process';
    this.newSegment('process');
  }

  newSegment(context: Context): StackSegment {
    if (this.frozen) return { context, frames: [], exception: null }; // detached: not stored
    const seg: StackSegment = { context, frames: [], exception: null };
    if (this.exc && !this.excUsed) {
      seg.exception = this.exc;
      this.excUsed = true;
    }
    // an empty segment just opened (e.g. "Call Trace:" then "<IRQ>") is reused; a RIP printed
    // before the trace belongs to the first frames that follow, whatever context they are in
    const last = this.seg;
    if (last && last.frames.length === 0 && this.task?.stack.at(-1) === last && !(last.exception && seg.exception)) {
      last.context = context;
      last.exception ??= seg.exception;
      if (last.exception) last.exception.context = context;
      return last;
    }
    this.task?.stack.push(seg);
    this.seg = seg;
    return seg;
  }

  excUsed = true;
  /** The current task already had its stack from an earlier print: ignore this one. */
  frozen = false;

  /** A "RIP:" line: the registers that follow belong to it. */
  setException(exc: ExceptionFrame): void {
    this.exc = exc;
    this.excUsed = false;
    if (this.inTrace && this.task) {
      exc.context = this.context;
      this.newSegment(this.context);
    }
  }
}
