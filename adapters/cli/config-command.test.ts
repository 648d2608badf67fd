// `lockdown config check`: exit codes and what lands on stdout/stderr, run in-process with literal env.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureIo } from '../../test/helpers/capture-io.ts';
import { run } from './config-command.ts';

const fixture = (name: string) => new URL(`../../config/fixtures/${name}`, import.meta.url).pathname;

async function check(args: string[], env: NodeJS.ProcessEnv = {}) {
  const c = captureIo(env);
  const code = await run(args, c.io);
  return { code, stdout: c.out(), stderr: c.err() };
}

describe('lockdown config check', () => {
  it('exits 0 on a valid file and summarises what will run', async () => {
    const r = await check(['check', fixture('full.json')], { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /full\.json: valid/);
    assert.match(r.stdout, /store: sqlite \.\/data\/oncall\.db; server: 127\.0\.0\.1:8080; slack: on \(http\); discord: off; digest channels: 2/);
    assert.equal(r.stderr, '');
  });

  it('exits 1 and prints every problem with its path on an invalid file', async () => {
    const r = await check(['check', fixture('typo-in-key.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /server\.prot: unknown key "prot"/);
    assert.match(r.stderr, /digset: unknown key "digset"/);
    assert.equal(r.stdout, '');
    const missing = await check(['check', '--config', fixture('nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json: the config file does not exist/);
  });

  it('--print shows the effective config with secrets redacted', async () => {
    const r = await check(['check', fixture('full.json'), '--print'], { DISCORD_TOKEN: 'MTA-discord-secret' });
    assert.equal(r.code, 0);
    const printed = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    assert.equal(printed.discord.token, '[set]');
    assert.equal(printed.server.port, 8080);
    assert.doesNotMatch(r.stdout, /MTA-discord-secret/);
  });

  it('exits 2 with a usage line on a missing or unknown subcommand', async () => {
    assert.equal((await check([])).code, 2);
    const r = await check(['validate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown subcommand 'validate'[\s\S]*usage: lockdown config check \[FILE\]/);
  });
});
