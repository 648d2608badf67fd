// The analyzer plugin interface. A plugin is a pure function of the trace model (no I/O, no clock,
// no randomness) with fixed metadata; registration rejects duplicate ids. A plugin that throws costs
// its own finding, never the reply (analyze() catches per plugin).

import type { Family, Finding } from '../contract.ts';
import type { TraceModel } from '../model/trace-model.ts';

/** Data a plugin may consult besides the model. Built once per analyze() call. */
export interface PluginContext {
  /** The family decided for the whole input (first detector report). */
  family: Family;
}

export interface Plugin {
  /** Stable id; becomes Finding.pattern (e.g. "mutex-self-deadlock"). */
  id: string;
  title: string;
  /** Families this plugin looks at; '*' for all. */
  families: readonly Family[] | '*';
  run(model: TraceModel, ctx: PluginContext): Finding[];
}
