// The logging the adapter needs: the pino Logger (bot/log.ts) fits, and tests pass a recorder.

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

export interface DiscordLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
