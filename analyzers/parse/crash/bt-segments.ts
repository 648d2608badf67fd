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

// A frame is an item itself (no wrapper object per frame: a 10k-task foreach bt has ~176k frames);
// exception blocks and markers carry a `kind`.
export type BtItem = Frame | { kind: 'exception'; exception: ExceptionFrame } | { kind: 'marker'; marker: 'nmi' | 'irq' | 'softirq' };

const SOFTIRQ_ENTRIES = new Set(['__do_softirq', '__softirqentry_text_start', 'do_softirq', 'call_softirq', 'run_ksoftirqd', 'do_softirq_own_stack', '__do_softirq_own_stack']);

type RegionKind = 'nmi' | 'irq' | 'softirq' | 'process';

// No closures or array callbacks here: under tsx (esbuild keepNames) every closure created in a loop
// pays a defineProperty for its name, and this runs once per task of a foreach bt.
export function buildSegments(items: readonly BtItem[]): StackSegment[] {
  // 1. Cut the item list into regions at the markers; a region is named after the marker that ends it.
  // (most tasks of a foreach bt have no marker: then the one region is the item list itself)
  const regions: Region[] = [];
  let markers = 0;
  let exceptions = 0;
  let softirqEntry = false;
  for (const it of items) {
    if ('kind' in it) {
      if (it.kind === 'marker') markers++;
      else exceptions++;
    } else if (SOFTIRQ_ENTRIES.has(it.fn)) softirqEntry = true;
  }
  // A sleeping task's stack (most of a foreach bt): frames only, all in process context. The general
  // path below gives the same single segment; this one skips its per-region arrays.
  if (markers === 0 && exceptions === 0 && !softirqEntry) {
    if (items.length === 0) return [];
    const frames = items as Frame[];
    for (const f of frames) f.context = 'process';
    return [{ context: 'process', frames, exception: null }];
  }
  if (markers === 0) regions.push({ kind: 'process', items });
  else {
    let cur: BtItem[] = [];
    for (const it of items) {
      if ('kind' in it && it.kind === 'marker') {
        regions.push({ kind: it.marker, items: cur });
        cur = [];
      } else cur.push(it);
    }
    regions.push({ kind: 'process', items: cur });
  }

  const segments: StackSegment[] = [];
  let pending: ExceptionFrame | null = null; // interrupted-code block printed inside the NMI part
  let softirqStackSeen = false; // "--- <soft IRQ> ---" (i386): the softirq part already ended
  for (let index = 0; index < regions.length; index++) {
    const region = regions[index];
    const contexts = frameContexts(region, softirqStackSeen);
    if (region.kind === 'softirq') softirqStackSeen = true;
    let seg: StackSegment | null = null;
    let fi = 0;
    if (pending && region.kind !== 'nmi') {
      seg = openSegment(segments, contexts[0] ?? defaultContext(region.kind), pending);
      pending = null;
    }
    for (const it of region.items) {
      if ('kind' in it) {
        if (it.kind !== 'exception') continue;
        if (region.kind === 'nmi') {
          pending = it.exception;
          continue;
        }
        // The entry stub frame printed just before the block (#8 apic_timer_interrupt) is on the
        // interrupted task's stack: keep it in the segment the exception describes.
        if (seg && seg.exception === null && seg.frames.length <= 1 && index > 0) seg.exception = it.exception;
        else seg = openSegment(segments, contexts[fi] ?? seg?.context ?? defaultContext(region.kind), it.exception);
        continue;
      }
      const ctx = contexts[fi++] ?? defaultContext(region.kind);
      it.context = ctx;
      if (!seg || (seg.context !== ctx && (seg.frames.length > 0 || seg.exception === null))) seg = openSegment(segments, ctx, null);
      else if (seg.frames.length === 0) seg.context = ctx;
      seg.frames.push(it);
    }
  }
  if (pending) segments.push({ context: 'process', frames: [], exception: pending });
  let empty = 0;
  for (const s of segments) {
    if (s.exception) s.exception.context = s.context;
    else if (s.frames.length === 0) empty++;
  }
  if (empty === 0) return segments;
  const kept: StackSegment[] = [];
  for (const s of segments) if (s.frames.length > 0 || s.exception !== null) kept.push(s);
  return kept;
}

interface Region {
  kind: RegionKind;
  items: readonly BtItem[];
}

function openSegment(segments: StackSegment[], context: Context, exception: ExceptionFrame | null): StackSegment {
  const s: StackSegment = { context, frames: [], exception };
  segments.push(s);
  return s;
}

function defaultContext(kind: RegionKind): Context {
  return kind === 'irq' ? 'hardirq' : kind;
}

/** Context of each frame of a region, in order. */
function frameContexts(region: Region, softirqDone: boolean): Context[] {
  const out: Context[] = [];
  if (region.kind === 'nmi' || region.kind === 'softirq') {
    for (const it of region.items) if (!('kind' in it)) out.push(region.kind);
    return out;
  }
  let outerSoftirq = -1;
  let n = 0;
  for (const it of region.items) {
    if ('kind' in it) continue;
    if (!softirqDone && SOFTIRQ_ENTRIES.has(it.fn)) outerSoftirq = n;
    n++;
  }
  const rest: Context = region.kind === 'irq' ? 'hardirq' : 'process';
  for (let i = 0; i < n; i++) out.push(i <= outerSoftirq ? 'softirq' : rest);
  return out;
}
