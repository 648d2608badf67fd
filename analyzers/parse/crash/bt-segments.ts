// Splits one crash `bt` into stack segments by execution context.
//
// crash prints the innermost stack first and separates stacks with markers:
//  - frames listed above "--- <NMI exception stack> ---" ran in NMI context; an "[exception RIP: X]"
//    block printed in that part describes the code the NMI interrupted, which continues below the
//    marker (seed 001 CPU1: native_queued_spin_lock_slowpath+32, then frames #5.. below the marker);
//  - frames above "--- <IRQ stack> ---" ran on the per-CPU IRQ stack: hardirq, except the frames inner
//    to (listed above) the outermost softirq entry (__do_softirq, __softirqentry_text_start,
//    do_softirq, call_softirq, run_ksoftirqd), which are softirq; irq_exit is on the hardirq side;
//  - below the last marker is the interrupted task (process context), usually starting with the entry
//    stub frame and its own "[exception RIP: ...]" block whose RFLAGS says whether IRQs were on.
// An exception block in the middle of a stack (seed 002: page_fault → [exception RIP:
// run_timer_softirq+248]) starts a new segment: the frames after it belong to the interrupted code.

import type { Context, ExceptionFrame, Frame, StackSegment } from '../../model/trace-model.ts';

export type BtItem =
  | { kind: 'frame'; frame: Frame }
  | { kind: 'exception'; exception: ExceptionFrame }
  | { kind: 'marker'; marker: 'nmi' | 'irq' | 'softirq' };

const SOFTIRQ_ENTRIES = new Set(['__do_softirq', '__softirqentry_text_start', 'do_softirq', 'call_softirq', 'run_ksoftirqd', 'do_softirq_own_stack', '__do_softirq_own_stack']);

type RegionKind = 'nmi' | 'irq' | 'softirq' | 'process';

export function buildSegments(items: readonly BtItem[]): StackSegment[] {
  // 1. Cut the item list into regions at the markers; a region is named after the marker that ends it.
  const regions: Array<{ kind: RegionKind; items: BtItem[] }> = [];
  let cur: BtItem[] = [];
  for (const it of items) {
    if (it.kind === 'marker') {
      regions.push({ kind: it.marker, items: cur });
      cur = [];
    } else cur.push(it);
  }
  regions.push({ kind: 'process', items: cur });

  const segments: StackSegment[] = [];
  let pending: ExceptionFrame | null = null; // interrupted-code block printed inside the NMI part
  let softirqStackSeen = false; // "--- <soft IRQ> ---" (i386): the softirq part already ended
  regions.forEach((region, index) => {
    const contexts = frameContexts(region, softirqStackSeen);
    if (region.kind === 'softirq') softirqStackSeen = true;
    let seg: StackSegment | null = null;
    let fi = 0;
    const open = (ctx: Context, exc: ExceptionFrame | null): StackSegment => {
      const s: StackSegment = { context: ctx, frames: [], exception: exc };
      segments.push(s);
      return s;
    };
    if (pending && region.kind !== 'nmi') {
      seg = open(contexts[0] ?? defaultContext(region.kind), pending);
      pending = null;
    }
    for (const it of region.items) {
      if (it.kind === 'exception') {
        if (region.kind === 'nmi') {
          pending = it.exception;
          continue;
        }
        // The entry stub frame printed just before the block (#8 apic_timer_interrupt) is on the
        // interrupted task's stack: keep it in the segment the exception describes.
        if (seg && seg.exception === null && seg.frames.length <= 1 && index > 0) seg.exception = it.exception;
        else seg = open(contexts[fi] ?? seg?.context ?? defaultContext(region.kind), it.exception);
        continue;
      }
      if (it.kind !== 'frame') continue;
      const ctx = contexts[fi++] ?? defaultContext(region.kind);
      it.frame.context = ctx;
      if (!seg || (seg.context !== ctx && (seg.frames.length > 0 || seg.exception === null))) seg = open(ctx, null);
      else if (seg.frames.length === 0) seg.context = ctx;
      seg.frames.push(it.frame);
    }
  });
  if (pending) segments.push({ context: 'process', frames: [], exception: pending });
  for (const s of segments) if (s.exception) s.exception.context = s.context;
  return segments.filter((s) => s.frames.length > 0 || s.exception !== null);
}

function defaultContext(kind: RegionKind): Context {
  return kind === 'irq' ? 'hardirq' : kind;
}

/** Context of each frame of a region, in order. */
function frameContexts(region: { kind: RegionKind; items: BtItem[] }, softirqDone: boolean): Context[] {
  const frames = region.items.filter((i): i is Extract<BtItem, { kind: 'frame' }> => i.kind === 'frame').map((i) => i.frame);
  if (region.kind === 'nmi' || region.kind === 'softirq') return frames.map(() => region.kind as Context);
  let outerSoftirq = -1;
  if (!softirqDone) {
    frames.forEach((f, i) => {
      if (SOFTIRQ_ENTRIES.has(f.fn)) outerSoftirq = i;
    });
  }
  const rest: Context = region.kind === 'irq' ? 'hardirq' : 'process';
  return frames.map((_f, i) => (i <= outerSoftirq ? 'softirq' : rest));
}
