// The environment's part of the config: secrets and a few overrides, written into the raw config
// object before validation (so an env value is validated like a file value). Empty variables are
// ignored, as a shell `FOO=` usually means "unset".

import type { ConfigProblem } from './validate-shape.ts';

export type Env = Readonly<Record<string, string | undefined>>;

type Kind = 'string' | 'port';

/** Variable → [section, key, kind]. */
const ENV_MAP: ReadonlyArray<readonly [string, string, string, Kind]> = [
  ['PORT', 'server', 'port', 'port'],
  ['LOCKDOWN_HOST', 'server', 'host', 'string'],
  ['LOCKDOWN_PUBLIC_URL', 'server', 'publicUrl', 'string'],
  ['LOCKDOWN_API_TOKEN', 'server', 'apiToken', 'string'],
  ['LOCKDOWN_REPORT_SECRET', 'server', 'reportSecret', 'string'],
  ['DATABASE_URL', 'store', 'databaseUrl', 'string'],
  ['LOCKDOWN_SQLITE_PATH', 'store', 'sqlitePath', 'string'],
  ['SLACK_BOT_TOKEN', 'slack', 'botToken', 'string'],
  ['SLACK_SIGNING_SECRET', 'slack', 'signingSecret', 'string'],
  ['SLACK_APP_TOKEN', 'slack', 'appToken', 'string'],
  ['SLACK_API_URL', 'slack', 'apiUrl', 'string'],
  ['DISCORD_TOKEN', 'discord', 'token', 'string'],
  ['DISCORD_APP_ID', 'discord', 'appId', 'string'],
  ['DISCORD_GUILD_ID', 'discord', 'guildId', 'string'],
  ['DISCORD_API_URL', 'discord', 'apiUrl', 'string'],
  ['LOCKDOWN_LOG_LEVEL', 'log', 'level', 'string'],
];

/** The variables loadConfig reads (documented in the README). */
export const ENV_VARIABLES: readonly string[] = [...ENV_MAP.map((e) => e[0]), 'LOCKDOWN_STORE', 'LOCKDOWN_CONFIG'];

function section(raw: Record<string, unknown>, name: string): Record<string, unknown> | null {
  if (raw[name] === undefined) raw[name] = {};
  const s = raw[name];
  // A non-object section is reported by the schema; the env cannot fix it.
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : null;
}

/** Writes env values into `raw` (mutates it). Returns problems with env values themselves. */
export function applyEnv(raw: Record<string, unknown>, env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, sec, key, kind] of ENV_MAP) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const target = section(raw, sec);
    if (!target) continue;
    if (kind === 'port') {
      const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 0 && n <= 65535)) {
        problems.push({ path: `env ${name} (${sec}.${key})`, problem: `must be a port number 0-65535, got ${JSON.stringify(value.slice(0, 40))}`, example: '3000' });
        continue;
      }
      target[key] = n;
    } else {
      target[key] = value;
    }
  }
  // DATABASE_URL alone selects PostgreSQL; LOCKDOWN_STORE says so explicitly.
  const store = section(raw, 'store');
  if (store) {
    const explicit = env.LOCKDOWN_STORE;
    if (explicit !== undefined && explicit !== '') {
      if (explicit !== 'sqlite' && explicit !== 'postgres') {
        problems.push({ path: 'env LOCKDOWN_STORE (store.kind)', problem: `must be "sqlite" or "postgres", got ${JSON.stringify(explicit.slice(0, 40))}`, example: '"postgres"' });
      } else {
        store.kind = explicit;
      }
    } else if (env.DATABASE_URL) {
      store.kind = 'postgres';
    }
  }
  return problems;
}
