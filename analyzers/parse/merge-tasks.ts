// After the dispatcher, one task may have been seen several times: a crash `ps` row, a
// /proc/N/stack, a `bt N`, a console "CPU: N PID: N Comm:" dump, a `bt` then a `bt -a` (seed 001).
// They are one task when they share a pid (> 0), a task_struct address, or (for the idle task, pid
// 0) a CPU. Task addresses are first resolved to pids through `ps` rows, `p $1.pid` bindings, the
// `sys` banner and bt headers. The merged task keeps the most complete stack (a crash backtrace over
// a console one, then the one with more frames) and never duplicates an identical stack.

import type { StackSegment, Task, TaskSource, TraceModel } from '../model/trace-model.ts';

const STACK_PRIORITY: TaskSource[] = ['crash-bt', 'console', 'proc-stack', 'crash-ps', 'ps', 'crash-struct'];
const COMM_PRIORITY: TaskSource[] = ['crash-bt', 'crash-ps', 'console', 'ps', 'proc-stack', 'crash-struct'];
const STATE_PRIORITY: TaskSource[] = ['crash-ps', 'ps', 'console', 'crash-bt', 'proc-stack', 'crash-struct'];
const KTHREAD_FRAMES = new Set(['kthread', 'worker_thread', 'smpboot_thread_fn', 'rescuer_thread', 'cpu_startup_entry', 'start_secondary', 'rest_init']);

