// `/lockdown` and button presses. Discord wants the first interaction response within 3 s, so a slash
// command is deferred at once (callback type 5, ephemeral for list/help) and the core's reply replaces
// the deferred message (PATCH webhooks/{app}/{token}/messages/@original). A button press is answered
// with the updated message (callback type 7) and the core's notice as an ephemeral follow-up.

import { MessageFlags } from 'discord.js';
import type { ButtonInteraction, ChatInputCommandInteraction, InteractionEditReplyOptions, InteractionReplyOptions } from 'discord.js';
import type { BotCore } from '../../bot/ports.ts';
import type { Command } from '../../bot/types.ts';
import { toAttachment, type FetchLike } from './attachment.ts';
import { decodeCustomId } from './custom-id.ts';
import { renderDiscordReply, type DiscordMessagePayload } from './embeds.ts';
import { commandText, EPHEMERAL_SUBCOMMANDS } from './slash-command.ts';
import { describeChannel } from './to-platform-message.ts';
import type { DiscordLogger } from './logger.ts';

export const COMMAND_NAME = 'lockdown';

export interface InteractionDeps {
  core: BotCore;
  fetch: FetchLike;
  logger: DiscordLogger;
  /** Resolves after `ms` (injected so tests decide when a button press counts as slow). */
  sleep: (ms: number) => Promise<void>;
}

export async function handleChatInput(i: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const sub = i.options.getSubcommand(false) ?? 'help';
  const ephemeral = EPHEMERAL_SUBCOMMANDS.has(sub);
  await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});

  const values: Record<string, string | number | boolean> = {};
  for (const o of i.options.data[0]?.options ?? []) if (o.value !== undefined) values[o.name] = o.value;
  const file = i.options.getAttachment('file', false);
  const where = describeChannel(i.channel, i.channelId);
  const cmd: Command = {
    platform: 'discord',
    workspace: i.guildId ?? 'dm',
    channel: where.channel,
    channelName: where.channelName,
    thread: where.thread,
    author: i.user.id,
    authorName: i.user.globalName ?? i.user.username,
    text: commandText(sub, values),
    eventId: i.id,
    attachments: file ? [toAttachment({ id: file.id, name: file.name, size: file.size, contentType: file.contentType, url: file.url }, deps.fetch)] : [],
  };
  const reply = await deps.core.handleCommand(cmd);
  const payloads = renderDiscordReply(reply, { maxMessages: 3 });
  deps.logger.info({ subcommand: sub, interaction: i.id, messages: payloads.length }, 'discord command answered');

  if (reply.ephemeral && !ephemeral) {
    // The deferral was public but the core says only the requester may see this (an error about their
    // input, say): drop the public "thinking…" message and answer privately.
    await i.deleteReply();
    for (const p of payloads) await i.followUp({ ...toReplyOptions(p), flags: MessageFlags.Ephemeral });
    return;
  }
  await i.editReply(toEditOptions(payloads[0]));
  for (const p of payloads.slice(1)) await i.followUp({ ...toReplyOptions(p), ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
}

/** Discord drops an interaction not answered within 3 s; past this budget we acknowledge first. */
export const BUTTON_BUDGET_MS = 2_000;

export async function handleButton(i: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const parsed = decodeCustomId(i.customId);
  if (!parsed) return; // not ours
  const where = describeChannel(i.channel, i.channelId);
  const pending = deps.core.handleAction({
    platform: 'discord',
    workspace: i.guildId ?? 'dm',
    channel: where.channel,
    author: i.user.id,
    authorName: i.user.globalName ?? i.user.username,
    action: parsed.action,
    incidentId: parsed.incidentId,
    eventId: i.id,
    // Answered below with the new message (type 7 / the deferred edit): the core must not edit it too.
    message: { channel: i.channelId, messageId: i.message.id },
  });
  // Usually the core answers at once and the message is replaced in the same response (type 7). When
  // the store is slow, acknowledge in time (type 6, DEFERRED_UPDATE_MESSAGE) and edit the message after.
  const late = await Promise.race([pending.then(() => false), deps.sleep(BUTTON_BUDGET_MS).then(() => true)]);
  if (late) await i.deferUpdate();
  const outcome = await pending;
  const [p] = renderDiscordReply(outcome.reply, { maxMessages: 1 });
  const edit = { ...toEditOptions(p), content: p.content ?? '' };
  if (late) await i.editReply(edit);
  else await i.update(edit);
  if (outcome.notice) await i.followUp({ content: outcome.notice.slice(0, 2000), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  deps.logger.info({ action: parsed.action, incident: parsed.incidentId, interaction: i.id, deferred: late }, 'discord button handled');
}

/** After a failure, tell the requester something short and safe (never the error text itself). */
export async function answerFailure(i: ChatInputCommandInteraction | ButtonInteraction, line: string): Promise<void> {
  const msg = { content: line, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
  if (i.deferred || i.replied) await i.followUp(msg);
  else await i.reply(msg);
}

function files(p: DiscordMessagePayload) {
  return p.files.map((f) => ({ attachment: Buffer.from(f.data, 'utf8'), name: f.name, contentType: f.contentType }));
}

function toEditOptions(p: DiscordMessagePayload): InteractionEditReplyOptions {
  return { content: p.content, embeds: p.embeds, components: p.components, files: files(p), allowedMentions: p.allowed_mentions };
}

function toReplyOptions(p: DiscordMessagePayload): InteractionReplyOptions {
  return { content: p.content, embeds: p.embeds, components: p.components, files: files(p), allowedMentions: p.allowed_mentions };
}
