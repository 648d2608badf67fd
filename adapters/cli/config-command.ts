// `lockdown config check [FILE] [--print]`: validates a config file (with the environment, as the
// server would load it). Exit 0 valid, 1 invalid or unreadable (every problem on stderr: file, JSON
// path, what is wrong, a right value), 2 usage. --print shows the effective config, secrets redacted.

import { isLockdownError } from '../../config/errors.ts';
import { loadConfig, resolveConfigPath } from '../../config/load-config.ts';
import { redactConfig } from '../../config/redact-config.ts';
import type { Config } from '../../config/types.ts';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

const USAGE = 'usage: lockdown config check [FILE] [--print]\n  e.g. lockdown config check ./lockdown.config.json\n';

function summary(c: Config): string {
  const store = c.store.kind === 'postgres' ? 'postgres' : `sqlite ${c.store.sqlitePath}`;
  const slack = c.slack.botToken && c.slack.signingSecret ? (c.slack.appToken ? 'on (socket mode)' : 'on (http)') : 'off';
  const discord = c.discord.token ? 'on' : 'off';
  return `store: ${store}; server: ${c.server.host}:${c.server.port}; slack: ${slack}; discord: ${discord}; digest channels: ${c.digest.channels.length}`;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') {
    io.stderr.write(sub ? `lockdown config: unknown subcommand '${sub}'\n${USAGE}` : USAGE);
    return EXIT_USAGE;
  }
  let file: string | null = null;
  let print = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--print') print = true;
    else if (a === '--config' && rest[i + 1]) file = rest[++i];
    else if (!a.startsWith('-') && file === null) file = a;
    else {
      io.stderr.write(`lockdown config check: unexpected argument '${a}'\n${USAGE}`);
      return EXIT_USAGE;
    }
  }
  const path = resolveConfigPath(io.env, file);
  try {
    const config = loadConfig(io.env, path);
    io.stdout.write(`${path ?? 'no config file (defaults + environment)'}: valid\n${summary(config)}\n`);
    if (print) io.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return EXIT_OK;
  } catch (e) {
    if (isLockdownError(e, 'LD_CONFIG_INVALID') || isLockdownError(e, 'LD_CONFIG_UNREADABLE')) {
      io.stderr.write(`${e.message}\n`);
      return EXIT_INPUT;
    }
    throw e;
  }
}
