// loadConfig: defaults, the environment's secrets and overrides, which file is read, and errors that
// name the file, the JSON path, what is wrong and a right value, without ever quoting a secret.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isLockdownError, type LockdownError } from './errors.ts';
import { buildConfig, loadConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const emptyDir = () => mkdtempSync(join(tmpdir(), 'lockdown-config-'));

function invalid(fn: () => unknown): LockdownError {
  try {
    fn();
  } catch (e) {
    assert.ok(isLockdownError(e, 'LD_CONFIG_INVALID'), `expected LD_CONFIG_INVALID, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the config to be rejected');
}

describe('loadConfig', () => {
  it('with no file and no environment gives the documented defaults, deep-frozen', () => {
    const c = loadConfig({}, null, { cwd: emptyDir() });
    assert.deepEqual(c.server, { port: 3000, host: '127.0.0.1', publicUrl: null, apiToken: null, reportSecret: null });
    assert.deepEqual(c.store, { kind: 'sqlite', sqlitePath: './data/lockdown.db', databaseUrl: null });
    assert.deepEqual(c.limits, { pasteBytes: 16 * 1024 * 1024, analyzeBytes: 64 * 1024 * 1024, asyncAnalysisBytes: 256 * 1024 });
    assert.deepEqual(c.digest, { defaultCron: '0 9 * * 1-5', timezone: 'UTC', missedToleranceMinutes: 60, channels: [] });
    assert.deepEqual(c.permissions, { resolve: 'everyone', mute: 'everyone', dup: 'everyone' });
    assert.equal(c.slack.botToken, null);
    assert.equal(c.discord.replyInline, false);
    assert.equal(c.log.level, 'info');
    assert.throws(() => {
      (c.server as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (c.digest.channels as unknown[]).push({});
    }, TypeError);
  });

  it('reads a full file and keeps its values over the defaults', () => {
    const c = loadConfig({}, fixture('full.json'));
    assert.equal(c.server.port, 8080);
    assert.equal(c.limits.pasteBytes, 8388608);
    assert.equal(c.limits.analyzeBytes, 64 * 1024 * 1024, 'unset siblings still get defaults');
    assert.deepEqual(c.permissions.resolve, ['U0LEAD0001', 'U0LEAD0002']);
    assert.equal(c.permissions.dup, 'everyone');
    assert.equal(c.digest.channels[1].timezone, 'America/New_York');
    assert.equal(c.digest.channels[0].cron, undefined, 'a channel without cron uses digest.defaultCron');
    assert.ok(Object.isFrozen(c.permissions.resolve));
  });

  it('takes secrets and overrides from the environment; DATABASE_URL selects PostgreSQL', () => {
    const env = { PORT: '4100', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's3cr3t', DATABASE_URL: 'postgres://lockdown:pw@db:5432/lockdown', LOCKDOWN_API_TOKEN: 'tok', DISCORD_API_URL: 'http://127.0.0.1:5555/api', LOCKDOWN_LOG_LEVEL: 'warn' };
    const c = loadConfig(env, fixture('full.json'));
    assert.equal(c.server.port, 4100);
    assert.equal(c.slack.botToken, 'xoxb-1');
    assert.equal(c.slack.signingSecret, 's3cr3t');
    assert.equal(c.slack.apiUrl, 'http://127.0.0.1:9999/api/', 'file value kept when env does not set it');
    assert.equal(c.store.kind, 'postgres');
    assert.equal(c.store.databaseUrl, 'postgres://lockdown:pw@db:5432/lockdown');
    assert.equal(c.server.apiToken, 'tok');
    assert.equal(c.discord.apiUrl, 'http://127.0.0.1:5555/api');
    assert.equal(c.log.level, 'warn');
    assert.equal(loadConfig({ ...env, LOCKDOWN_STORE: 'sqlite' }, fixture('full.json')).store.kind, 'sqlite');
    assert.equal(loadConfig({ PORT: '' }, null, { cwd: emptyDir() }).server.port, 3000, 'an empty variable is unset');
  });

  it('finds the file: explicit path, else LOCKDOWN_CONFIG, else ./lockdown.config.json', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'lockdown.config.json'), JSON.stringify({ server: { port: 1111 } }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ server: { port: 2222 } }));
    assert.equal(loadConfig({}, null, { cwd: dir }).server.port, 1111);
    assert.equal(loadConfig({ LOCKDOWN_CONFIG: 'other.json' }, null, { cwd: dir }).server.port, 2222);
    assert.equal(loadConfig({ LOCKDOWN_CONFIG: 'other.json' }, fixture('full.json'), { cwd: dir }).server.port, 8080);
    assert.throws(() => loadConfig({}, 'missing.json', { cwd: dir }), (e) => isLockdownError(e, 'LD_CONFIG_UNREADABLE') && e.message.includes(join(dir, 'missing.json')) && /does not exist/.test(e.message));
  });

  it('names the file and the path of an unknown key, and lists the keys allowed there', () => {
    const e = invalid(() => loadConfig({}, fixture('typo-in-key.json')));
    assert.match(e.message, /typo-in-key\.json: server\.prot: unknown key "prot"; allowed keys here: port, host, publicUrl, apiToken, reportSecret/);
    assert.match(e.message, /typo-in-key\.json: digset: unknown key "digset"/);
    assert.deepEqual((e.details.errors as Array<{ path: string }>).map((p) => p.path).sort(), ['digset', 'server.prot']);
  });

  it('rejects a bad cron, an unknown time zone and an unknown platform with a right value each', () => {
    const shape = invalid(() => loadConfig({}, fixture('bad-schedule.json')));
    assert.match(shape.message, /digest\.channels\[1\]\.platform: must be one of "slack", "discord", got "irc"; for example "slack"/);
    // Shape fixed: now the cron and the zone are checked.
    const raw = { digest: { timezone: 'Europe/Berln', channels: [{ platform: 'slack', channel: 'C1', cron: '0 25 * * *' }] } };
    const e = invalid(() => buildConfig(raw, {}, 'bad.json'));
    assert.match(e.message, /bad\.json: digest\.timezone: "Europe\/Berln" is not an IANA time zone; for example "Europe\/Berlin"/);
    assert.match(e.message, /bad\.json: digest\.channels\[0\]\.cron: "0 25 \* \* \*" is not a valid cron expression; for example "0 9 \* \* 1-5"/);
  });

  it('requires an API token when the server listens beyond loopback', () => {
    const e = invalid(() => loadConfig({}, fixture('public-without-token.json')));
    assert.match(e.message, /server\.apiToken: is required when server\.host \("0\.0\.0\.0"\) is not a loopback address; set env LOCKDOWN_API_TOKEN/);
    assert.equal(loadConfig({ LOCKDOWN_API_TOKEN: 'long-random' }, fixture('public-without-token.json')).server.host, '0.0.0.0');
    assert.equal(buildConfig({ server: { host: '::1' } }, {}, 'x').server.host, '::1');
  });

  it('never quotes a secret: not from a malformed file, a wrongly typed secret, or the environment', () => {
    const bad = invalid(() => loadConfig({}, fixture('malformed-with-secret.json')));
    assert.match(bad.message, /malformed-with-secret\.json: not valid JSON near line 1, column \d+/);
    assert.doesNotMatch(bad.message, /SUPERSECRET/);
    const typed = invalid(() => loadConfig({}, fixture('secret-wrong-type.json')));
    assert.match(typed.message, /server\.apiToken: must be string or null, got \(secret value not shown\)/);
    assert.match(typed.message, /slack\.signingSecret: must be string or null/);
    assert.doesNotMatch(typed.message + JSON.stringify(typed.details), /987654321987|hunter2/);
    const env = invalid(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-env-SECRET', PORT: 'eighty' }, fixture('public-without-token.json')));
    assert.match(env.message, /env PORT \(server\.port\): must be a port number 0-65535, got "eighty"; for example 3000/);
    assert.doesNotMatch(env.message + JSON.stringify(env.details), /xoxb-env-SECRET/);
  });

  it('reports every problem at once and rejects a non-object file', () => {
    const e = invalid(() => buildConfig({ server: { port: 70000, host: '' }, permissions: { mute: 'admins' }, log: { level: 'loud' } }, {}, 'many.json'));
    assert.equal((e.details.errors as unknown[]).length, 4);
    assert.match(e.message, /server\.port: must be <= 65535, got 70000; for example 3000/);
    assert.match(e.message, /permissions\.mute: must be "everyone" or a list of user ids, got "admins"/);
    assert.match(e.message, /log\.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"/);
    assert.match(invalid(() => loadConfig({}, fixture('not-an-object.json'))).message, /not-an-object\.json: \(root\): must be a JSON object/);
  });

  it('requires a database URL for a PostgreSQL store', () => {
    assert.match(invalid(() => buildConfig({ store: { kind: 'postgres' } }, {}, 'pg.json')).message, /pg\.json: store\.databaseUrl: is required when store\.kind is "postgres"; set env DATABASE_URL/);
  });
});

describe('redactConfig', () => {
  it('shows whether a secret is set, never its value', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-real', DATABASE_URL: 'postgres://lockdown:pw123@db:5432/lockdown', LOCKDOWN_REPORT_SECRET: 'hmac-key' }, fixture('full.json'));
    const r = redactConfig(c) as { slack: { botToken: string; signingSecret: null }; store: { databaseUrl: string }; server: { reportSecret: string } };
    assert.equal(r.slack.botToken, '[set]');
    assert.equal(r.slack.signingSecret, null);
    assert.equal(r.server.reportSecret, '[set]');
    assert.equal(r.store.databaseUrl, 'postgres://lockdown:***@db:5432/lockdown');
    assert.doesNotMatch(JSON.stringify(r), /xoxb-real|pw123|hmac-key/);
  });
});
