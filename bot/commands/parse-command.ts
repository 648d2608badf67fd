// Parses the text after `/lockdown` into a typed command. Every mistake becomes a one-line
// LockdownError('LD_USAGE') with the right usage and an example, never a guess.

import { LockdownError } from '../../config/errors.ts';
import { usageOf, USAGE_LINES } from './usage.ts';

export type ParsedCommand =
  | { kind: 'analyze'; text: string }
  | { kind: 'list'; scope: 'open' | 'all'; channelOnly: boolean }
  | { kind: 'show'; id: string }
  | { kind: 'ack'; id: string }
  | { kind: 'resolve'; id: string; note: string | null }
  | { kind: 'reopen'; id: string }
  | { kind: 'dup'; id: string; of: string }
  | { kind: 'mute'; id: string; forMs: number }
  | { kind: 'assign'; id: string; user: string }
  | { kind: 'digest'; mode: 'now' | 'preview' }
  | { kind: 'cases' }
  | { kind: 'help' };

export const DEFAULT_MUTE_MS = 7 * 86_400_000;

function usageError(name: string, what: string): LockdownError {
  const u = usageOf(name);
  const line = u ? `${what}. Usage: /lockdown ${u.usage} (e.g. /lockdown ${u.example})` : what;
  return new LockdownError('LD_USAGE', line, { userMessage: line });
}

/** `LD-42`, `ld-42`, `42` → `LD-42`; anything else null. */
export function parseIncidentId(s: string | undefined): string | null {
  if (!s) return null;
  const m = /^(?:ld-?)?(\d{1,9})$/i.exec(s.trim());
  return m ? `LD-${Number(m[1])}` : null;
}

/** `7d`, `12h`, `2w`, `30m` → milliseconds (bounded to a year). */
export function parseDuration(s: string): number | null {
  const m = /^(\d{1,4})\s*(m|min|h|d|w)$/i.exec(s.trim());
  if (!m) return null;
  const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]!.toLowerCase() as 'm' | 'min' | 'h' | 'd' | 'w'];
  const ms = Number(m[1]) * unit;
  return ms > 0 && ms <= 366 * 86_400_000 ? ms : null;
}

/** Slack `<@U123|alice>`, Discord `<@123>` / `<@!123>`, `@alice`, `alice` → the user id or name. */
export function parseUser(s: string | undefined): string | null {
  if (!s) return null;
  const t = s.trim();
  const mention = /^<@!?([A-Za-z0-9]{1,40})(?:\|[^>]{0,80})?>$/.exec(t);
  if (mention) return mention[1]!;
  const plain = /^@?([A-Za-z0-9._-]{1,80})$/.exec(t);
  return plain ? plain[1]! : null;
}

function needId(name: string, tok: string | undefined): string {
  const id = parseIncidentId(tok);
  if (!id) throw usageError(name, tok ? `'${tok.slice(0, 40)}' is not an incident id` : 'Missing incident id');
  return id;
}

export function parseCommand(input: string): ParsedCommand {
  const text = input.replace(/^\s+/, '');
  if (text.trim() === '') return { kind: 'help' };
  const sp = /\s/.exec(text);
  const name = (sp ? text.slice(0, sp.index) : text).toLowerCase();
  const rest = sp ? text.slice(sp.index + 1) : '';
  const args = rest.trim() === '' ? [] : rest.trim().split(/\s+/);

  switch (name) {
    case 'analyze':
    case 'analyse':
      return { kind: 'analyze', text: rest };
    case 'list': {
      let scope: 'open' | 'all' = 'open';
      let channelOnly = false;
      for (const a of args) {
        const l = a.toLowerCase();
        if (l === 'open' || l === 'all') scope = l;
        else if (l === '--channel' || l === 'channel') channelOnly = true;
        else throw usageError('list', `Unknown option '${a.slice(0, 40)}'`);
      }
      return { kind: 'list', scope, channelOnly };
    }
    case 'show':
    case 'ack':
    case 'reopen': {
      if (args.length > 1) throw usageError(name, 'Too many arguments');
      return { kind: name, id: needId(name, args[0]) };
    }
    case 'resolve': {
      const id = needId(name, args[0]);
      const note = rest.trim().slice(args[0]!.length).trim();
      return { kind: 'resolve', id, note: note === '' ? null : note.slice(0, 2000) };
    }
    case 'dup':
    case 'duplicate': {
      const id = needId('dup', args[0]);
      const of = args[1] === 'of' ? args[2] : args[1];
      const ofId = parseIncidentId(of);
      if (!ofId) throw usageError('dup', of ? `'${of.slice(0, 40)}' is not an incident id` : 'Missing the incident it duplicates');
      if (ofId === id) throw usageError('dup', 'An incident cannot duplicate itself');
      return { kind: 'dup', id, of: ofId };
    }
    case 'mute': {
      const id = needId(name, args[0]);
      const tail = args.slice(1);
      if (tail[0]?.toLowerCase() === 'for') tail.shift();
      if (tail.length === 0) return { kind: 'mute', id, forMs: DEFAULT_MUTE_MS };
      const ms = tail.length === 1 ? parseDuration(tail[0]!) : null;
      if (ms === null) throw usageError('mute', `'${tail.join(' ').slice(0, 40)}' is not a duration`);
      return { kind: 'mute', id, forMs: ms };
    }
    case 'assign': {
      const id = needId(name, args[0]);
      const user = parseUser(args[1]);
      if (!user || args.length > 2) throw usageError('assign', args[1] ? `'${args.slice(1).join(' ').slice(0, 40)}' is not a user` : 'Missing the user');
      return { kind: 'assign', id, user };
    }
    case 'digest': {
      const mode = (args[0] ?? 'preview').toLowerCase();
      if ((mode !== 'now' && mode !== 'preview') || args.length > 1) throw usageError('digest', `Unknown digest mode '${args.join(' ').slice(0, 40)}'`);
      return { kind: 'digest', mode };
    }
    case 'cases':
      return { kind: 'cases' };
    case 'help':
      return { kind: 'help' };
    default: {
      const names = USAGE_LINES.map((u) => u.name).join(', ');
      const line = `Unknown command '${name.slice(0, 40)}'. Try one of: ${names} (e.g. /lockdown list open)`;
      throw new LockdownError('LD_USAGE', line, { userMessage: line });
    }
  }
}
