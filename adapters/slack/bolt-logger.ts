// Bolt and its WebClient log through this bridge into our pino logger, so their lines are structured,
// carry `src: "bolt"` and pass through the same secret redaction as everything else.

import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../bot/log.ts';

export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const line = (parts: unknown[]): string =>
    parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? `${p.name}: ${p.message}` : safeJson(p))).join(' ').slice(0, 2000);
  return {
    debug: (...m: unknown[]) => logger.debug({ src: 'bolt' }, line(m)),
    info: (...m: unknown[]) => logger.info({ src: 'bolt' }, line(m)),
    warn: (...m: unknown[]) => logger.warn({ src: 'bolt' }, line(m)),
    error: (...m: unknown[]) => logger.error({ src: 'bolt' }, line(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
