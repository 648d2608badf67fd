// A versioned schema migration, in both SQL dialects. Applied in version order, each recorded in
// schema_migrations; never edit a released migration, add the next version.

import { initial } from './001-initial.ts';
import { settings } from './002-settings.ts';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const SCHEMA_MIGRATIONS_SQL = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

export const MIGRATIONS: readonly Migration[] = [initial, settings];
