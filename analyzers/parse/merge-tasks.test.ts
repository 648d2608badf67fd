import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StackSegment, Task, TaskSource } from '../model/trace-model.ts';
import { emptyModel } from './recognizer.ts';
import { mergeTasks } from './merge-tasks.ts';

function seg(fns: string[], line = 1): StackSegment {
  return { context: 'process', exception: null, frames: fns.map((fn, i) => ({ fn, offset: null, size: null, address: null, module: null, unreliable: false, context: 'process', line: line + i })) };
}

function raw(key: string, source: TaskSource, fields: Partial<Task>): Task {
  return { key, pid: null, comm: null, task: null, cpu: null, state: null, stack: [], sources: [source], lines: [], kthread: false, ...fields };
}

test('a task known by address only (waiter list, bt without pid) finds its pid through a `p $1.pid` binding', () => {
  const m = emptyModel();
  m.bindings.push({ task: 'ffff8b93cdcf8000', pid: 12862, line: 40 });
  m.tasks.push(raw('raw:a', 'crash-bt', { task: 'ffff8b93cdcf8000', stack: [seg(['down_write'])], lines: [41] }));
  m.tasks.push(raw('raw:b', 'ps', { pid: 12862, comm: 'java', state: 'D', lines: [3] }));
  mergeTasks(m);
  assert.equal(m.tasks.length, 1);
  assert.deepEqual([m.tasks[0].key, m.tasks[0].pid, m.tasks[0].comm, m.tasks[0].state, m.tasks[0].task], ['pid:12862', 12862, 'java', 'D', 'ffff8b93cdcf8000']);
  assert.deepEqual(m.tasks[0].lines, [3, 41]);
});

test('the crash backtrace wins over a console or /proc stack; the longer of two crash stacks wins', () => {
  const m = emptyModel();
  m.tasks.push(raw('pid:7', 'console', { pid: 7, stack: [seg(['a', 'b', 'c', 'd', 'e'])] }));
  m.tasks.push(raw('raw:1', 'crash-bt', { pid: 7, stack: [seg(['x', 'y'])] }));
  m.tasks.push(raw('raw:2', 'crash-bt', { pid: 7, stack: [seg(['x', 'y', 'z'])] }));
  m.tasks.push(raw('raw:3', 'proc-stack', { pid: 7, stack: [seg(['p', 'q', 'r', 's', 't', 'u'])] }));
  m.reports.push({ kind: 'hung_task', header: 'INFO: task', line: 1, cpu: null, pid: 7, comm: null, seconds: 120, message: null, taskKeys: ['pid:7', 'raw:2'], workqueue: null, blocker: null, lockdep: null, details: {}, endLine: 2 });
  mergeTasks(m);
  assert.equal(m.tasks.length, 1);
  assert.deepEqual(m.tasks[0].stack[0].frames.map((f) => f.fn), ['x', 'y', 'z']);
  assert.deepEqual(m.tasks[0].sources, ['console', 'crash-bt', 'proc-stack']);
  assert.deepEqual(m.reports[0].taskKeys, ['pid:7'], 'report keys follow the merge, without duplicates');
});

test('idle tasks (pid 0) are one per CPU; unrelated tasks keep input order and unique keys', () => {
  const m = emptyModel();
  m.tasks.push(raw('raw:0a', 'crash-bt', { pid: 0, cpu: 0, task: 'ffffffff81a13480', comm: 'swapper/0' }));
  m.tasks.push(raw('raw:0b', 'crash-bt', { pid: 0, cpu: 1, task: 'ffff88017fc24000', comm: 'swapper/1' }));
  m.tasks.push(raw('cpu:1', 'console', { pid: 0, cpu: 1, stack: [seg(['intel_idle'])] }));
  m.tasks.push(raw('raw:x', 'proc-stack', { stack: [seg(['schedule'])] }));
  m.tasks.push(raw('raw:y', 'proc-stack', { stack: [seg(['io_schedule'])] }));
  mergeTasks(m);
  assert.deepEqual(m.tasks.map((t) => t.key), ['cpu:0', 'cpu:1', 'anon:1', 'anon:2']);
  assert.equal(m.tasks[1].comm, 'swapper/1');
  assert.equal(m.tasks[1].kthread, true);
});

test('a sleeping task seen only as a ps row lends its state and comm to the stack found elsewhere', () => {
  const m = emptyModel();
  m.psRows.push({ pid: 4790, ppid: 2, cpu: 1, task: 'ffff88003570de20', state: 'D', comm: 'kworker/1:2', kthread: true, line: 9 });
  m.tasks.push(raw('raw:p', 'proc-stack', { pid: 4790, stack: [seg(['ttm_eu_reserve_buffers'])], lines: [20] }));
  mergeTasks(m);
  const t = m.tasks[0];
  assert.deepEqual([t.pid, t.comm, t.state, t.task, t.cpu, t.kthread], [4790, 'kworker/1:2', 'D', 'ffff88003570de20', 1, true]);
  assert.deepEqual(t.lines, [9, 20]);
  assert.ok(t.sources.includes('crash-ps'));
});

test('one process sampled several times (ps -p $P; cat /proc/$P/stack in a loop): the one-row ps listing names each stack, and the last sample is where the task is now', async () => {
  const { parse } = await import('./parse.ts');
  const sample = (stat: string, wchan: string, frames: string[]): string[] => [
    '    PID STAT WCHAN                        CMD',
    `   7731 ${stat}   ${wchan.padEnd(28)} /usr/sbin/mount.nfs 10.0.0.5:/export /mnt/x`,
    ...frames.map((f) => `[<0>] ${f}`),
  ];
  const rpc = ['rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]', '__rpc_execute+0x11a/0x480 [sunrpc]', 'rpc_run_task+0x14c/0x190 [sunrpc]', 'nfs4_proc_get_root+0x59/0xa0 [nfsv4]'];
  const stillStuck = parse([...sample('D', 'rpc_wait_bit_killable', rpc), '', ...sample('D', 'rpc_wait_bit_killable', rpc)].join('\n'));
  assert.deepEqual(stillStuck.tasks.map((t) => [t.key, t.state]), [['pid:7731', 'D']]);
  const moved = parse([...sample('D', 'rpc_wait_bit_killable', rpc), '', ...sample('S', 'do_sys_poll', ['do_sys_poll+0x3c8/0x5a0', '__x64_sys_poll+0xa6/0x140'])].join('\n'));
  assert.deepEqual(moved.tasks.map((t) => [t.key, t.state, t.stack[0]!.frames[0]!.fn]), [['pid:7731', 'S', 'do_sys_poll']]);
  // a listing of several processes names no one in particular: the stack stays anonymous
  const many = parse(['    PID STAT WCHAN                        CMD', '   7731 D    rpc_wait_bit_killable        mount.nfs', '   7740 S    do_sys_poll                  rpcbind', ...rpc.map((f) => `[<0>] ${f}`)].join('\n'));
  assert.equal(many.tasks.find((t) => t.stack.length > 0)?.pid ?? null, null);
});
