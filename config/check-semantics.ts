// What the JSON Schema cannot say: cron expressions (node-cron's own validate), IANA time zones
// (Intl.DateTimeFormat rejects unknown zones with a RangeError), an API token when the server listens
// beyond loopback, and a database URL when the store is PostgreSQL.

import { validate as validateCron } from 'node-cron';
import type { Config } from './types.ts';
import type { ConfigProblem } from './validate-shape.ts';

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Loopback = only this machine can connect: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

export function checkSemantics(c: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cron = (path: string, expr: string) => {
    if (!validateCron(expr)) problems.push({ path, problem: `${JSON.stringify(expr)} is not a valid cron expression`, example: '"0 9 * * 1-5"' });
  };
  const zone = (path: string, tz: string) => {
    if (!isValidTimeZone(tz)) problems.push({ path, problem: `${JSON.stringify(tz)} is not an IANA time zone`, example: '"Europe/Berlin"' });
  };
  cron('digest.defaultCron', c.digest.defaultCron);
  zone('digest.timezone', c.digest.timezone);
  c.digest.channels.forEach((ch, i) => {
    if (ch.cron !== undefined) cron(`digest.channels[${i}].cron`, ch.cron);
    if (ch.timezone !== undefined) zone(`digest.channels[${i}].timezone`, ch.timezone);
  });
  if (!isLoopbackHost(c.server.host) && !c.server.apiToken) {
    problems.push({
      path: 'server.apiToken',
      problem: `is required when server.host (${JSON.stringify(c.server.host)}) is not a loopback address; set env LOCKDOWN_API_TOKEN`,
      example: '"a-long-random-string"',
    });
  }
  if (c.store.kind === 'postgres' && !c.store.databaseUrl) {
    problems.push({ path: 'store.databaseUrl', problem: 'is required when store.kind is "postgres"; set env DATABASE_URL', example: '"postgres://lockdown@db.internal:5432/lockdown"' });
  }
  return problems;
}
