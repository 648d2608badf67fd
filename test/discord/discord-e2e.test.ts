// End to end with no Discord at all: a loopback REST server (rest.api points at it; it hands out the
// gateway URL from GET /gateway/bot and serves attachment downloads) and a loopback gateway drive the
// real discord.js 14 client, the Discord adapter and the real bot core on SQLite. A seed trace pasted
// as Discord's message.txt gets a thread and one reply; a replay after a restart gets none; `/lockdown
// list` is deferred then edited; the Acknowledge button updates the incident and the message.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.ts';
import type { FullBotCore } from '../../bot/core.ts';
import type { Store } from '../../bot/store/store.ts';
import { loadAnalyzer, makeBot, sqliteStore } from '../lifecycle/harness.ts';
import { FakeDiscordRest } from './fake-rest.ts';
import { FakeGateway } from './fake-gateway.ts';
import { APP_ID, CHANNEL_ID, GUILD_ID, buttonPress, guildCreate, messageCreate, readyData, slashCommand } from './gateway-payloads.ts';
import { assertWithinDiscordLimits } from './discord-limits.ts';
import { recordingLogger, type RecordingLogger } from './recording-logger.ts';

const SEED = readFileSync(new URL('../fixtures/seeds-plain/000-rmmod-flush-workqueue-ww-mutex.txt', import.meta.url), 'utf8');
const PASTE_ID = '1160000000000000001';

