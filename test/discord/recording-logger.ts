// A logger that keeps its lines, so tests can assert what was logged (and that no secret was).

import type { DiscordLogger } from '../../adapters/discord/logger.ts';

export interface RecordingLogger extends DiscordLogger {
  lines: Array<{ level: string; msg: string | undefined; obj: Record<string, unknown> }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => void lines.push({ level, msg, obj });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
