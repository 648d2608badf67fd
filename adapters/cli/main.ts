// `lockdown <subcommand>`: dispatches to one module per subcommand, each exporting `run`.

import { EXIT_USAGE, type CliIo, type Subcommand } from './io.ts';

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Subcommand }> }> = {
  analyze: { summary: 'analyze [FILE|-] [--json] [--jsonl FILE...] [--case-dir DIR]  analyse a pasted trace', load: () => import('./analyze-command.ts') },
  serve: { summary: 'serve [--config FILE]  run the bot (HTTP API, local page, Slack/Discord when configured)', load: () => import('./serve-command.ts') },
  cases: { summary: 'cases check DIR  validate a directory of case files', load: () => import('./cases-command.ts') },
  config: { summary: 'config check [FILE]  validate a config file', load: () => import('./config-command.ts') },
  digest: { summary: 'digest --dry-run [--config FILE]  print the digest that would be sent', load: () => import('./digest-command.ts') },
};

function usage(): string {
  const lines = Object.values(SUBCOMMANDS).map((s) => `  lockdown ${s.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr).write(usage());
    return name ? 0 : EXIT_USAGE;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    io.stderr.write(`lockdown: unknown command '${name}'\n${usage()}`);
    return EXIT_USAGE;
  }
  const mod = await sub.load();
  return mod.run(rest, io);
}
