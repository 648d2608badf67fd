// Walking the wait-for graph into a blocking chain: first waiter first, following the best edge out
// of each node. When the walk comes back to a node the chain has closed: the links from that node on
// are the minimal cycle (every node has one chosen successor, so the first repeat closes it).

import type { ChainLink } from '../contract.ts';
import { holderLabel, outEdges, type WaitEdge, type WaitGraph } from './wait-graph.ts';
import { taskLabel } from './resolve.ts';

export interface WalkedChain {
  links: ChainLink[];
  edges: WaitEdge[];
  cycle: boolean;
  /** Index in `links` where the cycle starts (links before it lead into the cycle). */
  cycleStart: number | null;
}

const MAX_LINKS = 64;

export function edgeToLink(g: WaitGraph, e: WaitEdge): ChainLink {
  const t = g.tasks.get(e.from);
  return {
    task: t ? taskLabel(t) : e.from,
    waitsOn: e.waitsOn,
    primitive: e.primitive,
    lock: e.lock,
    heldBy: holderLabel(g, e),
    evidence: e.evidence,
    lines: e.lines,
  };
}

/** The chain starting at task `start` (a Task.key). `prefer` can choose among several out-edges. */
export function walkChain(g: WaitGraph, start: string, prefer?: (edges: WaitEdge[]) => WaitEdge | undefined): WalkedChain {
  const edges: WaitEdge[] = [];
  const seenAt = new Map<string, number>();
  let key: string | null = start;
  while (key !== null && edges.length < MAX_LINKS) {
    if (seenAt.has(key)) {
      const at = seenAt.get(key)!;
      return { links: edges.map((e) => edgeToLink(g, e)), edges, cycle: true, cycleStart: at };
    }
    seenAt.set(key, edges.length);
    const out = outEdges(g, key);
    if (out.length === 0) break;
    const e: WaitEdge = (prefer?.(out) ?? out[0])!;
    edges.push(e);
    key = e.to;
  }
  return { links: edges.map((e) => edgeToLink(g, e)), edges, cycle: false, cycleStart: null };
}

/**
 * The longest chain in the graph (ties: one that closes a cycle), for findings that only know the
 * family. Starts from nodes nobody waits on first (the first waiter of a chain has no in-edge).
 */
export function longestChain(g: WaitGraph): WalkedChain | null {
  const starts = [...new Set(g.edges.map((e) => e.from))];
  const targets = new Set(g.edges.map((e) => e.to).filter(Boolean));
  starts.sort((a, b) => Number(targets.has(a)) - Number(targets.has(b)));
  let best: WalkedChain | null = null;
  for (const s of starts.slice(0, 200)) {
    const c = walkChain(g, s);
    if (!best || c.links.length > best.links.length || (c.cycle && !best.cycle && c.links.length === best.links.length)) best = c;
  }
  return best;
}

/**
 * The links of the tasks the graph shows waiting on `target` (a Task.key), one per waiter: the work
 * queued behind a task that a mechanism analyzer explains (tasks blocked on a lock the waiter holds).
 * `label` ("comm:pid") also matches edges to a holder the paste names without a task of its own.
 */
export function waitersOf(g: WaitGraph, target: string, max = 8, label: string | null = null): ChainLink[] {
  const out: ChainLink[] = [];
  const seen = new Set<string>();
  for (const e of g.edges) {
    // a holder known only by name (a lockdep list, a blocker line) is matched by its label
    const hit = e.to === target || (label !== null && e.to === null && !e.queued && e.toLabel === label);
    if (!hit || e.from === target || seen.has(e.from)) continue;
    seen.add(e.from);
    out.push(edgeToLink(g, e));
    if (out.length >= max) break;
  }
  return out;
}
