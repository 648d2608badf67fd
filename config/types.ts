// The validated, frozen configuration every part of lockdown receives (config/load-config.ts builds
// it from lockdown.config.json + the environment; config/schema.ts is its JSON Schema).

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Who may do something: everyone in the channel, or only these platform user ids. */
export type Permission = 'everyone' | readonly string[];

export interface DigestChannelConfig {
  readonly platform: 'slack' | 'discord';
  /** Slack team id / Discord guild id; optional when the bot serves one workspace. */
  readonly workspace?: string;
  readonly channel: string;
  /** node-cron expression; defaults to digest.defaultCron. */
  readonly cron?: string;
  /** IANA zone; defaults to digest.timezone. */
  readonly timezone?: string;
}

export interface Config {
  readonly server: {
    readonly port: number;
    readonly host: string;
    readonly publicUrl: string | null;
    /** Required when host is not a loopback address (checked by loadConfig). */
    readonly apiToken: string | null;
    /** HMAC key for report links. */
    readonly reportSecret: string | null;
  };
  readonly store: {
    readonly kind: 'sqlite' | 'postgres';
    readonly sqlitePath: string;
    readonly databaseUrl: string | null;
  };
  readonly limits: {
    /** Largest paste or attachment accepted from chat / the API. */
    readonly pasteBytes: number;
    /** Largest input the CLI analyses. */
    readonly analyzeBytes: number;
    /** Above this size the analysis runs off the event loop. */
    readonly asyncAnalysisBytes: number;
  };
  readonly slack: {
    readonly botToken: string | null;
    readonly signingSecret: string | null;
    readonly appToken: string | null;
    readonly apiUrl: string | null;
  };
  readonly discord: {
    readonly token: string | null;
    readonly appId: string | null;
    readonly guildId: string | null;
    readonly apiUrl: string | null;
    readonly replyInline: boolean;
  };
  readonly digest: {
    readonly defaultCron: string;
    readonly timezone: string;
    readonly missedToleranceMinutes: number;
    readonly channels: readonly DigestChannelConfig[];
  };
  readonly permissions: {
    readonly resolve: Permission;
    readonly mute: Permission;
    readonly dup: Permission;
  };
  readonly cases: { readonly dirs: readonly string[] };
  readonly log: { readonly level: LogLevel };
}

/** The names of the config keys that hold secrets (redacted in every message). */
export const SECRET_KEYS: readonly string[] = [
  'apiToken', 'reportSecret', 'databaseUrl', 'botToken', 'signingSecret', 'appToken', 'token',
];
