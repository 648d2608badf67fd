// The Discord adapter driven through the real discord.js 14 client: gateway events come from a
// loopback fake gateway, REST is intercepted by nock 14 (discord.js REST uses fetch via makeRequest),
// and every assertion is on what reached Discord's API or the core.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/index.ts';
import type { Reply } from '../../bot/types.ts';
import { FakeCore } from './fake-core.ts';
import { FakeDiscordRest } from './fake-rest.ts';
import { FakeGateway } from './fake-gateway.ts';
import { APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID, HUMAN_ID, OTHER_BOT_ID, THREAD_ID, botUser, buttonPress, guildCreate, messageCreate, readyData, slashCommand } from './gateway-payloads.ts';
import { assertWithinDiscordLimits } from './discord-limits.ts';
import { recordingLogger } from './recording-logger.ts';

const API = 'http://discord.test/api';
const CDN = 'http://cdn.discord.test';

function analysisReply(incidentId: string): Reply {
  return {
    text: `${incidentId} Soft lockup: CPU1 re-takes bfqd->lock from an interrupt`,
    blocks: [
      { type: 'header', text: `Spinlock recursion / lockup: IRQ re-enters bfqd->lock held by fio:2857 on CPU1 after spin_unlock_irq re-enabled interrupts too early` },
      { type: 'text', text: '`spin_unlock_irq` in a helper re-enabled interrupts under `spin_lock_irq`.' },
      { type: 'chain', title: 'Blocking chain', cycle: true, links: [{ task: 'CPU 1', waitsOn: 'spinlock bfqd->lock', primitive: 'spinlock', lock: 'ffff92adc0fc6400', heldBy: 'fio:2857' }] },
      { type: 'list', title: 'Checklist', ordered: true, items: ['Use spin_lock_irqsave in code reachable with IRQs off'] },
      { type: 'actions', incidentId, actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }, { id: 'resolve', label: 'Resolve' }] },
    ],
    ephemeral: false,
    incidentId,
    reportUrl: null,
    fullMarkdown: '# report',
  };
}

