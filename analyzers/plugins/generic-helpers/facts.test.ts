// factsOf makes one pass over a task's frames for what several analyzers ask; its answers must be
// the ones the plain walkers give (classify/frames.ts taskFrames, classifyWait, spinTop's rules),
// including the old all-"?" stacks and frames without a name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context, ExceptionFrame, Frame, StackSegment, Task } from '../../model/trace-model.ts';
import { taskFrames as referenceFrames } from '../../classify/frames.ts';
import { classifyWait, factsOf, modelFacts, spinInfo, taskFrames, waitOf } from './index.ts';
import { spinnersOf, takerOf } from '../../graph/spin.ts';
import type { TraceModel } from '../../model/trace-model.ts';

let line = 1;
function fr(fn: string, opts: Partial<Frame> = {}): Frame {
  return { fn, offset: 12, size: null, address: null, module: null, unreliable: false, context: 'process', line: line++, ...opts };
}
function exc(fn: string, registers: Record<string, string> = {}): ExceptionFrame {
  return { fn, offset: 40, address: null, module: null, registers, context: 'process', line: line++, lines: [line] };
}
function seg(frames: Frame[], exception: ExceptionFrame | null = null, context: Context = 'process'): StackSegment {
  return { context, frames, exception };
}
function task(stack: StackSegment[], lines: number[] = []): Task {
  return { key: `anon:${line}`, pid: 1, comm: 'x', task: null, cpu: 0, state: null, stack, sources: ['crash-bt'], lines, kthread: false };
}

test('frames with and without exception RIPs are the reference lists; all-"?" segments keep their non-+0x0 frames', () => {
  const t = task([
    seg([fr('native_queued_spin_lock_slowpath'), fr('_raw_spin_lock'), fr('bfq_finish_requeue_request.isra.0')], exc('native_queued_spin_lock_slowpath', { RDI: 'ffff88003570de20' }), 'softirq'),
    seg([fr('a', { unreliable: true, offset: 0 }), fr('b', { unreliable: true }), fr('', { unreliable: true }), fr('c', { unreliable: true })]),
    seg([fr('mutex_lock'), fr('', {}), fr('do_thing', { module: 'mymod' })], exc('mutex_lock')),
  ], [500]);
  const f = factsOf(t);
  assert.deepEqual(f.frames, referenceFrames(t));
  assert.deepEqual(taskFrames(t, { exceptions: false }), referenceFrames(t, { exceptions: false }));
  assert.deepEqual(f.contexts.map((c) => c.frames), [
    ['native_queued_spin_lock_slowpath', '_raw_spin_lock', 'bfq_finish_requeue_request.isra.0'], ['a', 'b', 'c'], ['mutex_lock', 'do_thing'],
  ]);
  assert.equal(f.contexts[0]!.exceptionRip, 'native_queued_spin_lock_slowpath+40');
  assert.deepEqual(f.modules, ['mymod']);
  assert.equal(f.firstLine, Math.min(...t.stack.flatMap((s) => [...s.frames.map((x) => x.line), ...(s.exception ? [s.exception.line] : [])])));
  assert.deepEqual(waitOf(t), classifyWait(referenceFrames(t, { exceptions: false })));
  assert.equal(spinInfo(t)?.address, 'ffff88003570de20');
  const [sp, ...more] = spinnersOf(t);
  assert.equal(more.length, 0);
  assert.deepEqual({ lock: sp!.lock, at: sp!.at, segment: sp!.segment, context: sp!.context, ...takerOf(t.stack[0]!) },
    { lock: 'ffff88003570de20', at: 'native_queued_spin_lock_slowpath', segment: 0, context: 'process', taker: 'bfq_finish_requeue_request', via: '_raw_spin_lock' });
  assert.equal(sp!.taker, 'bfq_finish_requeue_request');
  assert.equal(sp!.via, '_raw_spin_lock');
  // upper-case RDI is lower-cased; a user pointer is no lock
  assert.equal(spinnersOf(task([seg([fr('x_fn')], exc('_raw_spin_lock', { RDI: 'FFFF88003570DE20' }))]))[0]?.lock, 'ffff88003570de20');
  assert.equal(spinnersOf(task([seg([fr('x_fn')], exc('_raw_spin_lock', { RDI: '00007ffd12345678' }))])).length, 0);
  assert.equal(spinInfo(t)?.at, 'native_queued_spin_lock_slowpath');
});

