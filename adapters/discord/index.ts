// The Discord adapter (discord.js 14): gateway events → the core, the core's replies → Discord REST.
// Intents Guilds + GuildMessages + MessageContent (privileged: without it message content and
// attachments arrive empty). REST goes through the injected fetch (`rest.makeRequest`) and a
// configurable base URL (`rest.api`), so tests mock it with nock or a loopback server.

import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import type { Interaction, Message } from 'discord.js';
import type { BotCore, PlatformPort } from '../../bot/ports.ts';
import type { Config } from '../../config/types.ts';
import { LockdownError, asLockdownError, isLockdownError } from '../../config/errors.ts';
import type { FetchLike } from './attachment.ts';
import { createDiscordPort } from './discord-port.ts';
import { answerFailure, COMMAND_NAME, handleButton, handleChatInput } from './interactions.ts';
import type { DiscordLogger } from './logger.ts';
import { lockdownCommandDefinition } from './slash-command.ts';
import { isIgnorable, toPlatformMessage } from './to-platform-message.ts';

export const DEFAULT_API_URL = 'https://discord.com/api';

export interface DiscordAdapterOptions {
  core: BotCore;
  config: Pick<Config, 'discord'>;
  logger: DiscordLogger;
  /** HTTP client for REST and attachment downloads (default: the global fetch). */
  fetch?: FetchLike;
  /** Timer for the 3-second interaction deadline (default: an unref'd setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export interface DiscordAdapter {
  start(): Promise<void>;
  stop(): Promise<void>;
  port: PlatformPort;
  /** The discord.js client (events for diagnostics; tests wait on it). */
  client: Client;
}

export function createDiscordAdapter(opts: DiscordAdapterOptions): DiscordAdapter {
  const { core, logger } = opts;
  const { token, appId, guildId, apiUrl, replyInline } = opts.config.discord;
  if (!token || !appId) {
    throw new LockdownError('LD_CONFIG_INVALID', 'Discord needs discord.token and discord.appId (DISCORD_TOKEN, DISCORD_APP_ID)');
  }
  const fetchFn: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    // discord.js calls undici.request by default; fetch lets nock (and any injected client) see REST.
    rest: { api: apiUrl ?? DEFAULT_API_URL, makeRequest: fetchFn as never },
    allowedMentions: { parse: [] },
  });
  const port = createDiscordPort(client.rest, { replyInline });
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const deps = { core, fetch: fetchFn, logger, sleep };

  const onMessage = async (message: Message): Promise<void> => {
    if (isIgnorable(message, client.user?.id ?? null)) return;
    try {
      const outcome = await core.handleMessage(toPlatformMessage(message, fetchFn));
      logger.debug({ message: message.id, channel: message.channelId, outcome: outcome.kind }, 'discord message handled');
    } catch (e) {
      const err = asLockdownError(e);
      logger.error({ message: message.id, code: err.code, err: err.message }, 'discord message failed');
    }
  };

  const onInteraction = async (i: Interaction): Promise<void> => {
    try {
      if (i.isChatInputCommand() && i.commandName === COMMAND_NAME) await handleChatInput(i, deps);
      else if (i.isButton()) await handleButton(i, deps);
    } catch (e) {
      const err = asLockdownError(e);
      logger.error({ interaction: i.id, code: err.code, err: err.message }, 'discord interaction failed');
      // Only a LockdownError's userMessage is safe to show; anything else gets a generic line.
      const line = isLockdownError(e) ? e.userMessage : 'lockdown could not answer this one; please try again.';
      if (i.isChatInputCommand() || i.isButton()) await answerFailure(i, line.slice(0, 2000)).catch(() => undefined);
    }
  };

  client.on(Events.MessageCreate, (m) => void onMessage(m));
  client.on(Events.InteractionCreate, (i) => void onInteraction(i));
  client.on(Events.Error, (e) => logger.error({ err: e.message }, 'discord client error'));
  client.on(Events.ShardError, (e, shard) => logger.warn({ err: e.message, shard }, 'discord gateway error'));
  client.on(Events.ShardReconnecting, (shard) => logger.warn({ shard }, 'discord gateway reconnecting'));

  return {
    port,
    client,
    async start() {
      client.rest.setToken(token);
      await registerCommands(client, appId, guildId, logger);
      core.registerPort(port);
      try {
        await client.login(token);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        // Gateway close 4014: the bot asks for MessageContent but the portal switch is off.
        const hint = /disallowed intents/i.test(why) ? ': enable the Message Content Intent on the Bot page of the Developer Portal' : '';
        throw new LockdownError('LD_PLATFORM', `Discord login failed: ${why}${hint}`, { userMessage: `Discord login failed${hint}`, cause: e });
      }
      logger.info({ guild: guildId ?? null, user: client.user?.id ?? null }, 'discord connected');
    },
    async stop() {
      await client.destroy();
    },
  };
}

/** Bulk overwrite: the same PUT at every start leaves exactly one /lockdown (idempotent). A guild
 *  command is live at once; a global one can take a while to reach every client. */
async function registerCommands(client: Client, appId: string, guildId: string | null, logger: DiscordLogger): Promise<void> {
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
  try {
    await client.rest.put(route, { body: lockdownCommandDefinition() });
    logger.info({ scope: guildId ? 'guild' : 'global' }, 'discord /lockdown registered');
  } catch (e) {
    // Messages still work without the command: say so loudly and carry on.
    logger.error({ err: e instanceof Error ? e.message : String(e) }, 'discord /lockdown registration failed');
  }
}
