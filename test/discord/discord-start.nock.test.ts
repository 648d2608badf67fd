// Starting the adapter when Discord refuses: the privileged MessageContent intent not enabled in the
// Developer Portal closes the gateway with 4014; start() must fail with a clear LD_PLATFORM error
// (not hang), and the token must not appear in it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { createDiscordAdapter } from '../../adapters/discord/index.ts';
import { isLockdownError } from '../../config/errors.ts';
import { FakeCore } from './fake-core.ts';
import { FakeDiscordRest } from './fake-rest.ts';
import { FakeGateway } from './fake-gateway.ts';
import { APP_ID, guildCreate, readyData } from './gateway-payloads.ts';
import { recordingLogger } from './recording-logger.ts';

const rest = new FakeDiscordRest();
let gateway: FakeGateway;

before(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  rest.mountNock('http://discord-start.test');
  gateway = await FakeGateway.start({ ready: readyData(), guilds: [guildCreate()], closeOnIdentify: 4014 });
  rest.gatewayUrl = gateway.url;
});

after(async () => {
  await gateway.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

test('disallowed intents (4014): start() rejects with LD_PLATFORM naming the Message Content switch', { timeout: 20_000 }, async () => {
  const adapter = createDiscordAdapter({ core: new FakeCore(), logger: recordingLogger(), config: { discord: { token: 'secret-token-4014', appId: APP_ID, guildId: null, apiUrl: 'http://discord-start.test/api', replyInline: false } } });
  await assert.rejects(adapter.start(), (e) => {
    assert.ok(isLockdownError(e, 'LD_PLATFORM'));
    assert.match(e.message, /Message Content Intent/);
    assert.doesNotMatch(e.message, /secret-token-4014/);
    return true;
  });
  await adapter.stop();
});

test('missing token or app id is a configuration error, before any network use', () => {
  const before = rest.calls.length;
  assert.throws(
    () => createDiscordAdapter({ core: new FakeCore(), logger: recordingLogger(), config: { discord: { token: 'x', appId: null, guildId: null, apiUrl: null, replyInline: false } } }),
    (e) => isLockdownError(e, 'LD_CONFIG_INVALID'),
  );
  assert.equal(rest.calls.length, before);
});
