// Migration 2: settings, values the replicas of one store must agree on (the report-link key when
// the config does not set one). The first replica to store a key wins; the others read its value.

import type { Migration } from './migration.ts';

const table = `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

export const settings: Migration = { version: 2, name: 'settings', sqlite: table, postgres: table };
