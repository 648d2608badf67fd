// Generic (per-family) findings know the stuck task but not the wait-for graph. When the graph has
// more for that task (a struct dump naming the mutex owner, a waiter list, a blocker line), the
// finding's chain becomes the walked chain and its suspect lock the first lock with evidence.

import type { Finding } from '../contract.ts';
import { walkChain } from './chain.ts';
import { taskLabel } from './resolve.ts';
import type { WaitGraph } from './wait-graph.ts';

const isAddr = (s: string): boolean => /^[0-9a-f]{6,16}$/.test(s);

// A CPU stuck in a lockup runs; it waits for nothing the graph knows. What the graph adds is who waits
// for it: tasks blocked on a lock this task holds (a struct mutex owner, a lockdep list, a blocker
// line). They come first in the chain (first waiter first), and the lock is the suspect when the
// lockup finding had none: the lockup is why they hang.
const LOCKUPS: ReadonlySet<string> = new Set(['soft-lockup', 'hard-lockup']);

function withVictims(f: Finding, g: WaitGraph, key: string): Finding {
  const incoming = g.edges.filter((e) => e.to === key && e.from !== key && e.lock).slice(0, 3);
  if (incoming.length === 0) return f;
  const holder = taskLabel(g.tasks.get(key));
  const victims = incoming.map((e) => ({
    task: taskLabel(g.tasks.get(e.from)), waitsOn: e.waitsOn, primitive: e.primitive, lock: e.lock, heldBy: holder, evidence: e.evidence, lines: e.lines,
  }));
  const e0 = incoming[0]!;
  return {
    ...f,
    headline: `${f.headline}; ${victims.map((v) => v.task).join(', ')} wait${victims.length === 1 ? 's' : ''} on ${e0.lock} it holds`,
    blockingChain: [...victims, ...f.blockingChain],
    suspectLock: f.suspectLock?.address || f.suspectLock?.holder ? f.suspectLock : {
      primitive: e0.primitive,
      address: isAddr(e0.lock!) ? e0.lock : null,
      name: isAddr(e0.lock!) ? null : e0.lock,
      holder,
      evidence: e0.evidence,
      lines: e0.lines,
    },
  };
}

export function enrichFromGraph(f: Finding, g: WaitGraph): Finding {
  const first = f.blockingChain[0];
  if (!first) return f;
  const key = [...g.tasks.values()].find((t) => taskLabel(t) === first.task)?.key;
  if (!key) return f;
  // a lockup finding first gets what the graph knows of the stuck task itself (a spin edge to a
  // known holder), then its victims
  const base = walkedEnrichment(f, g, key);
  return LOCKUPS.has(f.pattern) ? withVictims(base, g, key) : base;
}

function walkedEnrichment(f: Finding, g: WaitGraph, key: string): Finding {
  const walked = walkChain(g, key);
  const informative = walked.edges.filter((e) => e.lock || e.to || e.toLabel);
  const current = f.blockingChain.filter((l) => l.lock || l.heldBy).length;
  if (informative.length === 0 || informative.length <= current) return f;
  const lockEdge = walked.edges.find((e) => e.lock && e.source !== 'frames') ?? null;
  const lockLink = lockEdge ? walked.links[walked.edges.indexOf(lockEdge)]! : null;
  const holder = walked.links[0]?.heldBy ?? null;
  const lockAddr = lockEdge?.lock && isAddr(lockEdge.lock) ? lockEdge.lock : null;
  // the generic commands say "<address>" where this paste already shows it
  const nextSteps = lockAddr ? f.nextSteps.map((n) => n.replace('<address>', lockAddr)) : f.nextSteps;
  // a lock and holder read from the lock itself (a struct dump, a waiter list) is stronger evidence
  // than a stack alone: such a chain ranks with the blocker line's (0.6) above stack-only findings
  const dumped = lockEdge !== null && holder !== null && (lockEdge.source === 'struct' || lockEdge.source === 'waiter-list');
  return {
    ...f,
    confidence: dumped ? Math.max(f.confidence, 0.6) : f.confidence,
    headline: holder && !f.headline.includes(holder) ? `${f.headline}, held by ${holder}` : f.headline,
    nextSteps,
    blockingChain: walked.links,
    cycle: f.cycle || walked.cycle,
    suspectLock: f.suspectLock?.address || f.suspectLock?.holder || !lockEdge || !lockLink
      ? f.suspectLock
      : {
          primitive: lockEdge.primitive,
          address: isAddr(lockEdge.lock!) ? lockEdge.lock : null,
          name: isAddr(lockEdge.lock!) ? null : lockEdge.lock,
          holder: lockLink.heldBy,
          evidence: lockEdge.evidence,
          lines: lockEdge.lines,
        },
  };
}
