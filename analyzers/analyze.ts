// analyze(text): the engine entry every surface calls (CLI, bot, web). parse → classify → every
// registered plugin (each isolated: a plugin that throws costs its own finding and leaves a note) →
// findings ranked best first → documented cases attached → key frames, task view, signature.
// Pure and total: never throws; on an internal disaster it answers not_kernel with a note.

import { SCHEMA_VERSION, type Analysis, type AnalysisTask, type Family, type Finding } from './contract.ts';
import type { Task, TraceModel } from './model/trace-model.ts';
import type { Plugin } from './plugins/plugin.ts';
import { parse } from './parse/parse.ts';
import { classify, familyOfReport, signature, taskFrames } from './classify/index.ts';
import { blameFrames, modelFacts } from './plugins/generic-helpers/index.ts';
import { getDefaultRegistry, MECHANISM_IDS } from './plugins/registry.ts';
import { BUILTIN_CASES } from './cases/builtin/index.ts';
import { isCaseDef, type CaseDef } from './cases/schema.ts';
import { attachCase, bestCase } from './cases/match.ts';
import { waitGraphOf } from './graph/wait-graph.ts';
import { enrichFromGraph } from './graph/enrich.ts';

export type { CaseDef };

export interface AnalyzeOptions {
  /** User cases (already loaded from disk by config/load-cases.ts); invalid entries are skipped with a note. */
  cases?: readonly unknown[];
  /** Replace the registered plugins (tests). */
  plugins?: readonly Plugin[];
}

const MAX_FINDINGS = 20;

export function analyze(text: string, opts: AnalyzeOptions = {}): Analysis {
  try {
    return run(typeof text === 'string' ? text : String(text ?? ''), opts);
  } catch (e) {
    return {
      schemaVersion: SCHEMA_VERSION, family: 'not_kernel', title: 'analysis failed', signature: 'error', formats: [],
      keyFrames: [], tasks: [], findings: [],
      notes: [`internal error while analysing: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown'}`],
    };
  }
}

function run(text: string, opts: AnalyzeOptions): Analysis {
  return analyzeModel(parse(text), opts);
}

/**
 * Everything after parse() on a fresh model (analyze() is parse + this). Exported so the part after
 * the parser can be timed on its own; the model must come straight from parse() (answers are cached
 * per model and task) and is not modified. Throws where analyze() answers with a note.
 */
export function analyzeModel(model: TraceModel, opts: AnalyzeOptions = {}): Analysis {
  const notes = [...model.notes];
  const { family, title } = classify(model);
  const tasks = taskView(model);
  let findings: Finding[] = [];
  if (family !== 'not_kernel') {
    findings = runPlugins(model, family, opts.plugins ?? getDefaultRegistry().plugins, notes);
    try {
      // generic findings get the wait-for graph's chain where it knows more (owner from a dump...)
      const graph = waitGraphOf(model);
      findings = findings.map((f) => (MECHANISM_IDS.has(f.pattern) ? f : enrichFromGraph(f, graph)));
    } catch (e) {
      notes.push(`wait-for graph failed: ${e instanceof Error ? e.message.slice(0, 160) : 'unknown error'}`);
    }
    findings = rank(findings).slice(0, MAX_FINDINGS);
    const cases = caseList(opts.cases, notes);
    const ctx = matchContext(model, family);
    findings = findings.map((f) => {
      const c = bestCase(cases, f, ctx);
      return c ? attachCase(f, c, tasks) : f;
    });
    // with no mechanism evidence, generic findings say plainly that the holder is unknown
    if (!findings.some((f) => MECHANISM_IDS.has(f.pattern))) findings = findings.map(honestHolder);
  }
  const keyFrames = findings[0]?.keyFrames.length ? findings[0].keyFrames : fallbackKeyFrames(model);
  return {
    schemaVersion: SCHEMA_VERSION,
    family,
    title,
    signature: signature(model, family, title, keyFrames),
    formats: model.formats,
    keyFrames,
    tasks,
    findings,
    ...(notes.length ? { notes } : {}),
  };
}

function familiesIn(model: TraceModel, family: Family): Set<Family> {
  const s = new Set<Family>([family]);
  for (const r of model.reports) {
    try {
      s.add(familyOfReport(r));
    } catch {
      /* a report kind without a family: the primary one still counts */
    }
  }
  return s;
}

