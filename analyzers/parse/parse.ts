// parse(text) → TraceModel: normalise, run the recognizers over the lines (first match consumes its
// block; lines nobody claims are skipped), then merge the tasks seen through several sources.
// Never throws: a recognizer that fails costs its block (noted in model.notes), the parse goes on.
//
// For recognizers: push one Task per stack or row you see, with any key unique to it; mergeTasks
// then unifies tasks with the same pid (> 0), task_struct address or idle CPU, gives the final keys
// ("pid:N", "cpu:N" for the idle task, "task:ADDR", "anon:N") and rewrites Report.taskKeys to them.

import type { Task, TraceModel } from '../model/trace-model.ts';
import { crashSession, stateFromCommand } from './crash/session.ts';
import { mergeTasks } from './merge-tasks.ts';
import { normalize, type NormalizedLine } from './normalize.ts';
import { addFormat, emptyModel, type Line, type Recognizer } from './recognizer.ts';
import { recognizers as defaultRecognizers } from './recognizers.ts';

const MAX_NOTES = 50;

export interface ParseOptions {
  /** Read plain crash backtraces through the fast lane (crash/bt-fast.ts); default true. The model is
   * the same either way (bt-fast.test.ts compares them); false is for that comparison. */
  fastBt?: boolean;
}

export function parse(text: string, recognizers: readonly Recognizer[] = defaultRecognizers, opts: ParseOptions = {}): TraceModel {
  // the fast lane stands in for the crash-bt recognizer of the default set only
  const model = parseWith(text, recognizers, opts.fastBt !== false && recognizers === defaultRecognizers);
  return model ?? (parseWith(text, recognizers, false) as TraceModel);
}

/** null when a block of the fast lane turned out to be inside another recognizer's block (read again without). */
function parseWith(text: string, recognizers: readonly Recognizer[], fastBt: boolean): TraceModel | null {
  const model = emptyModel();
  let lines: Line[] = [];
  let all = recognizers;
  try {
    const norm = normalize(text, { fastBt });
    lines = norm.lines;
    model.notes.push(...norm.notes);
    model.lineCount = lines.length + norm.hidden;
    for (let k = norm.lines.length - 1; k >= 0; k--) {
      const ts = norm.lines[k]!.ts;
      if (ts === undefined) continue;
      model.lastUptime = { seconds: ts, line: norm.lines[k]!.no };
      break;
    }
    if (norm.fast.length > 0) all = [fastBtRecognizer(norm.fast), ...recognizers];
  } catch (err) {
    model.notes.push(`internal error while normalising the input: ${describe(err)}`);
    return model;
  }
  if (!dispatch(lines, model, all)) return null;
  try {
    mergeTasks(model);
  } catch (err) {
    model.notes.push(`internal error while merging tasks: ${describe(err)}`);
  }
  if (model.notes.length > MAX_NOTES) model.notes.splice(MAX_NOTES, model.notes.length - MAX_NOTES, 'further notes omitted');
  return model;
}

/** false when a recognizer's block took in a fast-lane line (the lane's block was not a block of its own). */
function dispatch(lines: readonly NormalizedLine[], model: TraceModel, recognizers: readonly Recognizer[]): boolean {
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
    for (let k = i + 1; k < next; k++) if (lines[k].fast !== undefined) return false;
    i = next;
  }
  return true;
}

/**
 * Claims the lines that stand for a block the fast lane read (normalize.ts, crash/bt-fast.ts): the
 * task the crash-bt recognizer would have built there, with the state the crash command before it
 * implies (known only now, in input order).
 */
function fastBtRecognizer(tasks: readonly Task[]): Recognizer {
  return {
    name: 'crash-bt',
    starts(lines, i) {
      return (lines[i] as NormalizedLine).fast !== undefined;
    },
    consume(lines, i, model) {
      const task = tasks[(lines[i] as NormalizedLine).fast as number];
      task.state = stateFromCommand(crashSession(model).lastCommand);
      model.tasks.push(task);
      addFormat(model, 'crash-bt');
      return i + 1;
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
