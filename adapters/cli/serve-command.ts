// `lockdown serve [--config FILE]`: the bot. Loads the config (io.env stands for the process
// environment), opens and migrates the store, builds the core, starts the HTTP server (API, metrics,
// the local page), the digest scheduler, drains the outbox, and starts Slack / Discord only when their
// credentials are configured. Stops cleanly on SIGINT/SIGTERM.

import { isLockdownError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/types.ts';
import { createLogger, type Logger } from '../../bot/log.ts';
import { buildService, type ServiceOptions } from '../../bot/http/build-service.ts';
import type { BotCore, PlatformPort } from '../../bot/ports.ts';
import type { LockdownHttpServer } from '../../bot/http/create-http-server.ts';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

interface Adapter {
  start(): Promise<void>;
  stop(): Promise<void>;
  port: PlatformPort;
}

export interface ServeOptions {
  /** Resolves to stop the server (tests); default: SIGINT / SIGTERM. */
  stopSignal?: Promise<unknown>;
  /** Called once everything is up, with the local URL. */
  onReady?: (info: { url: string; port: number }) => void;
  service?: Partial<ServiceOptions>;
}

function parseArgs(args: string[]): { config: string | null } | string {
  let config: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config' || a === '-c') {
      const v = args[++i];
      if (!v) return '--config needs a file (e.g. lockdown serve --config lockdown.config.json)';
      config = v;
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else return `unknown argument '${a}' (usage: lockdown serve [--config FILE])`;
  }
  return { config };
}

async function startAdapters(config: Config, core: BotCore, http: LockdownHttpServer, logger: Logger): Promise<Adapter[]> {
  const started: Adapter[] = [];
  if (config.slack.botToken && (config.slack.signingSecret || config.slack.appToken)) {
    const { createSlackAdapter } = await import('../slack/index.ts');
    const slack = createSlackAdapter({ core, config, logger: logger.child({ src: 'slack' }), mount: (p, h, o) => http.mount(p, h, o) });
    await slack.start();
    started.push(slack);
  }
  if (config.discord.token && config.discord.appId) {
    const { createDiscordAdapter } = await import('../discord/index.ts');
    const discord = createDiscordAdapter({ core, config, logger: logger.child({ src: 'discord' }) });
    await discord.start();
    started.push(discord);
  }
  return started;
}

export async function run(args: string[], io: CliIo, opts: ServeOptions = {}): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`lockdown serve: ${parsed}\n`);
    return EXIT_USAGE;
  }
  let config: Config;
  try {
    config = loadConfig(io.env, parsed.config);
  } catch (e) {
    io.stderr.write(`lockdown serve: ${isLockdownError(e) ? e.message : String(e)}\n`);
    return EXIT_INPUT;
  }
  const logger = createLogger(config);
  let service: Awaited<ReturnType<typeof buildService>> | null = null;
  const adapters: Adapter[] = [];
  try {
    service = await buildService({ config, logger, ...opts.service });
    const { core, http } = service;
    const where = await http.listen();
    await core.digest.start();
    const shown = config.server.host === '0.0.0.0' || config.server.host === '::' ? `http://127.0.0.1:${where.port}/` : where.url;
    // Each adapter's start() registers its port with the core, which drains that platform's outbox
    // then (replies left by a previous run go out once); registering here too would drain it again.
    adapters.push(...(await startAdapters(config, core, http, logger)));
    core.startOutboxTimer();
    logger.info({ url: shown, store: service.store.kind, slack: adapters.length > 0 && !!config.slack.botToken, discord: !!config.discord.token }, 'lockdown serving');
    io.stdout.write(`lockdown: local page at ${shown} (store: ${service.store.kind}${adapters.length ? `, ${adapters.length} chat adapter(s)` : ', no chat tokens: local page and API only'})\n`);
    opts.onReady?.({ url: shown, port: where.port });
    await (opts.stopSignal ?? signalled());
    io.stdout.write('lockdown: stopping\n');
    return EXIT_OK;
  } catch (e) {
    const msg = isLockdownError(e) ? e.userMessage === e.message ? e.message : `${e.code}: ${e.message}` : (e as Error).message;
    logger.error({ err: msg }, 'serve failed');
    io.stderr.write(`lockdown serve: ${msg}\n`);
    return EXIT_INPUT;
  } finally {
    for (const a of adapters.reverse()) await a.stop().catch(() => undefined);
    await service?.close().catch(() => undefined);
  }
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
