// The one error type of lockdown. Every error that crosses a module boundary is a LockdownError with
// a stable code (like fastify's FST_ERR_*): logs and tests key on the code, chat shows `userMessage`
// (short and safe: never a secret, never a stack). Add codes here, never rename one.
// Lives in config/ because config/ is the layer every other folder may import (analyzers excepted:
// the engine never throws, it reports problems as notes in the Analysis).

export const ERROR_CODES = {
  LD_CONFIG_INVALID: 'The configuration is invalid',
  LD_CONFIG_UNREADABLE: 'The configuration file cannot be read',
  LD_INPUT_TOO_LARGE: 'The input is larger than the configured limit',
  LD_INPUT_UNREADABLE: 'The input cannot be read',
  LD_USAGE: 'Bad command usage',
  LD_NOT_FOUND: 'Not found',
  LD_FORBIDDEN: 'Not allowed',
  LD_CONFLICT: 'Conflicting change',
  LD_CASE_INVALID: 'A case file is invalid',
  LD_STORE: 'The store failed',
  LD_PLATFORM: 'The chat platform failed',
  LD_ATTACHMENT: 'The attachment cannot be used',
  LD_INTERNAL: 'Internal error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LockdownError extends Error {
  readonly code: ErrorCode;
  /** One line, safe to show in chat. */
  readonly userMessage: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { userMessage?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LockdownError';
    this.code = code;
    this.userMessage = opts.userMessage ?? message;
    this.details = opts.details ?? {};
  }
}

export function isLockdownError(e: unknown, code?: ErrorCode): e is LockdownError {
  return e instanceof LockdownError && (code === undefined || e.code === code);
}

/** Any thrown value as a LockdownError (unknown errors become LD_INTERNAL with a generic chat line). */
export function asLockdownError(e: unknown): LockdownError {
  if (e instanceof LockdownError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new LockdownError('LD_INTERNAL', message, { userMessage: 'Something went wrong inside lockdown; the paste was kept.', cause: e });
}
