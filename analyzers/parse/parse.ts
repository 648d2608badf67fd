// parse(text) → TraceModel: normalise, run the recognizers over the lines (first match consumes its
// block; lines nobody claims are skipped), then merge the tasks seen through several sources.
// Never throws: a recognizer that fails costs its block (noted in model.notes), the parse goes on.
//
// For recognizers: push one Task per stack or row you see, with any key unique to it; mergeTasks
// then unifies tasks with the same pid (> 0), task_struct address or idle CPU, gives the final keys
// ("pid:N", "cpu:N" for the idle task, "task:ADDR", "anon:N") and rewrites Report.taskKeys to them.

import type { TraceModel } from '../model/trace-model.ts';
import { mergeTasks } from './merge-tasks.ts';
import { normalize } from './normalize.ts';
import { emptyModel, type Line, type Recognizer } from './recognizer.ts';
import { recognizers as defaultRecognizers } from './recognizers.ts';

const MAX_NOTES = 50;

export function parse(text: string, recognizers: readonly Recognizer[] = defaultRecognizers): TraceModel {
  const model = emptyModel();
  let lines: Line[] = [];
  try {
    const norm = normalize(text);
    lines = norm.lines;
    model.notes.push(...norm.notes);
    model.lineCount = lines.length;
  } catch (err) {
    model.notes.push(`internal error while normalising the input: ${describe(err)}`);
    return model;
  }
  dispatch(lines, model, recognizers);
  try {
    mergeTasks(model);
  } catch (err) {
    model.notes.push(`internal error while merging tasks: ${describe(err)}`);
  }
  if (model.notes.length > MAX_NOTES) model.notes.splice(MAX_NOTES, model.notes.length - MAX_NOTES, 'further notes omitted');
  return model;
}

function dispatch(lines: readonly Line[], model: TraceModel, recognizers: readonly Recognizer[]): void {
  let failures = 0;
  let i = 0;
  while (i < lines.length) {
    let next = i + 1;
    for (const r of recognizers) {
      let claimed = false;
      try {
        if (!r.starts(lines, i)) continue;
        claimed = true;
        const j = r.consume(lines, i, model);
        next = Number.isInteger(j) && j > i ? Math.min(j, lines.length) : i + 1;
      } catch (err) {
        if (failures++ < 10) model.notes.push(`recognizer ${r.name} failed at line ${lines[i]?.no}: ${describe(err)}`);
        next = i + 1;
        if (!claimed) continue;
      }
      break;
    }
    i = next;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
