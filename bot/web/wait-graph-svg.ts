// Draws a WaitGraph as inline SVG, laid out by hand: a deadlock (any cycle) on a circle so the loop
// reads as a loop; a plain chain in layers left to right (waiter → holder). Locks label the edges,
// cycle edges and nodes carry the class "cycle" (drawn red). All text is escaped.

import { html, type SafeHtml } from './html.ts';
import type { GraphNode, WaitGraph } from './wait-graph.ts';

const NODE_W = 184;
const NODE_H = 40;
const MARGIN = 40;

interface Point {
  x: number;
  y: number;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** A deadlock: the cycle's nodes on a circle in cycle order (so each wait is an arc of the loop),
 *  every other node on an outer ring next to the node it waits on or is waited on by. */
function cycleLayout(graph: WaitGraph): Map<string, Point> {
  const onCycle = graph.nodes.filter((n) => n.inCycle).map((n) => n.id);
  const ordered: string[] = [];
  const seen = new Set<string>();
  for (const startId of onCycle) {
    let cur: string | undefined = startId;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      ordered.push(cur);
      const here: string = cur;
      cur = graph.edges.find((e) => e.inCycle && e.from === here && !seen.has(e.to))?.to;
    }
  }
  const n = ordered.length;
  const radius = n <= 1 ? 0 : Math.max(150, (n * (NODE_W + 40)) / (2 * Math.PI));
  const pos = new Map<string, Point>();
  const angle = new Map<string, number>();
  ordered.forEach((id, i) => {
    // A lone self-deadlocked node keeps its loop on top, so its waiters fan out below it.
    const a = n === 1 ? Math.PI / 2 : -Math.PI / 2 + (2 * Math.PI * i) / n;
    angle.set(id, a);
    pos.set(id, n === 1 ? { x: 0, y: 0 } : { x: radius * Math.cos(a), y: radius * Math.sin(a) });
  });
  // Breadth-first from the cycle: each other node goes one ring further out than the node it is
  // linked to, fanned around that node's direction.
  const ring = new Map<string, number>(ordered.map((id) => [id, 0]));
  const perAnchor = new Map<string, number>();
  const queue = [...ordered];
  const place = (id: string, anchor: string | null, i: number, total: number): void => {
    const r = anchor ? ring.get(anchor)! + 1 : 1;
    let a: number;
    if (anchor) {
      const k = perAnchor.get(anchor) ?? 0;
      perAnchor.set(anchor, k + 1);
      // Siblings fan out around their anchor's direction: 0, +1, -1, +2, -2 … steps.
      const base = n <= 1 && r === 1 ? 0.8 : Math.min(0.5, Math.PI / (n + 1)) / r;
      a = angle.get(anchor)! + (k % 2 === 0 ? -1 : 1) * Math.ceil(k / 2) * base;
    } else {
      a = Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, total);
    }
    ring.set(id, r);
    angle.set(id, a);
    const dist = (n <= 1 ? 40 : radius) + r * 240;
    pos.set(id, { x: dist * Math.cos(a), y: dist * Math.sin(a) });
    queue.push(id);
  };
  for (;;) {
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const e of graph.edges) {
        const other = e.from === at ? e.to : e.to === at ? e.from : null;
        if (other !== null && !pos.has(other)) place(other, at, 0, 0);
      }
    }
    const left = graph.nodes.filter((node) => !pos.has(node.id));
    if (left.length === 0) break;
    place(left[0].id, null, graph.nodes.length - left.length, graph.nodes.length);
  }
  return pos;
}

