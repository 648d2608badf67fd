// The parser is a single pass over normalised lines. At each line the dispatcher asks every
// recognizer, in order, whether a block of its format starts there; the first that says yes consumes
// the block and adds what it found to the model. Lines nobody claims are skipped (prose between
// blocks). Linear time: `starts` looks at one line (bounded work), `consume` moves strictly forward.

import type { TraceModel } from '../model/trace-model.ts';

/** One normalised line with its 1-based line number in the original input. */
export interface Line {
  no: number;
  text: string;
}

export interface Recognizer {
  name: string;
  /** Can a block of this format start at lines[i]? Bounded work per call (no scanning ahead). */
  starts(lines: readonly Line[], i: number): boolean;
  /** Consume the block that starts at i, add its content to `model`; return the index after the block (> i). */
  consume(lines: readonly Line[], i: number, model: TraceModel): number;
}

export function emptyModel(): TraceModel {
  return {
    formats: [],
    reports: [],
    tasks: [],
    structs: [],
    waiterLists: [],
    bindings: [],
    invalidAddresses: [],
    psRows: [],
    sys: null,
    release: null,
    lineCount: 0,
    notes: [],
  };
}

export function addFormat(model: TraceModel, f: TraceModel['formats'][number]): void {
  if (!model.formats.includes(f)) model.formats.push(f);
}
