// JSON Schema of lockdown.config.json (validated once by ajv with `additionalProperties: false` and
// `useDefaults`, then frozen, as fastify does with its initial config). Every leaf carries an
// `examples` value: error messages quote it as "a right value".

const nullableString = (example: string, description: string) => ({
  type: ['string', 'null'],
  minLength: 1,
  default: null,
  examples: [example],
  description,
});

const permission = {
  description: 'Who may do it: "everyone" in the channel, or a list of platform user ids.',
  default: 'everyone',
  examples: ['everyone', ['U024BE7LH', '81384788765712384']],
  anyOf: [
    { const: 'everyone' },
    { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
  ],
};

const MIB = 1024 * 1024;

export const CONFIG_SCHEMA = {
  $id: 'https://lockdown.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 3000, examples: [3000] },
        host: { type: 'string', minLength: 1, default: '127.0.0.1', examples: ['127.0.0.1'] },
        publicUrl: { ...nullableString('https://lockdown.example.com', 'Base URL of report links'), format: 'uri' },
        apiToken: nullableString('a-long-random-string', 'Bearer token of the HTTP API (env LOCKDOWN_API_TOKEN)'),
        reportSecret: nullableString('another-long-random-string', 'HMAC key of report links (env LOCKDOWN_REPORT_SECRET)'),
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        kind: { enum: ['sqlite', 'postgres'], default: 'sqlite', examples: ['sqlite'] },
        sqlitePath: { type: 'string', minLength: 1, default: './data/lockdown.db', examples: ['./data/lockdown.db'] },
        databaseUrl: nullableString('postgres://lockdown@db.internal:5432/lockdown', 'PostgreSQL URL (env DATABASE_URL)'),
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pasteBytes: { type: 'integer', minimum: 1024, default: 16 * MIB, examples: [16 * MIB] },
        analyzeBytes: { type: 'integer', minimum: 1024, default: 64 * MIB, examples: [64 * MIB] },
        asyncAnalysisBytes: { type: 'integer', minimum: 0, default: 256 * 1024, examples: [256 * 1024] },
      },
    },
    slack: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        botToken: nullableString('xoxb-...', 'env SLACK_BOT_TOKEN'),
        signingSecret: nullableString('8f742231b10e8888abcd99yyyzzz85a5', 'env SLACK_SIGNING_SECRET'),
        appToken: nullableString('xapp-...', 'env SLACK_APP_TOKEN (Socket Mode)'),
        apiUrl: { ...nullableString('https://slack.com/api/', 'env SLACK_API_URL'), format: 'uri' },
      },
    },
    discord: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        token: nullableString('MTA...', 'env DISCORD_TOKEN'),
        appId: nullableString('1098765432109876543', 'env DISCORD_APP_ID'),
        guildId: nullableString('1012345678901234567', 'env DISCORD_GUILD_ID'),
        apiUrl: { ...nullableString('https://discord.com/api', 'env DISCORD_API_URL'), format: 'uri' },
        replyInline: { type: 'boolean', default: false, examples: [false] },
      },
    },
    digest: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        defaultCron: { type: 'string', minLength: 1, default: '0 9 * * 1-5', examples: ['0 9 * * 1-5'] },
        timezone: { type: 'string', minLength: 1, default: 'UTC', examples: ['Europe/Berlin'] },
        missedToleranceMinutes: { type: 'integer', minimum: 0, default: 60, examples: [60] },
        channels: {
          type: 'array',
          default: [],
          examples: [[{ platform: 'slack', channel: 'C0123456789', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }]],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['platform', 'channel'],
            properties: {
              platform: { enum: ['slack', 'discord'], examples: ['slack'] },
              workspace: { type: 'string', minLength: 1, examples: ['T0123456789'] },
              channel: { type: 'string', minLength: 1, examples: ['C0123456789'] },
              cron: { type: 'string', minLength: 1, examples: ['0 9 * * 1-5'] },
              timezone: { type: 'string', minLength: 1, examples: ['America/New_York'] },
            },
          },
        },
      },
    },
    permissions: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { resolve: permission, mute: permission, dup: permission },
    },
    cases: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        dirs: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], examples: [['./cases']] },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: {
          enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
          default: 'info',
          examples: ['info'],
        },
      },
    },
  },
} as const;