describe('Discord adapter over a fake gateway with REST mocked by nock', { timeout: 30_000 }, () => {
  const rest = new FakeDiscordRest();
  let gateway: FakeGateway;
  let adapter: DiscordAdapter;
  let nextId = 1_100_000_000_000_000_000n;
  let firstPaste = '';
  const id = () => String(++nextId);
  const core = new FakeCore({
    message: (m) => (m.text.includes('soft lockup') ? analysisReply('LD-7') : null),
    command: (c) =>
      c.text.startsWith('bad')
        ? { text: 'That is not an incident id.', blocks: [], ephemeral: true, incidentId: null, reportUrl: null, fullMarkdown: null }
        : { text: `answer to ${c.text}`, blocks: [{ type: 'header', text: 'Open incidents' }, { type: 'list', title: 'Open', items: ['LD-7 soft lockup'] }], ephemeral: c.text.startsWith('list'), incidentId: null, reportUrl: null, fullMarkdown: null },
    action: (a) => ({ reply: { ...analysisReply(a.incidentId), blocks: [{ type: 'header', text: 'Acknowledged' }] }, incident: null, notice: `${a.incidentId} acknowledged by you` }),
  });
  const logger = recordingLogger();
  // The 3-second button budget: never elapses unless a test says the core is slow.
  let slow = false;
  const sleep = () => (slow ? Promise.resolve() : new Promise<void>(() => undefined));

  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    rest.mountNock('http://discord.test');
    gateway = await FakeGateway.start({ ready: readyData(), guilds: [guildCreate()] });
    rest.gatewayUrl = gateway.url;
    adapter = createDiscordAdapter({ core, logger, sleep, config: { discord: { token: 'test-token', appId: APP_ID, guildId: GUILD_ID, apiUrl: API, replyInline: false } } });
    const ready = new Promise((resolve) => adapter.client.once('clientReady', resolve));
    await adapter.start();
    await ready;
  });

  after(async () => {
    await adapter.stop();
    await gateway.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test('start: /lockdown is bulk-registered for the guild with every subcommand, then the gateway is identified with the three intents', async () => {
    const [put] = rest.find('PUT', /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    assert.equal(put.path, `/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    assert.equal(put.auth, 'Bot test-token');
    assert.equal(put.body.length, 1);
    assert.equal(put.body[0].name, 'lockdown');
    assert.deepEqual(put.body[0].options.map((o: { name: string }) => o.name), ['analyze', 'list', 'show', 'ack', 'resolve', 'reopen', 'dup', 'mute', 'assign', 'digest', 'cases', 'help']);
    const analyze = put.body[0].options[0].options.map((o: { name: string; type: number }) => [o.name, o.type]);
    assert.deepEqual(analyze, [['file', 11], ['text', 3]]);
    assert.ok(core.port, 'port registered with the core');
    const identify = await gateway.waitFor((f) => f.op === 2);
    const d = identify.d as { token: string; intents: number; compress: boolean };
    assert.equal(d.token, 'test-token');
    // Guilds (1 << 0) | GuildMessages (1 << 9) | MessageContent (1 << 15)
    assert.equal(d.intents, 1 | 512 | 32768);
    assert.equal(d.compress, false);
    assert.match(gateway.connectUrls[0], /encoding=json/);
    assert.doesNotMatch(gateway.connectUrls[0], /compress/);
  });

  test('a top-level paste: a thread is started on it, named from the title (≤ 100), and the reply goes there', async () => {
    const msgId = id();
    firstPaste = msgId;
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: msgId, content: 'watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]' }));
    const posted = await rest.waitFor((c) => c.method === 'POST' && c.path === `/channels/${msgId}/messages`);
    const m = core.messages.find((x) => x.messageId === msgId);
    assert.ok(m);
    assert.equal(m.eventId, msgId);
    assert.equal(m.workspace, GUILD_ID);
    assert.equal(m.channel, CHANNEL_ID);
    assert.equal(m.channelName, '#storage');
    assert.equal(m.thread, null);
    assert.equal(m.author, HUMAN_ID);
    assert.equal(m.authorName, 'On-call Alice');
    assert.equal(m.link, `https://discord.com/channels/${GUILD_ID}/${CHANNEL_ID}/${msgId}`);

    const [thread] = rest.find('POST', new RegExp(`^/channels/${CHANNEL_ID}/messages/${msgId}/threads$`));
    assert.ok(thread.body.name.length <= 100);
    assert.ok(thread.body.name.startsWith('Spinlock recursion / lockup: IRQ re-enters bfqd->lock'));
    assert.ok(thread.body.name.endsWith('…'));
    assert.ok(rest.calls.indexOf(thread) < rest.calls.indexOf(posted), 'thread first, then the reply in it');

    assert.equal(posted.body.message_reference, undefined);
    assertWithinDiscordLimits(posted.body);
    assert.match(posted.body.embeds[0].fields[0].value, /`CPU 1` waits on spinlock bfqd->lock, held by `fio:2857`/);
    assert.deepEqual(posted.body.components[0].components.map((b: { custom_id: string }) => b.custom_id), ['lockdown:ack:LD-7', 'lockdown:resolve:LD-7']);
    assert.deepEqual(posted.body.allowed_mentions, { parse: [] });
  });

  test('a paste inside a thread is answered in that thread, as a reply to it; no new thread', async () => {
    const msgId = id();
    const threadsBefore = rest.find('POST', /\/threads$/).length;
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: msgId, channelId: THREAD_ID, content: 'soft lockup again' }));
    const posted = await rest.waitFor((c) => c.method === 'POST' && c.path === `/channels/${THREAD_ID}/messages` && c.body.message_reference?.message_id === msgId);
    const m = core.messages.find((x) => x.messageId === msgId);
    assert.equal(m?.thread, THREAD_ID);
    assert.equal(m?.channel, CHANNEL_ID);
    assert.equal(m?.channelName, '#storage');
    assert.equal(rest.find('POST', /\/threads$/).length, threadsBefore);
    assertWithinDiscordLimits(posted.body);
  });

  test('messages from bots and from ourselves never reach the core', async () => {
    const fromBot = id();
    const fromSelf = id();
    const fromHuman = id();
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: fromBot, content: 'soft lockup', author: { id: OTHER_BOT_ID, username: 'ci', discriminator: '0', avatar: null, bot: true } }));
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: fromSelf, content: 'soft lockup', author: botUser }));
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: fromHuman, content: 'hello' }));
    // The gateway delivers in order: once the human's message is in, the two before it were seen.
    await core.until(() => core.messages.some((m) => m.messageId === fromHuman));
    assert.equal(core.messages.filter((m) => m.messageId === fromBot || m.messageId === fromSelf).length, 0);
    assert.equal(BOT_ID, botUser.id);
  });

  test('a long paste arrives as message.txt: the core gets an Attachment that downloads at most maxBytes + 1, without our token', async () => {
    const msgId = id();
    const body = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\n'.repeat(200);
    let auth: string | undefined = 'unset';
    nock(CDN).persist().get('/attachments/1/2/message.txt').query(true).reply(function () {
      auth = this.req.headers.authorization as string | undefined;
      return [200, body, { 'content-type': 'text/plain; charset=utf-8' }];
    });
    const attachment = { id: '1199', filename: 'message.txt', size: body.length, url: `${CDN}/attachments/1/2/message.txt?ex=1&is=2&hm=3`, proxy_url: `${CDN}/p`, content_type: 'text/plain; charset=utf-8' };
    gateway.dispatch('MESSAGE_CREATE', messageCreate({ id: msgId, content: '', attachments: [attachment] }));
    await core.until(() => core.messages.some((m) => m.messageId === msgId));
    const [a] = core.messages.find((m) => m.messageId === msgId)!.attachments;
    assert.deepEqual([a.id, a.name, a.size, a.mimetype], ['1199', 'message.txt', body.length, 'text/plain; charset=utf-8']);
    const head = await a.fetch(100);
    assert.equal(head.byteLength, 101);
    assert.equal(Buffer.from(head).toString(), body.slice(0, 101));
    const whole = await a.fetch(1_000_000);
    assert.equal(Buffer.from(whole).toString(), body);
    assert.equal(auth, undefined);
  });

  test('/lockdown list: deferred ephemeral at once (callback type 5, flags 64), then the answer edits @original', async () => {
    const iid = id();
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: iid, token: 'tok-list', sub: 'list', options: [{ name: 'scope', type: 3, value: 'all' }, { name: 'channel', type: 5, value: true }] }));
    const edit = await rest.waitFor((c) => c.method === 'PATCH' && c.path === `/webhooks/${APP_ID}/tok-list/messages/@original`);
    const [callback] = rest.find('POST', new RegExp(`^/interactions/${iid}/tok-list/callback$`));
    assert.deepEqual(callback.body, { type: 5, data: { flags: 64 } });
    assert.equal(callback.auth, null, 'interaction callbacks are not authenticated with the bot token');
    assert.ok(rest.calls.indexOf(callback) < rest.calls.indexOf(edit));
    const cmd = core.commands.find((c) => c.eventId === iid);
    assert.equal(cmd?.text, 'list all --channel');
    assert.equal(cmd?.workspace, GUILD_ID);
    assert.equal(cmd?.channel, CHANNEL_ID);
    assert.equal(edit.body.content, 'answer to list all --channel');
    assert.equal(edit.body.embeds[0].title, 'Open incidents');
    assertWithinDiscordLimits(edit.body);
  });

  test('/lockdown resolve and assign: public deferral, options become the core grammar', async () => {
    const r = id();
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: r, token: 'tok-res', sub: 'resolve', options: [{ name: 'id', type: 3, value: 'LD-7' }, { name: 'note', type: 3, value: 'irqsave patch' }] }));
    const a = id();
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: a, token: 'tok-as', sub: 'assign', options: [{ name: 'id', type: 3, value: 'LD-7' }, { name: 'user', type: 6, value: HUMAN_ID }], resolved: { users: { [HUMAN_ID]: { id: HUMAN_ID, username: 'oncall', discriminator: '0', avatar: null } } } }));
    await rest.waitFor((c) => c.method === 'PATCH' && c.path.includes('/tok-as/'));
    await rest.waitFor((c) => c.method === 'PATCH' && c.path.includes('/tok-res/'));
    const [cb] = rest.find('POST', /\/tok-res\/callback$/);
    assert.deepEqual(cb.body, { type: 5, data: { flags: 0 } });
    assert.equal(core.commands.find((c) => c.eventId === r)?.text, 'resolve LD-7 irqsave patch');
    assert.equal(core.commands.find((c) => c.eventId === a)?.text, `assign LD-7 <@${HUMAN_ID}>`);
  });

  test('/lockdown analyze with a file option hands the attachment to the core', async () => {
    const iid = id();
    const file = { id: '1288', filename: 'bt-a.txt', size: 5, url: `${CDN}/attachments/9/9/bt-a.txt`, proxy_url: `${CDN}/p`, content_type: 'text/plain' };
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: iid, token: 'tok-an', sub: 'analyze', options: [{ name: 'file', type: 11, value: '1288' }], resolved: { attachments: { '1288': file } } }));
    await rest.waitFor((c) => c.method === 'PATCH' && c.path.includes('/tok-an/'));
    const cmd = core.commands.find((c) => c.eventId === iid);
    assert.equal(cmd?.text, 'analyze');
    assert.deepEqual(cmd?.attachments.map((x) => [x.id, x.name, x.size]), [['1288', 'bt-a.txt', 5]]);
  });

  test('a core reply marked ephemeral after a public deferral is not shown to the channel', async () => {
    // The fake core answers text starting with "bad" with an ephemeral error, as the real one does for usage errors.
    gateway.dispatch('INTERACTION_CREATE', slashCommand({ id: id(), token: 'tok-bad2', sub: 'bad' }));
    const follow = await rest.waitFor((c) => c.method === 'POST' && c.path === `/webhooks/${APP_ID}/tok-bad2`);
    const [del] = rest.find('DELETE', /\/tok-bad2\/messages\/@original$/);
    assert.ok(del, 'the public "thinking" message is deleted');
    assert.equal(follow.body.flags, 64);
    assert.equal(follow.body.content, 'That is not an incident id.');
  });

  test('a button press: the core gets the action, the message is updated (callback type 7), the notice is ephemeral', async () => {
    const iid = id();
    const foreign = id();
    gateway.dispatch('INTERACTION_CREATE', buttonPress({ id: foreign, token: 'tok-foreign', customId: 'other-bot:ack:1', messageId: id() }));
    gateway.dispatch('INTERACTION_CREATE', buttonPress({ id: iid, token: 'tok-btn', customId: 'lockdown:ack:LD-7', messageId: id() }));
    const notice = await rest.waitFor((c) => c.method === 'POST' && c.path === `/webhooks/${APP_ID}/tok-btn`);
    assert.deepEqual(core.actions.map((a) => [a.action, a.incidentId, a.eventId, a.author, a.channel]), [['ack', 'LD-7', iid, HUMAN_ID, CHANNEL_ID]]);
    const [cb] = rest.find('POST', new RegExp(`^/interactions/${iid}/tok-btn/callback$`));
    assert.equal(cb.body.type, 7);
    assert.equal(cb.body.data.embeds[0].title, 'Acknowledged');
    assertWithinDiscordLimits(cb.body.data);
    assert.equal(notice.body.flags, 64);
    assert.equal(notice.body.content, 'LD-7 acknowledged by you');
    assert.equal(rest.find('POST', /\/tok-foreign\//).length, 0, 'a button that is not ours is left alone');
  });

  test('a button press the core is slow to answer: acknowledged in time (type 6), then the message is edited', async () => {
    const iid = id();
    let release: () => void = () => undefined;
    core.actionGate = new Promise((resolve) => (release = resolve));
    slow = true;
    try {
      gateway.dispatch('INTERACTION_CREATE', buttonPress({ id: iid, token: 'tok-slow', customId: 'lockdown:resolve:LD-7', messageId: id() }));
      const cb = await rest.waitFor((c) => c.method === 'POST' && c.path === `/interactions/${iid}/tok-slow/callback`);
      assert.deepEqual(cb.body, { type: 6 });
      assert.equal(rest.find('PATCH', /\/tok-slow\//).length, 0, 'nothing edited before the core answered');
      release();
      const edit = await rest.waitFor((c) => c.method === 'PATCH' && c.path === `/webhooks/${APP_ID}/tok-slow/messages/@original`);
      assert.equal(edit.body.embeds[0].title, 'Acknowledged');
      assertWithinDiscordLimits(edit.body);
    } finally {
      slow = false;
      core.actionGate = null;
      release();
    }
  });

  test('heartbeats: a heartbeat request (op 1) is answered at once with op 1 carrying the last sequence', async () => {
    const before = gateway.received.length;
    gateway.requestHeartbeat();
    const hb = await gateway.waitFor((f) => f.op === 1, before);
    assert.equal(typeof hb.d, 'number');
  });

  test('a dropped connection resumes; a missed paste gets one reply, a redelivered one gets none', async () => {
    const missed = id();
    // Discord may deliver an event again after a resume: the first paste comes back with its id.
    gateway.dispatchMissed('MESSAGE_CREATE', messageCreate({ id: firstPaste, content: 'watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]' }));
    gateway.dispatchMissed('MESSAGE_CREATE', messageCreate({ id: missed, content: 'soft lockup while disconnected' }));
    const threadsBefore = rest.find('POST', /\/threads$/).length;
    const postsBefore = rest.find('POST', /^\/channels\/\d+\/messages$/).length;
    gateway.dropConnection();
    const resume = await gateway.waitFor((f) => f.op === 6);
    assert.equal((resume.d as { session_id: string }).session_id, 'fake-session');
    await rest.waitFor((c) => c.method === 'POST' && c.path === `/channels/${missed}/messages`);
    assert.equal(core.messages.filter((m) => m.messageId === missed).length, 1);
    // One new thread and one new post, both for `missed`: the redelivered first paste got nothing.
    assert.equal(rest.find('POST', /\/threads$/).length, threadsBefore + 1);
    assert.equal(rest.find('POST', /^\/channels\/\d+\/messages$/).length, postsBefore + 1);
    assert.equal(rest.find('POST', new RegExp(`^/channels/${firstPaste}/messages$`)).length, 1);
    assert.ok(logger.lines.some((l) => l.msg === 'discord gateway reconnecting'));
  });
});
