// A copy of the config safe to print or log: every secret (config/types.ts SECRET_KEYS) becomes
// "[set]" or stays null, so `lockdown config check --print` shows WHETHER a token is configured,
// never the token. A database URL keeps its host and database, not its password.

import { SECRET_KEYS, type Config } from './types.ts';

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[set]';
  }
}

function walk(value: unknown, key: string | null): unknown {
  if (key !== null && SECRET_KEYS.includes(key) && value !== null && value !== undefined) {
    return key === 'databaseUrl' && typeof value === 'string' ? redactUrl(value) : '[set]';
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, null));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  }
  return value;
}

export function redactConfig(config: Config): Record<string, unknown> {
  return walk(config, null) as Record<string, unknown>;
}
