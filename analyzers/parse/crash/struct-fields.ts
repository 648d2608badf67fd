// Reads crash's struct/union dump syntax into flat dotted fields:
//   struct mutex {            count = {            wait_list = {
//     count = {                 counter = -1   →   "count.counter" = "-1", "wait_list.next" = "ffff...",
//       counter = -1            }, ...             "owner" = "ffff88003570de20"
// Anonymous nested braces ("{ rlock = ...}") add no path component, so the ticket lock of a mutex's
// wait_lock reads "wait_lock.rlock.raw_lock.tickets.head". "0x..." values lose the prefix and any
// " <symbol>" suffix; other values are kept as printed. One forward scan per line; bounded.

import type { Line } from '../recognizer.ts';

export interface FieldScan {
  fields: Record<string, string>;
  /** Index after the last line that belongs to the dump. */
  end: number;
}

const MAX_DUMP_LINES = 20000;

/**
 * Scans from lines[i]. `depth0` is 0 when lines[i] is the opener ("struct mutex {") or a bare field
 * list ("stack = 0x..."), 1 when the opener was already consumed (the "$1 = {" of `p`).
 */
export function scanFields(lines: readonly Line[], i: number, depth0 = 0): FieldScan {
  const fields: Record<string, string> = {};
  const path: string[] = [];
  let depth = depth0;
  // a member-form dump ("struct mutex.owner,wait_list ADDR") is a bare list of "name = value" entries
  // at the top level, several of them braced: closing one brace back to the top goes on to the next
  let bare = false;
  let j = i;
  for (; j < lines.length && j - i < MAX_DUMP_LINES; j++) {
    const t = lines[j].text;
    if (depth === 0) {
      if (/^(?:struct|union) [^{}=]{0,128}\{$/.test(t) || /^typedef (?:struct|union)? ?[^{}=]{0,128}\{$/.test(t) || t === '{') {
        depth = 1;
        continue;
      }
      if (/^[A-Za-z_][\w.]{0,127} = /.test(t)) {
        bare = true;
        scanLine(t, path, fields);
        if (path.length > 0) depth = path.length;
        continue;
      }
      break;
    }
    if (t === '') break;
    // a type definition's members ("struct list_head list;") add no field: `addDump` drops such a block
    depth = scanLine(t, path, fields, depth);
    if (depth <= 0) {
      if (bare) {
        depth = 0;
        path.length = 0;
        continue;
      }
      j++;
      break;
    }
  }
  return { fields, end: j };
}

/** Scans one line; returns the new depth (relative to the dump's outer brace). */
function scanLine(t: string, path: string[], fields: Record<string, string>, depthIn = 0): number {
  let depth = depthIn;
  let k = 0;
  const n = t.length;
  while (k < n) {
    const c = t[k];
    if (c === ' ' || c === ',' || c === ';') {
      k++;
      continue;
    }
    if (c === '{') {
      if (t.startsWith('{<No data fields>}', k)) {
        k += 18;
        continue;
      }
      path.push('');
      depth++;
      k++;
      continue;
    }
    if (c === '}') {
      path.pop();
      depth--;
      k++;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]{0,127}/.exec(t.slice(k, k + 130));
    if (!id) {
      k = skipValue(t, k);
      continue;
    }
    k += id[0].length;
    while (t[k] === ' ') k++;
    if (t[k] !== '=') {
      // "struct list_head list;" (a definition) or an enum value inside an array: not a field
      k = skipValue(t, k);
      continue;
    }
    k++;
    while (t[k] === ' ') k++;
    if (t[k] === '{') {
      if (t.startsWith('{<No data fields>}', k)) {
        k += 18;
        continue;
      }
      path.push(id[0]);
      depth++;
      k++;
      continue;
    }
    const end = skipValue(t, k);
    const key = [...path.filter((p) => p !== ''), id[0]].join('.');
    fields[key] = cleanValue(t.slice(k, end));
    k = end;
  }
  return depth;
}

/** Index of the end of a value: the next ',' or '}' outside quotes, or the end of the line. */
function skipValue(t: string, from: number): number {
  let k = from;
  let quoted = false;
  for (; k < t.length; k++) {
    const c = t[k];
    if (quoted) {
      if (c === '\\') k++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '}' || c === '{') break;
  }
  return k === from ? from + 1 : k;
}

function cleanValue(raw: string): string {
  const v = raw.trim();
  const h = /^0x([0-9a-fA-F]{1,16})(?: <[^>]{0,256}>)?$/.exec(v);
  return h ? h[1].toLowerCase() : v;
}
