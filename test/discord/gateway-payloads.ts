// Raw Discord API v10 objects for the fake gateway and fake REST: one guild with a text channel, the
// bot user, a human, messages and interactions. Ids are snowflake-shaped strings.

export const APP_ID = '1098765432109876543';
export const BOT_ID = APP_ID;
export const GUILD_ID = '1012345678901234567';
export const CHANNEL_ID = '1023456789012345678';
export const THREAD_ID = '1034567890123456789';
export const HUMAN_ID = '1045678901234567890';
export const OTHER_BOT_ID = '1056789012345678901';
export const NOW = '2026-11-24T03:00:00.000Z';

export const botUser = { id: BOT_ID, username: 'lockdown', discriminator: '0', global_name: null, avatar: null, bot: true };
export const human = { id: HUMAN_ID, username: 'oncall', discriminator: '0', global_name: 'On-call Alice', avatar: null };

export function readyData() {
  return { user: botUser, guilds: [{ id: GUILD_ID, unavailable: true }], application: { id: APP_ID, flags: 0 } };
}

export function guildCreate() {
  return {
    id: GUILD_ID,
    name: 'kernel-oncall',
    icon: null,
    owner_id: HUMAN_ID,
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: NOW,
    features: [],
    roles: [{ id: GUILD_ID, name: '@everyone', permissions: '1071698660929', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    members: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: [
      { id: CHANNEL_ID, type: 0, name: 'storage', guild_id: GUILD_ID, position: 0, permission_overwrites: [], parent_id: null, topic: null, nsfw: false },
    ],
    threads: [
      { id: THREAD_ID, type: 11, name: 'older incident', guild_id: GUILD_ID, parent_id: CHANNEL_ID, owner_id: HUMAN_ID, message_count: 1, member_count: 1, thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: NOW, locked: false } },
    ],
  };
}

export function messageCreate(opts: { id: string; content: string; channelId?: string; author?: Record<string, unknown>; attachments?: unknown[] }) {
  const author = opts.author ?? human;
  return {
    id: opts.id,
    channel_id: opts.channelId ?? CHANNEL_ID,
    guild_id: GUILD_ID,
    author,
    member: { roles: [], joined_at: NOW, deaf: false, mute: false, flags: 0, nick: null },
    content: opts.content,
    timestamp: NOW,
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: opts.attachments ?? [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: 0,
    components: [],
  };
}

/** What REST returns for a message we post (discord.js builds a Message from editReply/followUp responses). */
export function postedMessage(id: string, channelId: string, body: Record<string, unknown> = {}) {
  return {
    ...messageCreate({ id, content: typeof body.content === 'string' ? body.content : '', channelId, author: botUser }),
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    components: Array.isArray(body.components) ? body.components : [],
    webhook_id: undefined,
    application_id: APP_ID,
  };
}

export function threadChannel(id: string, parentId: string, name: string) {
  return { id, type: 11, name, guild_id: GUILD_ID, parent_id: parentId, owner_id: BOT_ID, message_count: 0, member_count: 1, thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: NOW, locked: false } };
}

const interactionBase = (id: string, token: string, channelId: string) => ({
  id,
  application_id: APP_ID,
  token,
  version: 1,
  guild_id: GUILD_ID,
  channel_id: channelId,
  channel: { id: channelId, type: 0, name: 'storage', guild_id: GUILD_ID, parent_id: null, permissions: '1071698660929' },
  member: { user: human, roles: [], joined_at: NOW, deaf: false, mute: false, flags: 0, nick: null, permissions: '1071698660929' },
  app_permissions: '1071698660929',
  locale: 'en-US',
  guild_locale: 'en-US',
  entitlements: [],
  authorizing_integration_owners: { '0': GUILD_ID },
  context: 0,
  attachment_size_limit: 10_485_760,
});

export function slashCommand(opts: { id: string; token: string; sub: string; options?: Array<{ name: string; type: number; value: unknown }>; resolved?: unknown; channelId?: string }) {
  return {
    ...interactionBase(opts.id, opts.token, opts.channelId ?? CHANNEL_ID),
    type: 2,
    data: { id: '1067890123456789012', name: 'lockdown', type: 1, guild_id: GUILD_ID, options: [{ name: opts.sub, type: 1, options: opts.options ?? [] }], ...(opts.resolved ? { resolved: opts.resolved } : {}) },
  };
}

export function buttonPress(opts: { id: string; token: string; customId: string; messageId: string; channelId?: string }) {
  const channelId = opts.channelId ?? CHANNEL_ID;
  return {
    ...interactionBase(opts.id, opts.token, channelId),
    type: 3,
    data: { custom_id: opts.customId, component_type: 2 },
    message: postedMessage(opts.messageId, channelId),
  };
}
