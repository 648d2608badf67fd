// The second pass of normalisation, over whole lines (it needs the neighbours): bare numbers kept
// only as the pid echoed before a /proc stack, double-spaced pastes, lines a chat client wrapped.

import type { NormalizedLine } from './normalize.ts';
import { matchBlocker, matchDetector } from './console/detector-header.ts';

/** Marks a bare-number line until joinWrapped decides (a NUL never survives the first pass). */
export const BARE_NUMBER = '\u0000';

/**
 * Some editors and chat clients paste with a blank line after every line. When most lines are
 * followed by exactly one blank line, those single blanks are dropped (a longer run of blanks stays
 * as one block separator); otherwise every block would end after its first line.
 */
export function dropDoubleSpacing(lines: NormalizedLine[], hidden = 0): NormalizedLine[] {
  // `hidden`: lines inside fast-lane blocks (normalize.ts), all content lines followed by content
  let content = hidden;
  let spaced = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].text === '') continue;
    content++;
    if (lines[i + 1]?.text === '' && lines[i + 2] !== undefined && lines[i + 2].text !== '') spaced++;
  }
  if (content < 6 || spaced < content * 0.6) return lines;
  const out: NormalizedLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.text === '' && lines[i - 1]?.text !== '' && lines[i + 1] !== undefined && lines[i + 1].text !== '') continue;
    if (l.text === '' && out.length > 0 && out[out.length - 1].text === '') continue;
    out.push(l);
  }
  return out;
}

// A chat client may wrap one trace line in two. Join only the shapes where the second half cannot be
// anything else: a crash frame missing its "at ADDR", a console frame cut inside "+0x12c/0x5b0", a
// crash task header cut before COMMAND, and a hung-task header or blocker line ("INFO: task ...")
// that is only whole with the next line (an editor or mail client wrapping at 72-80 columns).

/**
 * Whether joinWrapped has anything to do at a line with this text: a bare-number mark, or one of the
 * shapes a wrapped first half can have ("#N [sp]( fn( at))", "[<addr>]( ?)", "...+0x12c(/)",
 * "PID: ... CPU: N"). joinWrapped leaves every other line as it is, so normalisation, which has the
 * text at hand, lists these lines and joinWrapped visits only them (a second pass over the 265k
 * line objects of a 10k-task foreach bt showed in the profile).
 */
export function mayBeWrappedHalf(t: string): boolean {
  const c0 = t.charCodeAt(0);
  if (c0 === 0) return true;
  return halfShape(t, c0) !== 0;
}

const FRAME_HALF = 1;
const ADDR_HALF = 2;
const OFFSET_HALF = 4;
const HEADER_HALF = 8;
const INFO_HALF = 16;

function halfShape(t: string, c0: number): number {
  const frameHalf = c0 === 35 && (t.endsWith(' at') || t.indexOf(' at ') < 0);
  const addrHalf = c0 === 91 && t.length <= 22 && (t.endsWith(']') || t.endsWith('] ?'));
  // the offset half must end "+0x<hex>" or "+0x<hex>/": its "+0x" is among the last 20 characters.
  // A "#" line that is not a frame half has " at " in it, and a space after a leading "#" can never
  // match the offset-half shape: every crash frame line skips this scan.
  const offsetHalf = !frameHalf && !addrHalf && c0 !== 35 && t.indexOf('+0x', Math.max(1, t.length - 20)) > 0;
  const headerHalf = c0 === 80 && t.startsWith('PID: ') && t.indexOf('COMMAND') < 0;
  // a hung-task line without its "seconds." end (complete blocker lines pass here too: joinWrapped
  // joins only when the line alone is not a header and the two together are)
  const infoHalf = c0 === 73 && t.startsWith('INFO: task ') && t.length < 300 && !t.endsWith(' seconds.');
  return (frameHalf ? FRAME_HALF : 0) | (addrHalf ? ADDR_HALF : 0) | (offsetHalf ? OFFSET_HALF : 0) | (headerHalf ? HEADER_HALF : 0) | (infoHalf ? INFO_HALF : 0);
}

/**
 * `candidates`: ascending indexes into `lines` of every line for which mayBeWrappedHalf holds (the
 * others are passed through unchanged); without it every line is checked.
 */