describe('Discord end to end: fake REST + fake gateway + discord.js + the real core', { timeout: 60_000 }, () => {
  const rest = new FakeDiscordRest();
  let gateway: FakeGateway;
  let core: FullBotCore;
  let store: Store;
  let adapter: DiscordAdapter;
  let logger: RecordingLogger;
  let apiBase = '';
  let incidentId = '';
  let pasteEvent: ReturnType<typeof messageCreate> | null = null;

  const startAdapter = async (): Promise<DiscordAdapter> => {
    logger = recordingLogger();
    const a = createDiscordAdapter({ core, logger, config: { discord: { token: 'e2e-token', appId: APP_ID, guildId: null, apiUrl: apiBase, replyInline: false } } });
    const ready = new Promise((resolve) => a.client.once('clientReady', resolve));
    await a.start();
    await ready;
    return a;
  };

  before(async () => {
    // Nothing may leave the machine: only loopback is allowed.
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    apiBase = await rest.listen();
    gateway = await FakeGateway.start({ ready: readyData(), guilds: [guildCreate()] });
    rest.gatewayUrl = gateway.url;
    store = sqliteStore().store;
    const { analyze } = await loadAnalyzer();
    ({ core } = await makeBot({ store, analyze }));
    adapter = await startAdapter();
  });

  after(async () => {
    await adapter.stop();
    await core.close();
    await store.close();
    await gateway.close();
    await rest.close();
    nock.enableNetConnect();
  });

  test('without a guild id, /lockdown is registered globally (bulk overwrite)', () => {
    const puts = rest.find('PUT', /commands$/);
    assert.equal(puts[0].path, `/applications/${APP_ID}/commands`);
    assert.equal(puts[0].body[0].name, 'lockdown');
  });

  test('a seed trace pasted as message.txt: thread on the paste, one reply with chain, embeds and buttons', async () => {
    rest.cdn.set('/attachments/1/1160000000000000001/message.txt', SEED);
    const attachment = { id: '1161', filename: 'message.txt', size: Buffer.byteLength(SEED), url: `${apiBase.replace(/\/api$/, '')}/attachments/1/1160000000000000001/message.txt`, proxy_url: 'http://127.0.0.1:1/p', content_type: 'text/plain; charset=utf-8' };
    pasteEvent = messageCreate({ id: PASTE_ID, content: 'rmmod hangs on our test box, trace attached', attachments: [attachment] });
    gateway.dispatch('MESSAGE_CREATE', pasteEvent);

    const posted = await rest.waitFor((c) => c.method === 'POST' && c.path === `/channels/${PASTE_ID}/messages`);
    assert.ok(rest.calls.some((c) => c.method === 'GET' && c.path.endsWith('/message.txt')), 'the attachment was downloaded');
    const [thread] = rest.find('POST', new RegExp(`^/channels/${CHANNEL_ID}/messages/${PASTE_ID}/threads$`));
    // The thread is named after the reply's title (markdown stripped), within Discord's 100 characters.
    const title: string = posted.body.embeds[0].title.replace(/[*`]/g, '').trim();
    assert.equal(thread.body.name, title.length <= 100 ? title : `${title.slice(0, 99)}…`);

    assertWithinDiscordLimits(posted.body);
    const ack = posted.body.components.flatMap((r: { components: Array<{ custom_id: string }> }) => r.components).find((b: { custom_id: string }) => b.custom_id.startsWith('lockdown:ack:'));
    assert.ok(ack, 'an Acknowledge button');
    incidentId = ack.custom_id.split(':')[2];
    const incidents = await core.openIncidents(GUILD_ID);
    assert.deepEqual(incidents.map((i) => i.id), [incidentId]);
    const shown = JSON.stringify(posted.body.embeds);
    assert.match(shown, /kworker\/1:2/, 'the blocking chain names the worker the flush waits on');
  });

  test('the same MESSAGE_CREATE after a restart (new client, same store) gets no second reply', async () => {
    await adapter.stop();
    adapter = await startAdapter();
    const postsBefore = rest.find('POST', /^\/channels\/\d+\/messages$/).length;
    assert.ok(pasteEvent);
    gateway.dispatch('MESSAGE_CREATE', pasteEvent);
    // Handlers run concurrently: chat is ignored at once while the replay first reads its attachment,
    // so wait for both outcomes (the new logger only sees this client's events).
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: '1160000000000000002', content: 'thanks!' }));
    await until(() => logger.lines.some((l) => l.obj.message === '1160000000000000002') && logger.lines.some((l) => l.obj.message === PASTE_ID));
    const replay = logger.lines.find((l) => l.obj.message === PASTE_ID);
    assert.equal(replay?.obj.outcome, 'duplicate');
    assert.equal(rest.find('POST', /^\/channels\/\d+\/messages$/).length, postsBefore);
    assert.equal(rest.find('POST', /\/threads$/).length, 1);
  });

  test('/lockdown list: ephemeral deferral (type 5, flags 64) then the list edits @original', async () => {
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: '1160000000000000010', token: 'e2e-list', sub: 'list' }));
    const edit = await rest.waitFor((c) => c.method === 'PATCH' && c.path === `/webhooks/${APP_ID}/e2e-list/messages/@original`);
    const [cb] = rest.find('POST', /^\/interactions\/1160000000000000010\/e2e-list\/callback$/);
    assert.deepEqual(cb.body, { type: 5, data: { flags: 64 } });
    assert.ok(rest.calls.indexOf(cb) < rest.calls.indexOf(edit));
    assertWithinDiscordLimits(edit.body);
    assert.match(JSON.stringify(edit.body), new RegExp(incidentId));
  });

  test('the Acknowledge button: the incident is acknowledged, the message updated in place, the thread told', async () => {
    const [firstPost] = rest.find('POST', new RegExp(`^/channels/${PASTE_ID}/messages$`));
    gateway.dispatch('INTERACTION_CREATE', buttonPress({ id: '1160000000000000020', token: 'e2e-ack', customId: `lockdown:ack:${incidentId}`, messageId: firstPost.response.id, channelId: CHANNEL_ID }));
    const cb = await rest.waitFor((c) => c.method === 'POST' && c.path === '/interactions/1160000000000000020/e2e-ack/callback');
    assert.equal(cb.body.type, 7);
    assertWithinDiscordLimits(cb.body.data);
    const [inc] = (await core.openIncidents(GUILD_ID)).filter((i) => i.id === incidentId);
    assert.equal(inc.status, 'acknowledged');
    const ids = JSON.stringify(cb.body.data.components);
    assert.doesNotMatch(ids, /lockdown:ack:/, 'no Acknowledge button once acknowledged');
    // The core also announces the change in the incident's thread (a reply to our analysis there). The
    // pressed message was already replaced by the type 7 answer: the core does not edit it again.
    const replyId: string = firstPost.response.id;
    const notice = await rest.waitFor((c) => c.method === 'POST' && c.path === `/channels/${PASTE_ID}/messages` && c.body.message_reference?.message_id === replyId);
    assertWithinDiscordLimits(notice.body);
    // The ephemeral follow-up is sent once the core has finished with the press (notice and refresh).
    await rest.waitFor((c) => c.method === 'POST' && c.path === `/webhooks/${APP_ID}/e2e-ack`);
    assert.equal(rest.find('PATCH', new RegExp(`/messages/${replyId}$`)).length, 0, 'one update of the pressed message, not two');
  });
});

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error('condition not reached');
}
