// What a crash session remembers across blocks of one paste: `$N` values of `p`, and the last crash
// command seen, which says what the backtraces after it are (`bt -a`: the task on each CPU, i.e.
// running; `foreach UN bt`: blocked tasks). Keyed by the model being built, so it lives for one parse.

import type { TraceModel } from '../../model/trace-model.ts';

export interface CrashSession {
  vars: Map<string, { type: string; address: string }>;
  lastCommand: string | null;
  /** `struct T.member -o ADDR` answers: "ADDR|member" → the member's own address and type. */
  members?: Map<string, { address: string; type: string }>;
}

const sessions = new WeakMap<TraceModel, CrashSession>();

export function crashSession(model: TraceModel): CrashSession {
  let s = sessions.get(model);
  if (!s) {
    s = { vars: new Map(), lastCommand: null };
    sessions.set(model, s);
  }
  return s;
}

/** The state every task printed by this command is in, when the command says so. */
export function stateFromCommand(cmd: string | null): string | null {
  if (!cmd) return null;
  const fe = /^foreach (?:\S+ )*?(RU|UN|IN|ID|ZO|ST|TR) (?:\S+ )*?bt\b/.exec(cmd);
  if (fe) return ({ RU: 'R', UN: 'D', IN: 'S', ID: 'I', ZO: 'Z', ST: 'T', TR: 'T' } as Record<string, string>)[fe[1]] ?? null;
  // `bt -a` shows the task active on each CPU at the time of the dump
  if (/^bt(?: -\w+)* -\w*a\w*\b/.test(cmd)) return 'R';
  return null;
}
