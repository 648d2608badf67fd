import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWaitGraph, trimWaitGraph } from './wait-graph.ts';
import { waitGraphSvg } from './wait-graph-svg.ts';
import { mmapSemCycle, openChain } from './fixtures/analyses.ts';

test('seed 003 shape: the three waits close into one cycle, every edge and node on it', () => {
  const g = buildWaitGraph(mmapSemCycle());
  assert.equal(g.hasCycle, true);
  assert.deepEqual(g.nodes.map((n) => n.id).sort(), ['dataio_srv/1:28946', 'java:12862', 'java:22134']);
  assert.ok(g.edges.every((e) => e.inCycle));
  assert.deepEqual(g.edges.map((e) => e.label), ['data from dataio_srv', 'rwsem_read ffff8b92ab737e20', 'rwsem_write ffff8b92ab737e20']);
});

test('a chain ending at an unknown holder has no cycle and draws the holder as unknown', () => {
  const g = buildWaitGraph(openChain());
  assert.equal(g.hasCycle, false);
  const unknown = g.nodes.find((n) => n.kind === 'unknown');
  assert.equal(unknown?.id, 'unknown holder of ffff880035acf1e0');
  assert.ok(g.edges.every((e) => !e.inCycle));
});

test('seed 000 shape: a task waiting on a mutex it owns is a self-loop cycle; a tail into it is not', () => {
  const a = openChain();
  a.findings[0].blockingChain[1].heldBy = 'kworker/1:2:4790';
  a.findings[0].cycle = true;
  const g = buildWaitGraph(a);
  const self = g.edges.find((e) => e.from === e.to)!;
  assert.equal(self.inCycle, true);
  assert.equal(g.edges.find((e) => e.from === 'rmmod:31969')!.inCycle, false);
  assert.equal(g.nodes.find((n) => n.id === 'rmmod:31969')!.inCycle, false);
  assert.match(waitGraphSvg(g).value, /data-from="kworker\/1:2:4790" data-to="kworker\/1:2:4790" data-cycle="true"/);
});

test('CPUs are nodes of their own kind', () => {
  const a = openChain();
  a.findings[0].blockingChain = [{ task: 'CPU 3', waitsOn: 'spinlock bfqd->lock', primitive: 'spinlock', lock: 'bfqd->lock', heldBy: 'fio:2857' }];
  assert.equal(buildWaitGraph(a).nodes.find((n) => n.id === 'CPU 3')?.kind, 'cpu');
});

test('the SVG marks cycle edges, labels edges with the lock and escapes task names', () => {
  const a = mmapSemCycle();
  a.findings[0].blockingChain[0].task = '<script>x</script>:1';
  a.findings[0].blockingChain[2].heldBy = '<script>x</script>:1';
  const svg = waitGraphSvg(buildWaitGraph(a)).value;
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&lt;script&gt;x&lt;/script&gt;:1'));
  assert.equal(svg.match(/class="edge cycle"/g)?.length, 3);
  assert.ok(svg.includes('rwsem_write ffff8b92ab737e20'));
  assert.match(svg, /^<svg class="wait-graph has-cycle"/);
});

test('no chain: a sentence instead of an empty drawing', () => {
  const a = mmapSemCycle();
  a.findings = [];
  assert.match(waitGraphSvg(buildWaitGraph(a)).value, /No blocking chain/);
});

function rects(svg: string): Array<{ x: number; y: number; w: number; h: number }> {
  return [...svg.matchAll(/<rect x="(-?[\d.]+)" y="(-?[\d.]+)" width="(\d+)" height="(\d+)"/g)].map((m) => ({ x: +m[1], y: +m[2], w: +m[3], h: +m[4] }));
}

function overlaps(r: Array<{ x: number; y: number; w: number; h: number }>): boolean {
  return r.some((a, i) => r.some((b, j) => j > i && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h));
}

test('layout: no two task boxes overlap, for a lone self-deadlock with a fan of waiters and for a cycle with extra readers', () => {
  // Seed 001 shape: CPUs spin on the lock held by a task that deadlocks on itself; an IPI sender waits behind.
  const a = openChain();
  a.findings[0].cycle = true;
  a.findings[0].blockingChain = [
    { task: 'kworker/0:1:2635', waitsOn: 'IPI to CPU 1', primitive: 'ipi', lock: null, heldBy: 'fio:2857' },
    { task: 'kworker/2:1H:491', waitsOn: 'spinlock', primitive: 'spinlock', lock: 'ffff92adc0fc6400', heldBy: 'fio:2857' },
    { task: 'fio:2861', waitsOn: 'spinlock', primitive: 'spinlock', lock: 'ffff92adc0fc6400', heldBy: 'fio:2857' },
    { task: 'fio:2857', waitsOn: 'spinlock', primitive: 'spinlock', lock: 'ffff92adc0fc6400', heldBy: 'fio:2857' },
    { task: 'kworker/0:1:2635', waitsOn: 'CPU busy', primitive: 'cpu', lock: null, heldBy: null },
  ];
  const lone = rects(waitGraphSvg(buildWaitGraph(a)).value);
  assert.equal(lone.length, 5);
  assert.equal(overlaps(lone), false);

  const c = mmapSemCycle();
  c.findings[0].blockingChain.push(
    { task: 'dataio_srv/2:28947', waitsOn: 'rwsem', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: 'java:12862' },
    { task: 'dataio_srv/3:28948', waitsOn: 'rwsem', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: 'java:12862' },
    { task: 'kthreadd:2', waitsOn: 'something', primitive: 'completion', lock: null, heldBy: 'dataio_srv/3:28948' },
  );
  const ring = rects(waitGraphSvg(buildWaitGraph(c)).value);
  assert.equal(ring.length, 6);
  assert.equal(overlaps(ring), false);
});

test('a huge graph is trimmed to the cycle and its nearest waiters', () => {
  const a = mmapSemCycle();
  // 3-task cycle plus 2000 readers queued on the writer, as a `foreach bt` of a busy box would show.
  for (let i = 0; i < 2000; i++) a.findings[0].blockingChain.push({ task: `reader:${i}`, waitsOn: 'rwsem', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: 'java:12862' });
  const full = buildWaitGraph(a);
  assert.equal(full.nodes.length, 2003);
  const { graph, omitted } = trimWaitGraph(full, 60);
  assert.equal(graph.nodes.length, 60);
  assert.equal(omitted, 1943);
  for (const id of ['java:22134', 'java:12862', 'dataio_srv/1:28946']) assert.ok(graph.nodes.some((n) => n.id === id), `${id} kept`);
  assert.ok(graph.edges.every((e) => graph.nodes.some((n) => n.id === e.from) && graph.nodes.some((n) => n.id === e.to)));
  assert.equal(graph.edges.filter((e) => e.inCycle).length, 3);
});
