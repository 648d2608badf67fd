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

const GENERIC: Partial<Record<string, string>> = {
  LD_STORE: 'lockdown could not reach its database; try again in a minute.',
  LD_PLATFORM: 'The chat platform refused the request; try again in a minute.',
  LD_INTERNAL: 'Something went wrong inside lockdown; the paste was kept.',
  LD_CONFIG_INVALID: 'lockdown is misconfigured; an admin has the details in the log.',
};

const EXPECTED = new Set(['LD_USAGE', 'LD_NOT_FOUND', 'LD_FORBIDDEN', 'LD_CONFLICT', 'LD_INPUT_TOO_LARGE', 'LD_ATTACHMENT', 'LD_INPUT_UNREADABLE']);

/** The one line a person may see for an error (chat or HTTP). Internal failures show their code's
 *  generic line unless the thrower wrote a user message on purpose (userMessage defaults to the
 *  technical message, which may name tables, hosts or SQL). */
export function safeErrorLine(err: unknown): string {
  const e = asLockdownError(err);
  if (!EXPECTED.has(e.code) && e.userMessage === e.message) return GENERIC[e.code] ?? GENERIC.LD_INTERNAL!;
  return e.userMessage.split('\n')[0] ?? 'Something went wrong.';
}

interface ErrorLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Any error → a one-line ephemeral reply (LockdownError.userMessage, never a stack or secret); the
 *  full entry goes to the log. Expected errors (usage, not found, forbidden) log at warn. */
export function renderError(err: unknown, log?: ErrorLog | null, context: Record<string, unknown> = {}): Reply {
  const e = asLockdownError(err);
  const expected = EXPECTED.has(e.code);
  if (log) {
    const entry = { ...context, code: e.code, err: { message: e.message, stack: expected ? undefined : e.stack, details: e.details } };
    if (expected) log.warn(entry, e.code);
    else log.error(entry, e.code);
  }
  const line = safeErrorLine(e);
  return { text: line, blocks: [{ type: 'text', text: line }], ephemeral: true, incidentId: null, reportUrl: null, fullMarkdown: null };
}
