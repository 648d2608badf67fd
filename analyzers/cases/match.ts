// Attaching a documented case to a finding. A case matches when it lists the finding's analyzer and,
// if it names frames or modules, at least one of them is in the paste. The most specific match wins
// (each matched frame/module counts); on a tie a built-in case stays ahead of a user one, so a user
// case wins when it is more specific or when only it matches (e.g. on a generic finding).

import type { Analysis, Family, Finding } from '../contract.ts';
import type { CaseDef } from './schema.ts';

export interface MatchContext {
  family: Family;
  frames: ReadonlySet<string>;
  modules: ReadonlySet<string>;
}

export function caseScore(c: CaseDef, f: Finding, ctx: MatchContext): number {
  if (!c.match.patterns.includes(f.pattern)) return 0;
  if (c.match.families?.length && !c.match.families.includes(ctx.family)) return 0;
  const fr = (c.match.frames ?? []).filter((x) => ctx.frames.has(x)).length;
  const mo = (c.match.modules ?? []).filter((x) => ctx.modules.has(x)).length;
  const wants = (c.match.frames?.length ?? 0) + (c.match.modules?.length ?? 0);
  if (wants > 0 && fr + mo === 0) return 0;
  return 1 + 2 * fr + 2 * mo + (c.match.families?.length ? 1 : 0);
}

export function bestCase(cases: readonly CaseDef[], f: Finding, ctx: MatchContext): CaseDef | null {
  let best: CaseDef | null = null;
  let bestScore = 0;
  for (const c of cases) {
    const s = caseScore(c, f, ctx);
    const beats = s > bestScore || (s === bestScore && s > 0 && best?.origin === 'user' && c.origin !== 'user');
    if (beats) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/** Values for the {placeholders} of a case's confirm commands, from the finding and the tasks. */
export function placeholderValues(f: Finding, tasks: Analysis['tasks']): Record<string, string> {
  const v: Record<string, string> = {};
  const hex = (s: string | null | undefined): s is string => !!s && /^[0-9a-f]{6,16}$/.test(s);
  const lock = f.suspectLock?.address ?? f.blockingChain.map((l) => l.lock).find(hex) ?? null;
  if (lock) v.lock = lock;
  const who = f.suspectLock?.holder ?? f.blockingChain[f.blockingChain.length - 1]?.task ?? f.blockingChain[0]?.task ?? null;
  const m = who ? /^(.*):(\d+)$/.exec(who) : null;
  if (m) {
    v.comm = m[1]!;
    v.pid = m[2]!;
    const t = tasks.find((x) => x.pid === Number(m[2]));
    if (t?.task) v.task = t.task;
    if (t?.cpu !== null && t?.cpu !== undefined) v.cpu = String(t.cpu);
  }
  // an address the finding calls bad (timer in a freed module...) or else the lock
  const bad = /faulted on ([0-9a-f]{16})/.exec(f.headline)?.[1];
  if (bad) v.address = bad;
  else if (lock) v.address = lock;
  return v;
}

export function fill(cmd: string, values: Record<string, string>): string {
  return cmd.replace(/\{(lock|task|pid|comm|cpu|address)\}/g, (_, k: string) => values[k] ?? `<${k}>`);
}

const MAX_CHECKLIST = 6;

/** Commands in order, one per command: a repeat with an explanation replaces the bare one in place. */
export function mergeCommands(...lists: string[][]): string[] {
  const out: string[] = [];
  const at = new Map<string, number>();
  for (const list of lists) {
    for (const cmd of list) {
      const key = cmd.replace(/\s{2,}\(.*\)\s*$/, '').trim();
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, out.length);
        out.push(cmd);
      } else if (cmd.length > out[i]!.length) out[i] = cmd;
    }
  }
  return out;
}

/** The finding with the case attached: caseId, the case's checklist first, filled commands, references. */
export function attachCase(f: Finding, c: CaseDef, tasks: Analysis['tasks']): Finding {
  const values = placeholderValues(f, tasks);
  const checklist = [...new Set([...c.checklist, ...f.checklist])].slice(0, MAX_CHECKLIST);
  const nextSteps = mergeCommands(c.confirm.map((x) => fill(x, values)), f.nextSteps);
  const suspectLock = f.suspectLock && c.lockName && !f.suspectLock.name ? { ...f.suspectLock, name: c.lockName } : f.suspectLock;
  return { ...f, caseId: c.id, checklist, nextSteps, references: [...new Set([...c.references, ...f.references])], suspectLock };
}