test('spin frames count only among the first four reliable frames, named or not', () => {
  const late = task([seg([fr('x'), fr(''), fr('y'), fr('z'), fr('_raw_spin_lock')])]);
  assert.equal(spinInfo(late), null);
  const early = task([seg([fr('x'), fr(''), fr('_raw_spin_lock_irqsave'), fr('z')])]);
  assert.equal(spinInfo(early)?.at, '_raw_spin_lock_irqsave');
  // all "?": the first two and last two frames that are not +0x0 pointers
  const old = task([seg(['p', 'q', 'r', 's', 'native_queued_spin_lock_slowpath'].map((n) => fr(n, { unreliable: true })))]);
  assert.equal(spinInfo(old)?.at, 'native_queued_spin_lock_slowpath');
});

test('a wait past the 40th frame is not a wait, as classifyWait says', () => {
  const deep = task([seg([...Array.from({ length: 40 }, (_, i) => fr(`f${i}`)), fr('mutex_lock')])]);
  assert.equal(waitOf(deep), null);
  assert.equal(classifyWait(referenceFrames(deep, { exceptions: false })), null);
  const near = task([seg([...Array.from({ length: 39 }, (_, i) => fr(`f${i}`)), fr('mutex_lock'), fr('caller')])]);
  assert.deepEqual(waitOf(near), classifyWait(referenceFrames(near, { exceptions: false })));
  assert.equal(waitOf(near)?.primitive, 'mutex');
});

test('IPI waits: process context only, the exception RIP first, and no further than three frames of real work', () => {
  const rip = task([seg([fr('on_each_cpu'), fr('text_poke_bp_batch')], exc('smp_call_function_many.part.0'))]);
  assert.equal(factsOf(rip).ipiAt, 'smp_call_function_many');
  assert.equal(factsOf(rip).ipiLine, rip.stack[0]!.exception!.line);
  const third = task([seg([fr('cpumask_next'), fr('a_work'), fr('b_work'), fr('smp_call_function_single')])]);
  assert.equal(factsOf(third).ipiAt, 'smp_call_function_single');
  const tooDeep = task([seg([fr('a_work'), fr('b_work'), fr('c_work'), fr('smp_call_function_single')])]);
  assert.equal(factsOf(tooDeep).ipiAt, null);
  const irq = task([seg([fr('smp_call_function_many')], null, 'hardirq'), seg([fr('x_work'), fr('on_each_cpu_cond_mask')])]);
  assert.equal(factsOf(irq).ipiAt, 'on_each_cpu_cond_mask');
  const unreliable = task([seg([fr('smp_call_function_many', { unreliable: true }), fr('y_work')])]);
  assert.equal(factsOf(unreliable).ipiAt, null);
});

test('modelFacts lists every distinct kept name once, also of tasks whose facts were built alone before', () => {
  const a = task([seg([fr('x_fn'), fr('y_fn.isra.0')], exc('z_rip'))]);
  const b = task([seg([fr('x_fn'), fr('w_fn', { module: 'wmod' })])]);
  factsOf(b);
  const model = { tasks: [a, b] } as unknown as TraceModel;
  const mf = modelFacts(model);
  assert.deepEqual([...mf.names].sort(), ['w_fn', 'x_fn', 'y_fn.isra.0', 'z_rip']);
  assert.deepEqual(mf.modules, ['wmod']);
  assert.equal(mf.facts[1], factsOf(b));
  // another paste with the same names lists them again
  assert.deepEqual([...modelFacts({ tasks: [task([seg([fr('x_fn')])])] } as unknown as TraceModel).names], ['x_fn']);
});

test('a task of a list whose facts were built together gets the same facts alone, also past the linear lookups', () => {
  const tasks = Array.from({ length: 50 }, (_, i) => task([seg([fr(`f${i}`), fr('mutex_lock')])]));
  const model = { tasks } as unknown as TraceModel;
  const all = modelFacts(model).facts;
  for (let i = tasks.length - 1; i >= 0; i--) assert.equal(factsOf(tasks[i]!), all[i], `task ${i}`);
  assert.equal(waitOf(tasks[7]!), all[7]!.wait);
  const alone = task([seg([fr('g')])]);
  assert.deepEqual(factsOf(alone).frames, ['g']);
});