function runPlugins(model: TraceModel, family: Family, plugins: readonly Plugin[], notes: string[]): Finding[] {
  const fams = familiesIn(model, family);
  const out: Finding[] = [];
  for (const p of plugins) {
    if (p.families !== '*' && !p.families.some((f) => fams.has(f))) continue;
    try {
      const got = p.run(model, { family });
      for (const f of got) out.push({ ...f, pattern: f.pattern || p.id });
    } catch (e) {
      notes.push(`analyzer ${p.id} failed: ${e instanceof Error ? e.message.slice(0, 160) : 'unknown error'}`);
    }
  }
  return out;
}

/** Best first: confidence, then a mechanism before a generic finding, then a closed cycle, then a longer chain. */
export function rank(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const uniq = findings.filter((f) => {
    const k = `${f.pattern}\u0000${f.headline}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return uniq
    .map((f, i) => ({ f, i }))
    .sort((a, b) =>
      b.f.confidence - a.f.confidence
      || Number(MECHANISM_IDS.has(b.f.pattern)) - Number(MECHANISM_IDS.has(a.f.pattern))
      || Number(b.f.cycle) - Number(a.f.cycle)
      || b.f.blockingChain.length - a.f.blockingChain.length
      || a.i - b.i)
    .map((x) => x.f);
}

function caseList(user: readonly unknown[] | undefined, notes: string[]): CaseDef[] {
  const out: CaseDef[] = [...BUILTIN_CASES];
  let bad = 0;
  for (const c of user ?? []) {
    if (isCaseDef(c)) out.push({ ...c, origin: 'user' });
    else bad++;
  }
  if (bad) notes.push(`${bad} user case(s) skipped: invalid (run \`lockdown cases check DIR\`)`);
  return out;
}

function matchContext(model: TraceModel, family: Family) {
  // the names of every task's taskFrames(t) (exception RIPs included) and every module, from the one
  // pass over the frames that taskView already made: a set per distinct name, not per frame
  const mf = modelFacts(model);
  const frames = new Set<string>();
  for (const n of mf.names) frames.add(beforeDot(n));
  const modules = new Set<string>(mf.modules);
  for (const r of model.reports) {
    const ld = r.lockdep;
    if (!ld) continue;
    for (const c of ld.chain) for (const f of c.frames) frames.add(beforeDot(f.fn));
  }
  return { family, frames, modules };
}

/** fn.split('.')[0] without the array. */
function beforeDot(fn: string): string {
  const k = fn.indexOf('.');
  return k >= 0 ? fn.slice(0, k) : fn;
}

/** A finding whose chain names no holder says so, with what would find it, instead of guessing. */
function honestHolder(f: Finding): Finding {
  if (MECHANISM_IDS.has(f.pattern)) return f;
  const known = f.blockingChain.some((l) => l.heldBy) || !!f.suspectLock?.holder;
  if (known || /holder unknown/i.test(f.headline)) return f;
  const steps = f.nextSteps.length ? f.nextSteps : ['crash> foreach UN bt', 'echo w > /proc/sysrq-trigger'];
  return { ...f, headline: `${f.headline} (holder unknown)`, nextSteps: steps };
}

function fallbackKeyFrames(model: TraceModel): string[] {
  const t = model.tasks.find((x) => x.state === 'D' && x.stack.length > 0) ?? model.tasks.find((x) => x.stack.length > 0);
  return t ? blameFrames(taskFrames(t), 2) : [];
}

function taskView(model: TraceModel): AnalysisTask[] {
  // loops, not map/filter chains: one entry per task, and a foreach bt has thousands. The frame lists
  // and first lines come from the one pass over each task's frames (generic-helpers factsOf, kept per
  // task: the model is not modified after parse) that the plugins use too, not from a walk of its own.
  const facts = modelFacts(model).facts;
  const tasks = model.tasks;
  const n = tasks.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (facts[i]!.firstLine < facts[i - 1]!.firstLine) {
      sorted = false;
      break;
    }
  }
  // a stable sort by first line; a paste already in that order (the usual case) needs none
  let order: number[] | null = null;
  if (!sorted) {
    order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => facts[a]!.firstLine - facts[b]!.firstLine);
  }
  const out = new Array<AnalysisTask>(n);
  for (let k = 0; k < n; k++) {
    const i = order === null ? k : order[k]!;
    const t = tasks[i]!;
    const f = facts[i]!;
    out[k] = { pid: t.pid, comm: t.comm, state: t.state, cpu: t.cpu, task: t.task, frames: f.frames, contexts: f.contexts };
  }
  return out;
}
