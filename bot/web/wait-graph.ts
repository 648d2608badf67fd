// The wait-for graph of one analysis: tasks and CPUs are nodes, an edge says "waiter waits on lock L
// held by holder". Built from every finding's blocking chain; an edge inside a strongly connected
// component (or a self-loop: the mutex owner is the waiter, seed 000) is part of a deadlock cycle.

import type { Analysis } from '../../analyzers/contract.ts';

export interface GraphNode {
  id: string; // the contract's task string: "comm:pid", "pid", "CPU n", or "unknown holder of L"
  kind: 'task' | 'cpu' | 'unknown';
  inCycle: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string; // the lock ("mutex ffff8800…", "rwsem_write &mm->mmap_sem") or what is waited on
  primitive: string;
  inCycle: boolean;
}

export interface WaitGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  hasCycle: boolean;
}

function edgeLabel(primitive: string, lock: string | null, waitsOn: string): string {
  if (lock) return `${primitive} ${lock}`;
  return waitsOn || primitive;
}

export function buildWaitGraph(analysis: Analysis): WaitGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const addNode = (id: string, kind?: GraphNode['kind']): void => {
    if (!nodes.has(id)) nodes.set(id, { id, kind: kind ?? (/^CPU \d+$/i.test(id) ? 'cpu' : 'task'), inCycle: false });
  };
  for (const finding of analysis.findings) {
    for (const link of finding.blockingChain) {
      addNode(link.task);
      const to = link.heldBy ?? `unknown holder of ${link.lock ?? link.waitsOn}`;
      addNode(to, link.heldBy ? undefined : 'unknown');
      const label = edgeLabel(link.primitive, link.lock, link.waitsOn);
      const key = `${link.task}\u0000${to}\u0000${label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: link.task, to, label, primitive: link.primitive, inCycle: false });
    }
  }
  const component = stronglyConnected([...nodes.keys()], edges);
  const size = new Map<number, number>();
  for (const c of component.values()) size.set(c, (size.get(c) ?? 0) + 1);
  for (const e of edges) {
    const c = component.get(e.from);
    e.inCycle = c === component.get(e.to) && (e.from === e.to || (size.get(c!) ?? 0) > 1);
    if (e.inCycle) {
      nodes.get(e.from)!.inCycle = true;
      nodes.get(e.to)!.inCycle = true;
    }
  }
  return { nodes: [...nodes.values()], edges, hasCycle: edges.some((e) => e.inCycle) };
}

/** Tarjan's SCC (iterative, so a long chain cannot overflow the stack): node → component index. */
function stronglyConnected(ids: string[], edges: GraphEdge[]): Map<string, number> {
  const out = new Map<string, string[]>();
  for (const id of ids) out.set(id, []);
  for (const e of edges) out.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comp = new Map<string, number>();
  let counter = 0;
  let compCount = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = out.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, compCount);
        } while (w !== top.v);
        compCount++;
      }
    }
  }
  return comp;
}

/**
 * A drawing of hundreds of boxes helps nobody (a `foreach bt` of a box with 10k stuck tasks): keep the
 * cycle and the nodes nearest to it (breadth-first over waits in both directions), up to `max`.
 */
export function trimWaitGraph(graph: WaitGraph, max: number): { graph: WaitGraph; omitted: number } {
  if (graph.nodes.length <= max) return { graph, omitted: 0 };
  const adjacent = new Map<string, string[]>();
  for (const e of graph.edges) {
    (adjacent.get(e.from) ?? adjacent.set(e.from, []).get(e.from)!).push(e.to);
    (adjacent.get(e.to) ?? adjacent.set(e.to, []).get(e.to)!).push(e.from);
  }
  const keep = new Set<string>();
  const queue: string[] = [];
  const visit = (id: string): void => {
    if (keep.size < max && !keep.has(id)) {
      keep.add(id);
      queue.push(id);
    }
  };
  for (const n of graph.nodes) if (n.inCycle) visit(n.id);
  for (let i = 0; keep.size < max; ) {
    if (i < queue.length) {
      for (const next of adjacent.get(queue[i++]) ?? []) visit(next);
      continue;
    }
    const unvisited = graph.nodes.find((n) => !keep.has(n.id));
    if (!unvisited) break;
    visit(unvisited.id);
  }
  return {
    graph: { nodes: graph.nodes.filter((n) => keep.has(n.id)), edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)), hasCycle: graph.hasCycle },
    omitted: graph.nodes.length - keep.size,
  };
}
