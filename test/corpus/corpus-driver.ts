// Drives a syzkaller report file through the parser. Uses the engine's parse() when it exists
// (analyzers/parse/parse.ts, written by the crash/ps side); until then a local loop over the
// console recognizers with a minimal console-prefix normaliser.

import { readFileSync } from 'node:fs';
import { emptyModel, type Line } from '../../analyzers/parse/recognizer.ts';
import type { TraceModel } from '../../analyzers/model/trace-model.ts';
import { consoleRecognizers, type ConsoleLine } from '../../analyzers/parse/console/index.ts';

export interface CorpusFile {
  name: string;
  title: string | null;
  alts: string[];
  type: string | null;
  corrupted: boolean;
  log: string;
}

/** Header lines up to the first blank line, then the raw log; the optional "REPORT:" tail is the expected extract. */
export function readCorpusFile(path: string, name: string): CorpusFile {
  const raw = readFileSync(path, 'latin1');
  const lines = raw.split('\n');
  const f: CorpusFile = { name, title: null, alts: [], type: null, corrupted: false, log: '' };
  let k = 0;
  for (; k < lines.length && lines[k]!.trim() !== ''; k++) {
    const l = lines[k]!;
    if (l.startsWith('TITLE: ')) f.title = l.slice(7).trim();
    else if (l.startsWith('ALT: ')) f.alts.push(l.slice(5).trim());
    else if (l.startsWith('TYPE: ')) f.type = l.slice(6).trim();
    else if (l.startsWith('CORRUPTED: ')) f.corrupted = l.includes('Y');
    else if (!/^[A-Z]+:/.test(l)) break; // no header block: the log starts here
  }
  let body = lines.slice(k);
  const rep = body.findIndex((l) => l === 'REPORT:');
  if (rep >= 0) body = body.slice(0, rep);
  f.log = body.join('\n');
  return f;
}

// "[  584.319520][   T31] " / "<6>[ 12.3] " / "** 5 printk messages dropped ** [...]" / "syzkaller login: [...]"
const PREFIX_RE = /^(?:\*\* \d{1,9} printk messages dropped \*\* )?(?:.{0,80}? login: )?(?:<\d{1,3}>)?\[ {0,12}\d{1,10}\.\d{1,9}\](?:\[ {0,8}([CT]\d{1,9})\])? ?/;

export function localNormalize(text: string): ConsoleLine[] {
  const out: ConsoleLine[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    let t = raw[i]!.replace(/\r$/, '');
    const m = PREFIX_RE.exec(t);
    let ctx: string | undefined;
    if (m) {
      ctx = m[1] ?? 'console';
      t = t.slice(m[0].length);
    }
    out.push({ no: i + 1, text: t, ...(ctx ? { ctx } : {}) });
  }
  return out;
}

export function localParse(text: string): TraceModel {
  const lines: Line[] = localNormalize(text);
  const model = emptyModel();
  model.lineCount = lines.length;
  for (let i = 0; i < lines.length;) {
    const r = consoleRecognizers.find((rc) => rc.starts(lines, i));
    if (!r) {
      i++;
      continue;
    }
    const next = r.consume(lines, i, model);
    i = next > i ? next : i + 1;
  }
  return model;
}
