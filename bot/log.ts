// Structured JSON logs (pino). Secrets never reach a log line: known secret-bearing keys are redacted,
// and callers log ids, sizes and codes, never a pasted trace.

import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

const REDACT = [
  'token', 'botToken', 'signingSecret', 'appToken', 'apiToken', 'reportSecret', 'databaseUrl', 'password',
  'authorization', 'headers.authorization', 'req.headers.authorization', '*.token', '*.botToken', '*.signingSecret',
  '*.appToken', '*.apiToken', '*.reportSecret', '*.databaseUrl', '*.password', '*.authorization',
];

export function createLogger(config: { log?: { level?: string } } | null, destination?: DestinationStream): PinoLogger {
  const level = config?.log?.level ?? 'info';
  const opts = { level, base: { app: 'lockdown' }, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** A logger that drops everything (tests, dry runs). */
export function silentLogger(): PinoLogger {
  return pino({ level: 'silent' });
}