export function joinWrapped(lines: NormalizedLine[], candidates?: readonly number[]): NormalizedLine[] {
  // `out` is made only when a line is dropped or joined: most pastes have neither, and copying a
  // 265k-line array showed in the profile. lines[copied..] are not in `out` yet.
  let out: NormalizedLine[] | null = null;
  let copied = 0;
  const count = candidates ? candidates.length : lines.length;
  for (let c = 0; c < count; c++) {
    const i = candidates ? candidates[c] : c;
    if (i < copied) continue; // the second half of a line joined just before
    const cur = lines[i];
    const t = cur.text;
    const c0 = t.charCodeAt(0);
    if (c0 === 0) {
      out = copyUpTo(out, lines, copied, i);
      copied = i + 1;
      const next = lines[i + 1];
      if (next !== undefined && next.text.startsWith('[<')) out.push({ ...cur, text: t.slice(1) });
      continue;
    }
    const shape = halfShape(t, c0);
    if (shape === 0) continue;
    const frameHalf = (shape & FRAME_HALF) !== 0;
    const addrHalf = (shape & ADDR_HALF) !== 0;
    const offsetHalf = (shape & OFFSET_HALF) !== 0;
    const headerHalf = (shape & HEADER_HALF) !== 0;
    const next = lines[i + 1];
    if (next === undefined || next.text === '') continue;
    const u = next.text;
    let joined: string | null = null;
    if (frameHalf && /^#\d{1,4} \[[0-9a-f]{6,16}\]$/.test(t) && /^\S{1,256} at [0-9a-f]{6,16}(?: \[\S{1,64}\])?$/.test(u)) {
      joined = `${t} ${u}`; // "#5 [ffff92adf5c43e38]" / "native_queued_spin_lock_slowpath at ffffffffbc111190"
    } else if (addrHalf && /^\[<[0-9a-f]{1,16}>\](?: \?)?$/.test(t) && /^(?:\? )?\S{1,256}\+0x[0-9a-f]{1,16}\/0x[0-9a-f]{1,16}(?: \[\S{1,64}\])?$/.test(u)) {
      joined = `${t} ${u}`; // "[<ffffffff810a6fec>]" / "flush_workqueue+0x12c/0x5b0"
    } else if (frameHalf && /^#\d{1,4} \[[0-9a-f]{6,16}\] \S{1,256}(?: at)?$/.test(t) && /^(?:at )?[0-9a-f]{6,16}(?: \[\S{1,64}\])?$/.test(u)) {
      joined = t.endsWith(' at') || u.startsWith('at ') ? `${t} ${u}` : `${t} at ${u}`;
    } else if (offsetHalf && /\+0x[0-9a-f]{1,16}\/?$/.test(t) && /^(?:\/?0x[0-9a-f]{1,16})(?: \[\S{1,64}\])?$/.test(u) && /^(?:\? )?(?:\[<[0-9a-f]{1,16}>\] )?(?:\? )?\S{1,256}$/.test(t)) {
      joined = t.endsWith('/') || u.startsWith('/') ? t + u : `${t}/${u}`;
    } else if (headerHalf && /^PID: \d{1,10} TASK: [0-9a-f]{6,16} CPU: \S{1,5}$/.test(t) && /^COMMAND: "/.test(u)) {
      joined = `${t} ${u}`;
    } else if ((shape & INFO_HALF) !== 0 && u.length < 200 && !wholeInfoLine(t)) {
      const both = `${t} ${u}`;
      if (wholeInfoLine(both)) joined = both;
    }
    if (joined !== null) {
      out = copyUpTo(out, lines, copied, i);
      out.push({ ...cur, text: joined });
      copied = i + 2;
    }
  }
  if (out === null) return lines;
  for (let k = copied; k < lines.length; k++) out.push(lines[k]);
  return out;
}

/** A complete hung-task header (with its seconds) or hung-task blocker line. */
function wholeInfoLine(t: string): boolean {
  if (matchBlocker(t) !== null) return true;
  const d = matchDetector(t);
  return d !== null && d.kind === 'hung_task' && d.seconds !== null;
}

function copyUpTo(out: NormalizedLine[] | null, lines: NormalizedLine[], from: number, to: number): NormalizedLine[] {
  const o = out ?? [];
  for (let k = from; k < to; k++) o.push(lines[k]);
  return o;
}
