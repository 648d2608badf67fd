// The `/lockdown` application command: its definition (subcommands mirroring the core grammar in
// bot/commands/usage.ts) and the translation of an invocation back into the core's command text, so
// the core parses one grammar for every platform.

import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord.js';
import type { APIApplicationCommandBasicOption, APIApplicationCommandSubcommandOption, RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';

type OptionValue = string | number | boolean;

const ID = { type: ApplicationCommandOptionType.String, name: 'id', description: 'Incident id, e.g. LD-42', required: true, max_length: 20 } satisfies APIApplicationCommandBasicOption;

/** Subcommands that only the requester should see (lists and help are not news for the channel). */
export const EPHEMERAL_SUBCOMMANDS: ReadonlySet<string> = new Set(['list', 'help']);

/** Bulk-overwrite body for PUT applications/{app}/(guilds/{guild}/)commands: idempotent by design. */
export function lockdownCommandDefinition(): RESTPutAPIApplicationCommandsJSONBody {
  const sub = (name: string, description: string, options: APIApplicationCommandBasicOption[] = []): APIApplicationCommandSubcommandOption => ({
    type: ApplicationCommandOptionType.Subcommand,
    name,
    description,
    options,
  });
  return [
    {
      type: ApplicationCommandType.ChatInput,
      name: 'lockdown',
      description: 'Kernel hang analysis and incidents',
      dm_permission: false,
      options: [
        sub('analyze', 'Analyse a trace (attach the file; a text option loses line breaks)', [
          { type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'Trace file (bt -a, dmesg, /proc/PID/stack...)', required: false },
          { type: ApplicationCommandOptionType.String, name: 'text', description: 'Trace text', required: false, max_length: 6000 },
        ]),
        sub('list', 'List incidents (only you see it)', [
          { type: ApplicationCommandOptionType.String, name: 'scope', description: 'open (default) or all', required: false, choices: [{ name: 'open', value: 'open' }, { name: 'all', value: 'all' }] },
          { type: ApplicationCommandOptionType.Boolean, name: 'channel', description: 'Only incidents seen in this channel', required: false },
        ]),
        sub('show', 'Show one incident', [ID]),
        sub('ack', 'Acknowledge: someone is on it', [ID]),
        sub('resolve', 'Resolve an incident', [ID, { type: ApplicationCommandOptionType.String, name: 'note', description: 'What fixed it', required: false, max_length: 2000 }]),
        sub('reopen', 'Reopen an incident', [ID]),
        sub('dup', 'Mark as duplicate of another incident', [ID, { type: ApplicationCommandOptionType.String, name: 'of', description: 'The incident it duplicates', required: true, max_length: 20 }]),
        sub('mute', 'Silence an incident for a while', [ID, { type: ApplicationCommandOptionType.String, name: 'for', description: 'Duration like 12h, 7d, 2w (default 7d)', required: false, max_length: 10 }]),
        sub('assign', 'Set the owner', [ID, { type: ApplicationCommandOptionType.User, name: 'user', description: 'The new owner', required: true }]),
        sub('digest', 'Preview the digest, or post it here now', [
          { type: ApplicationCommandOptionType.String, name: 'mode', description: 'preview (default) or now', required: false, choices: [{ name: 'preview', value: 'preview' }, { name: 'now', value: 'now' }] },
        ]),
        sub('cases', 'List the documented cases'),
        sub('help', 'How to use lockdown (only you see it)'),
      ],
    },
  ];
}

/** Subcommand + option values → the text after `/lockdown` (bot/commands/parse-command.ts grammar). */
export function commandText(subcommand: string, values: Readonly<Record<string, OptionValue | undefined>>): string {
  const s = (name: string): string | null => {
    const v = values[name];
    return v === undefined || v === '' ? null : String(v);
  };
  const words = (...parts: Array<string | null>): string => parts.filter((p): p is string => p !== null).join(' ');
  switch (subcommand) {
    case 'analyze':
      return words('analyze', s('text'));
    case 'list':
      return words('list', s('scope'), values.channel === true ? '--channel' : null);
    case 'resolve':
      return words('resolve', s('id'), s('note'));
    case 'dup':
      return words('dup', s('id'), s('of'));
    case 'mute':
      return words('mute', s('id'), s('for') === null ? null : `for ${s('for')}`);
    case 'assign':
      // A User option's value is the user id; the core's parseUser reads Discord mentions.
      return words('assign', s('id'), s('user') === null ? null : `<@${s('user')}>`);
    case 'digest':
      return words('digest', s('mode'));
    default:
      return words(subcommand, s('id'));
  }
}
