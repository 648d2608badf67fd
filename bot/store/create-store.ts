// Picks the backend from the config: SQLite by default, PostgreSQL when store.kind is "postgres"
// (loadConfig sets it when DATABASE_URL is present).

import type { Config } from '../../config/types.ts';
import { createPgStore } from './pg-store.ts';
import { createSqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

export function createStore(config: Pick<Config, 'store'>, clock: () => Date): Store {
  if (config.store.kind === 'postgres' && config.store.databaseUrl) {
    return createPgStore({ connectionString: config.store.databaseUrl, clock });
  }
  return createSqliteStore({ path: config.store.sqlitePath, clock });
}
