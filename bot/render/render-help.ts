// `/lockdown help` and the one place where errors become a short, safe chat line.

import { asLockdownError } from '../../config/errors.ts';
import type { Reply } from '../types.ts';
import { USAGE_LINES } from '../commands/usage.ts';

export function renderHelp(): Reply {
  return {
    text: 'lockdown commands',
    blocks: [
      { type: 'header', text: 'lockdown: kernel hang triage' },
      { type: 'text', text: 'Paste a hang trace (crash `bt -a`, console Call Trace, /proc/PID/stack + ps, lockdep report) in a channel I am in, or use:' },
      { type: 'list', title: 'Commands', items: USAGE_LINES.map((u) => `\`/lockdown ${u.usage}\`: ${u.summary}`) },
    ],
    ephemeral: true,
    incidentId: null,
    reportUrl: null,
    fullMarkdown: null,
  };
}

interface ErrorLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Any error → a one-line ephemeral reply (LockdownError.userMessage, never a stack or secret); the
 *  full entry goes to the log. Expected errors (usage, not found, forbidden) log at warn. */
export function renderError(err: unknown, log?: ErrorLog | null, context: Record<string, unknown> = {}): Reply {
  const e = asLockdownError(err);
  const expected = e.code === 'LD_USAGE' || e.code === 'LD_NOT_FOUND' || e.code === 'LD_FORBIDDEN' || e.code === 'LD_CONFLICT' || e.code === 'LD_INPUT_TOO_LARGE' || e.code === 'LD_ATTACHMENT';
  if (log) {
    const entry = { ...context, code: e.code, err: { message: e.message, stack: expected ? undefined : e.stack, details: e.details } };
    if (expected) log.warn(entry, e.code);
    else log.error(entry, e.code);
  }
  const line = e.userMessage.split('\n')[0] ?? 'Something went wrong.';
  return { text: line, blocks: [{ type: 'text', text: line }], ephemeral: true, incidentId: null, reportUrl: null, fullMarkdown: null };
}