function layeredLayout(graph: WaitGraph): Map<string, Point> {
  // Longest-path layering; the graph is acyclic here, and the pass count is bounded by n anyway.
  const depth = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < graph.nodes.length; pass++) {
    let changed = false;
    for (const e of graph.edges) {
      const d = depth.get(e.from)! + 1;
      if (e.from !== e.to && d > depth.get(e.to)!) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  const pos = new Map<string, Point>();
  for (const node of graph.nodes) {
    const d = depth.get(node.id)!;
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    pos.set(node.id, { x: d * (NODE_W + 110), y: r * 110 });
  }
  return pos;
}

/** Where the segment from a box's centre towards `toward` leaves the box. */
function boxExit(c: Point, toward: Point): Point {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const t = Math.min(dx === 0 ? Infinity : NODE_W / 2 / Math.abs(dx), dy === 0 ? Infinity : NODE_H / 2 / Math.abs(dy));
  return { x: c.x + dx * t, y: c.y + dy * t };
}

const f = (v: number): string => v.toFixed(1);

const LABEL_MAX = 40;
const CHAR_W = 6.8; // 11px monospace, for the bounding box only

export function waitGraphSvg(graph: WaitGraph, idPrefix = 'wg'): SafeHtml {
  if (graph.nodes.length === 0) return html`<p class="muted">No blocking chain was found, so there is no graph to draw.</p>`;
  const circular = graph.hasCycle;
  const pos = circular ? cycleLayout(graph) : layeredLayout(graph);
  // The circle's centre (0,0) for a cycle; edges bow away from it so the loop reads as a loop.
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  const grow = (x0: number, y0: number, x1: number, y1: number): void => {
    box.x0 = Math.min(box.x0, x0);
    box.y0 = Math.min(box.y0, y0);
    box.x1 = Math.max(box.x1, x1);
    box.y1 = Math.max(box.y1, y1);
  };
  for (const p of pos.values()) grow(p.x - NODE_W / 2, p.y - NODE_H / 2, p.x + NODE_W / 2, p.y + NODE_H / 2);
  const edges = graph.edges.map((e) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const cls = e.inCycle ? 'edge cycle' : 'edge';
    const marker = `url(#${idPrefix}-${e.inCycle ? 'arrow-cycle' : 'arrow'})`;
    const text = clip(e.label, LABEL_MAX);
    let d: string;
    let label: Point;
    let anchor = 'middle';
    if (e.from === e.to) {
      const top = a.y - NODE_H / 2;
      d = `M${f(a.x - 24)},${f(top)} C${f(a.x - 60)},${f(top - 64)} ${f(a.x + 60)},${f(top - 64)} ${f(a.x + 24)},${f(top)}`;
      label = { x: a.x, y: top - 54 };
    } else {
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      // Normal to the edge, on its left; on a circle, flip it outward (away from the centre).
      let nx = (a.y - b.y) / len;
      let ny = (b.x - a.x) / len;
      if (circular && nx * mx + ny * my < 0) {
        nx = -nx;
        ny = -ny;
      }
      const bend = circular ? 46 : 28;
      const ctrl = { x: mx + nx * bend, y: my + ny * bend };
      const p0 = boxExit(a, ctrl);
      const p2 = boxExit(b, ctrl);
      d = `M${f(p0.x)},${f(p0.y)} Q${f(ctrl.x)},${f(ctrl.y)} ${f(p2.x)},${f(p2.y)}`;
      const mid = { x: 0.25 * p0.x + 0.5 * ctrl.x + 0.25 * p2.x, y: 0.25 * p0.y + 0.5 * ctrl.y + 0.25 * p2.y };
      label = { x: mid.x + nx * 10, y: mid.y + ny * 10 + 4 };
      if (nx > 0.35) anchor = 'start';
      else if (nx < -0.35) anchor = 'end';
    }
    const w = text.length * CHAR_W;
    const lx0 = anchor === 'start' ? label.x : anchor === 'end' ? label.x - w : label.x - w / 2;
    grow(lx0, label.y - 12, lx0 + w, label.y + 4);
    return html`<g class="${cls}" data-from="${e.from}" data-to="${e.to}" data-cycle="${e.inCycle ? 'true' : 'false'}"><title>${e.from} waits on ${e.label} held by ${e.to}</title><path d="${d}" marker-end="${marker}"/><text x="${f(label.x)}" y="${f(label.y)}" text-anchor="${anchor}" class="edge-label">${text}</text></g>`;
  });
  const nodes = graph.nodes.map((n) => {
    const p = pos.get(n.id)!;
    return html`<g class="node ${n.kind}${n.inCycle ? ' cycle' : ''}" data-node="${n.id}"><title>${n.id}</title><rect x="${f(p.x - NODE_W / 2)}" y="${f(p.y - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="8"/><text x="${f(p.x)}" y="${f(p.y + 5)}" text-anchor="middle">${clip(n.id, 26)}</text></g>`;
  });
  const x0 = Math.floor(box.x0 - MARGIN / 2);
  const y0 = Math.floor(box.y0 - MARGIN / 2);
  const w = Math.ceil(box.x1 - box.x0 + MARGIN);
  const h = Math.ceil(box.y1 - box.y0 + MARGIN);
  const summary = graph.hasCycle ? 'Wait-for graph: the waits close into a cycle (deadlock)' : 'Wait-for graph: who waits for whom';
  return html`<svg class="wait-graph${graph.hasCycle ? ' has-cycle' : ''}" xmlns="http://www.w3.org/2000/svg" viewBox="${x0} ${y0} ${w} ${h}" width="${w}" role="img" aria-label="${summary}"><title>${summary}</title><defs><marker id="${idPrefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker><marker id="${idPrefix}-arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="#c62828"/></marker></defs>${edges}${nodes}</svg>`;
}