export function mergeTasks(model: TraceModel): void {
  const raw = model.tasks;
  // task address → pid, for the tasks seen without a pid (a struct dump's owner, a headerless bt);
  // a foreach bt has none, and then its 10k addresses are not hashed here
  let unnamed = false;
  for (const t of raw) if (t.pid === null && t.task) unnamed = true;
  if (unnamed) {
    const pidOfTask = new Map<string, number>();
    for (const r of model.psRows) if (r.task) pidOfTask.set(r.task, r.pid);
    for (const b of model.bindings) pidOfTask.set(b.task, b.pid);
    for (const t of raw) if (t.task && t.pid !== null) pidOfTask.set(t.task, t.pid);
    for (const t of raw) if (t.pid === null && t.task && pidOfTask.has(t.task)) t.pid = pidOfTask.get(t.task) ?? null;
  }

  // Union-find over identities.
  const parent = raw.map((_t, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  // one owner map per kind of identity (pid > 0, task_struct address, idle CPU): no key strings built per task
  const byPid = new Map<number, number>();
  const byTask = new Map<string, number>();
  const byIdle = new Map<number, number>();
  let unions = 0;
  const unite = (o: number | undefined, i: number): void => {
    if (o === undefined) return;
    const a = find(o);
    const b = find(i);
    if (a !== b) {
      parent[Math.max(a, b)] = Math.min(a, b);
      unions++;
    }
  };
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (t.pid !== null && t.pid > 0) {
      const o = byPid.get(t.pid);
      if (o === undefined) byPid.set(t.pid, i);
      else unite(o, i);
    }
    if (t.task) {
      const o = byTask.get(t.task);
      if (o === undefined) byTask.set(t.task, i);
      else unite(o, i);
    }
    if (t.pid === 0 && t.cpu !== null) {
      const o = byIdle.get(t.cpu);
      if (o === undefined) byIdle.set(t.cpu, i);
      else unite(o, i);
    }
  }
  // Groups in order of their first task. When nothing was united (every task of a plain foreach bt)
  // each task is its own group: no group arrays are built.
  const groups = new Map<number, Task[]>();
  if (unions > 0) {
    for (let i = 0; i < raw.length; i++) {
      const root = find(i);
      const g = groups.get(root);
      if (g) g.push(raw[i]);
      else groups.set(root, [raw[i]]);
    }
  }
  const groupList = unions > 0 ? [...groups.values()] : null;
  const count = groupList ? groupList.length : raw.length;

  const psByPid = new Map<number, (typeof model.psRows)[number]>();
  for (const r of model.psRows) if (!psByPid.has(r.pid)) psByPid.set(r.pid, r);
  // raw key -> final key, for the reports' task keys only (a foreach bt has none: 10k keys not hashed)
  const renamed = new Map<string, string>();
  const rename = model.reports.length > 0;
  const used = new Set<string>();
  const merged: Task[] = [];
  let anon = 0;
  for (let gi = 0; gi < count; gi++) {
    const group = groupList ? groupList[gi] : null;
    const t = group === null ? combineOne(raw[gi], psByPid) : group.length === 1 ? combineOne(group[0], psByPid) : combine(group, psByPid);
    let key: string;
    if (t.pid !== null && t.pid > 0) {
      // every task with this pid is in this group (united by pid above): no other key can equal it
      key = `pid:${t.pid}`;
    } else {
      key = t.pid === 0 && t.cpu !== null ? `cpu:${t.cpu}` : t.task ? `task:${t.task}` : t.cpu !== null ? `cpu:${t.cpu}` : `anon:${++anon}`;
      while (used.has(key)) key = `anon:${++anon}`;
      used.add(key);
    }
    t.key = key;
    if (rename) for (const g of group ?? [raw[gi]]) if (!renamed.has(g.key)) renamed.set(g.key, key);
    merged.push(t);
  }
  model.tasks = merged;
  for (const report of model.reports) report.taskKeys = [...new Set(report.taskKeys.map((k) => renamed.get(k) ?? k))];
  commsFromHeldLocks(model);
}

/**
 * A task seen only by pid (a `cat /proc/N/stack`) takes its comm from a lockdep held-lock list that
 * names it ("5 locks held by mv/40198:").
 */
function commsFromHeldLocks(model: TraceModel): void {
  const lists = model.heldLocks ?? [];
  const inReports = model.reports.some((r) => (r.lockdep?.heldBy.length ?? 0) > 0);
  if (lists.length === 0 && !inReports) return;
  const comm = new Map<number, string>();
  for (const r of model.reports) for (const h of r.lockdep?.heldBy ?? []) comm.set(h.pid, h.comm);
  for (const h of lists) comm.set(h.pid, h.comm);
  for (const t of model.tasks) if (t.comm === null && t.pid !== null && t.pid > 0 && comm.has(t.pid)) t.comm = comm.get(t.pid)!;
}

function pick<T>(group: Task[], order: TaskSource[], get: (t: Task) => T | null): T | null {
  for (const src of order) {
    for (const t of group) {
      if (!t.sources.includes(src)) continue;
      const v = get(t);
      if (v !== null && v !== undefined) return v;
    }
  }
  for (const t of group) {
    const v = get(t);
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

type PsRow = { state: string; comm: string; cpu: number | null; task: string | null; kthread: boolean; line: number };

/**
 * combine() for a task seen once (every task of a plain foreach bt): pick() over one task is its own
 * value, bestStack() its stack when it has frames. Same result, without the per-field scans.
 */
function combineOne(t: Task, psByPid: Map<number, PsRow>): Task {
  const pid = t.pid ?? null;
  const ps = pid !== null ? psByPid.get(pid) : undefined;
  // a raw task is dropped after the merge: its one-element arrays are taken over, not copied
  let sources: TaskSource[] = t.sources;
  if (sources.length !== 1) {
    sources = [];
    for (const s of t.sources) if (!sources.includes(s)) sources.push(s);
  }
  let lines: number[];
  if (ps && !t.lines.includes(ps.line)) {
    lines = [...new Set([...t.lines, ps.line])].sort((a, b) => a - b);
    if (!sources.includes('ps') && !sources.includes('crash-ps')) sources = [...sources, ps.task ? 'crash-ps' : 'ps'];
  } else lines = t.lines.length === 1 ? t.lines : [...new Set(t.lines)].sort((a, b) => a - b);
  let frames = 0;
  for (const s of t.stack) frames += s.frames.length + (s.exception ? 1 : 0);
  const stack = frames > 0 ? t.stack : [];
  return {
    key: '',
    pid,
    comm: t.comm ?? ps?.comm ?? null,
    task: t.task ?? ps?.task ?? null,
    cpu: t.cpu ?? ps?.cpu ?? null,
    state: t.state ?? ps?.state ?? null,
    stack,
    sources,
    lines,
    kthread: t.kthread || (ps?.kthread ?? false) || pid === 0 || hasKthreadFrame(stack),
    ...(t.spRange ? { spRange: t.spRange } : {}),
  };
}

function hasKthreadFrame(stack: StackSegment[]): boolean {
  for (const s of stack) for (const f of s.frames) if (KTHREAD_FRAMES.has(f.fn)) return true;
  return false;
}

function combine(group: Task[], psByPid: Map<number, PsRow>): Task {
  const pid = pick(group, STACK_PRIORITY, (t) => t.pid);
  const ps = pid !== null ? psByPid.get(pid) : undefined;
  const sources: TaskSource[] = [];
  const lines = new Set<number>();
  for (const t of group) {
    for (const s of t.sources) if (!sources.includes(s)) sources.push(s);
    for (const l of t.lines) lines.add(l);
  }
  if (ps && !group.some((t) => t.lines.includes(ps.line))) {
    lines.add(ps.line);
    if (!sources.includes('ps') && !sources.includes('crash-ps')) sources.push(ps.task ? 'crash-ps' : 'ps');
  }
  // The same process sampled several times (`for i in 1 2 3; do ps -p $P; cat /proc/$P/stack; sleep
  // 10; done`): only /proc stacks and ps rows, more than one stack. Samples are moments of one task,
  // the last one is where it is now (it may have moved on: the lock was granted, the request answered)
  const samples = group.filter((t) => t.stack.length > 0);
  const sampled = samples.length >= 2 && group.every((t) => t.sources.every((s) => s === 'proc-stack' || s === 'ps'));
  const latest = sampled ? samples.reduce((a, b) => (b.lines[0]! > a.lines[0]! ? b : a)) : null;
  const stack = latest ? latest.stack : bestStack(group);
  const merged: Task = {
    key: '',
    pid,
    comm: pick(group, COMM_PRIORITY, (t) => t.comm) ?? ps?.comm ?? null,
    task: pick(group, STACK_PRIORITY, (t) => t.task) ?? ps?.task ?? null,
    cpu: pick(group, STACK_PRIORITY, (t) => t.cpu) ?? ps?.cpu ?? null,
    state: latest?.state ?? pick(group, STATE_PRIORITY, (t) => t.state) ?? ps?.state ?? null,
    stack,
    sources,
    lines: [...lines].sort((a, b) => a - b),
    kthread: group.some((t) => t.kthread) || (ps?.kthread ?? false) || pid === 0 || stack.some((s) => s.frames.some((f) => KTHREAD_FRAMES.has(f.fn))),
  };
  const withRange = group.find((t) => t.spRange !== undefined && t.stack === stack) ?? group.find((t) => t.spRange !== undefined);
  if (withRange?.spRange) merged.spRange = withRange.spRange;
  return merged;
}

/** The most complete stack of the group: crash backtraces first, then the one with most frames. */
function bestStack(group: Task[]): StackSegment[] {
  let best: StackSegment[] = [];
  let bestRank = -1;
  let bestFrames = -1;
  for (const t of group) {
    const frames = t.stack.reduce((n, s) => n + s.frames.length + (s.exception ? 1 : 0), 0);
    if (frames === 0) continue;
    const srcRank = Math.min(...t.sources.map((s) => STACK_PRIORITY.length - STACK_PRIORITY.indexOf(s)));
    if (srcRank > bestRank || (srcRank === bestRank && frames > bestFrames)) {
      best = t.stack;
      bestRank = srcRank;
      bestFrames = frames;
    }
  }
  return best;
}
