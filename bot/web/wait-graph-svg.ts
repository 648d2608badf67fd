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

function circularLayout(nodes: GraphNode[]): { pos: Map<string, Point>; width: number; height: number } {
  const n = nodes.length;
  const radius = n <= 1 ? 0 : Math.max(130, (n * (NODE_W * 0.75)) / (2 * Math.PI));
  const cx = MARGIN + NODE_W / 2 + radius;
  const cy = MARGIN + 70 + radius; // room above for a self-loop
  const pos = new Map<string, Point>();
  nodes.forEach((node, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
    pos.set(node.id, { x: cx + radius * Math.cos(a), y: cy + radius * Math.sin(a) });
  });
  return { pos, width: 2 * cx, height: cy + radius + NODE_H / 2 + MARGIN + 20 };
}

function layeredLayout(graph: WaitGraph): { pos: Map<string, Point>; width: number; height: number } {
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
  let maxDepth = 0;
  let maxRow = 0;
  for (const node of graph.nodes) {
    const d = depth.get(node.id)!;
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    maxDepth = Math.max(maxDepth, d);
    maxRow = Math.max(maxRow, r);
    pos.set(node.id, { x: MARGIN + NODE_W / 2 + d * (NODE_W + 90), y: MARGIN + 50 + NODE_H / 2 + r * 110 });
  }
  return { pos, width: 2 * MARGIN + NODE_W + maxDepth * (NODE_W + 90), height: MARGIN * 2 + 50 + NODE_H + maxRow * 110 + 20 };
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

export function waitGraphSvg(graph: WaitGraph, idPrefix = 'wg'): SafeHtml {
  if (graph.nodes.length === 0) return html`<p class="muted">No blocking chain was found, so there is no graph to draw.</p>`;
  const layout = graph.hasCycle ? circularLayout(graph.nodes) : layeredLayout(graph);
  const { pos } = layout;
  const edges = graph.edges.map((e) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const cls = e.inCycle ? 'edge cycle' : 'edge';
    const marker = `url(#${idPrefix}-${e.inCycle ? 'arrow-cycle' : 'arrow'})`;
    let d: string;
    let label: Point;
    if (e.from === e.to) {
      const top = a.y - NODE_H / 2;
      d = `M${f(a.x - 24)},${f(top)} C${f(a.x - 60)},${f(top - 64)} ${f(a.x + 60)},${f(top - 64)} ${f(a.x + 24)},${f(top)}`;
      label = { x: a.x, y: top - 54 };
    } else {
      // Bend every edge a little to its left so a pair of opposite edges (A waits on B, B on A) separates.
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const bend = 28;
      const ctrl = { x: mx + ((a.y - b.y) / len) * bend, y: my + ((b.x - a.x) / len) * bend };
      const p0 = boxExit(a, ctrl);
      const p2 = boxExit(b, ctrl);
      d = `M${f(p0.x)},${f(p0.y)} Q${f(ctrl.x)},${f(ctrl.y)} ${f(p2.x)},${f(p2.y)}`;
      label = { x: 0.25 * p0.x + 0.5 * ctrl.x + 0.25 * p2.x, y: 0.25 * p0.y + 0.5 * ctrl.y + 0.25 * p2.y - 6 };
    }
    return html`<g class="${cls}" data-from="${e.from}" data-to="${e.to}" data-cycle="${e.inCycle ? 'true' : 'false'}"><title>${e.from} waits on ${e.label} held by ${e.to}</title><path d="${d}" marker-end="${marker}"/><text x="${f(label.x)}" y="${f(label.y)}" text-anchor="middle" class="edge-label">${clip(e.label, 40)}</text></g>`;
  });
  const nodes = graph.nodes.map((n) => {
    const p = pos.get(n.id)!;
    return html`<g class="node ${n.kind}${n.inCycle ? ' cycle' : ''}" data-node="${n.id}"><title>${n.id}</title><rect x="${f(p.x - NODE_W / 2)}" y="${f(p.y - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="8"/><text x="${f(p.x)}" y="${f(p.y + 5)}" text-anchor="middle">${clip(n.id, 26)}</text></g>`;
  });
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const summary = graph.hasCycle ? 'Wait-for graph: the waits close into a cycle (deadlock)' : 'Wait-for graph: who waits for whom';
  return html`<svg class="wait-graph${graph.hasCycle ? ' has-cycle' : ''}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" role="img" aria-label="${summary}"><title>${summary}</title><defs><marker id="${idPrefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker><marker id="${idPrefix}-arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="#c62828"/></marker></defs>${edges}${nodes}</svg>`;
}
