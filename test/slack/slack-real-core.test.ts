// The Slack adapter with the real core (SQLite store, incident service, outbox) on lockdown's own
// HTTP server: a seed pasted in Slack becomes an incident and one threaded reply with its buttons,
// retries and re-deliveries never post twice, a button changes the incident and updates the message,
// /lockdown and App Home show it. The engine is analyzers/analyze.ts when present (else the
// lifecycle tests' stand-in, which the run says).

import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createHttpServer, type LockdownHttpServer } from '../../bot/http/create-http-server.ts';
import type { FullBotCore } from '../../bot/core.ts';
import { silentLogger } from '../../bot/log.ts';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.ts';
import { loadAnalyzer, makeBot, sqliteStore, testConfig, until } from '../lifecycle/harness.ts';
import type { Analysis } from '../../analyzers/contract.ts';
import {
  API_BASE, BOT_TOKEN, FILES_BASE, HOOKS_BASE, SIGNING_SECRET, TEAM, decodeBody, eventBody, expectCall, formBody, isolateNetwork, mockSlackApi, slackEscape, slackHeaders,
  type Calls, type ChannelTable,
} from './slack-harness.ts';

const SEEDS = '/work/shared/seeds';
const SEED_000 = readFileSync(`${SEEDS}/000_f2b6f952a013b8da.txt`, 'utf8');
const SEED_003 = readFileSync(`${SEEDS}/003_8e2fec0ccb6e1cbe.txt`, 'utf8');

let analyze: (text: string) => Analysis;
before(async () => {
  ({ analyze } = await loadAnalyzer());
});

interface World {
  core: FullBotCore;
  http: LockdownHttpServer;
  slack: SlackAdapter;
  url: string;
  close(): Promise<void>;
}

async function world(raw: Record<string, unknown> = {}): Promise<World> {
  const config = testConfig(raw);
  const { store } = sqliteStore();
  const { core } = await makeBot({ store, config, analyze });
  const http = createHttpServer({ config, core, logger: silentLogger() });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const slack = createSlackAdapter({
    core, logger: silentLogger(), mount: (p, h, o) => http.mount(p, h, o),
    config: { slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: `${API_BASE}/api` } },
    retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
  });
  await slack.start();
  return {
    core, http, slack, url: `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`,
    async close() {
      await slack.stop();
      http.server.closeAllConnections();
      await core.close();
      await http.close();
      await store.close();
    },
  };
}

let calls: Calls;
let unexpected: string[];
let channels: ChannelTable;
let w: World | null = null;
beforeEach(() => {
  isolateNetwork();
  ({ calls, unexpected, channels } = mockSlackApi());
});
afterEach(async () => {
  await w?.close();
  w = null;
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});
after(() => nock.restore());

async function send(body: string, extra: Record<string, string> = {}, contentType?: string): Promise<number> {
  const res = await fetch(`${w!.url}/slack/events`, { method: 'POST', headers: { ...slackHeaders(body, contentType ? { contentType } : {}), ...extra }, body });
  await res.text();
  return res.status;
}

const paste = (text: string, ts: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'message', channel: 'C0STORAGE', channel_type: 'channel', user: 'U0ALICE', team: TEAM, ts, text: slackEscape(text), ...extra });

type Block = { type: string; text?: { text: string }; elements?: Array<{ action_id?: string; value?: string; text?: string }> };

function buttonsOf(blocks: Block[]): string[] {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => `${e.action_id}=${e.value}`));
}

test('a seed pasted in a channel: one threaded reply with the incident buttons; the retry and a re-paste do not double it', async () => {
  w = await world();
  expectCall(calls, 'chat.postMessage', (n) => [200, { ok: true, ts: `1763900100.00000${n}` }], 2);
  nock(API_BASE).post(/files\.(getUploadURLExternal|completeUploadExternal)/).optionally().times(4).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().times(2).reply(200, 'OK');

  const body = eventBody(paste(SEED_000, '1763900000.000100'), 'Ev0SEED000');
  assert.equal(await send(body), 200);
  assert.equal(await send(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }), 200);
  await w.slack.idle();

  const first = calls['chat.postMessage']!;
  assert.equal(first.length, 1, 'the retry was deduplicated by the core on the adapter\'s eventId');
  assert.equal(first[0]!.thread_ts, '1763900000.000100');
  const blocks = first[0]!.blocks as Block[];
  assert.ok(blocks.length <= 50);
  assert.equal(blocks[0]!.type, 'header');
  const open = await w.core.openIncidents(TEAM);
  assert.equal(open.length, 1);
  const id = open[0]!.id;
  assert.ok(buttonsOf(blocks).includes(`lockdown_ack=${id}`));
  assert.ok(buttonsOf(blocks).every((b) => b.endsWith(`=${id}`)));
  // What the engine found for this paste is what Slack shows: the suspect lock, its holder, the chain.
  const [occ] = await w.core.context.incidents.occurrences(id);
  const top = occ!.analysis.findings[0];
  const shown = JSON.stringify(blocks);
  const lock = top?.suspectLock;
  assert.ok(lock?.address && lock.holder && top.blockingChain[0], 'seed 000 has a suspect lock with a holder and a chain');
  assert.ok(shown.includes(lock.address), 'suspect lock address in the reply');
  assert.ok(shown.includes(slackEscape(lock.holder)), 'holder in the reply');
  assert.ok(shown.includes(slackEscape(top.blockingChain[0].task)), 'first waiter of the chain in the reply');

  // The same hang pasted again later (a new message): a second reply, the same incident, seen twice.
  await send(eventBody(paste(SEED_000, '1763900200.000100'), 'Ev0SEED000B'));
  await w.slack.idle();
  assert.equal(calls['chat.postMessage']!.length, 2);
  assert.equal(calls['chat.postMessage']![1]!.thread_ts, '1763900200.000100');
  assert.deepEqual(buttonsOf(calls['chat.postMessage']![1]!.blocks as Block[]).filter((b) => b.startsWith('lockdown_ack')), [`lockdown_ack=${id}`]);
  assert.equal((await w.core.openIncidents(TEAM))[0]!.occurrenceCount, 2);
  assert.deepEqual(unexpected, []);
});

test('ordinary chat through the real core: no Web API call', async () => {
  w = await world();
  await send(eventBody(paste('is the build broken again? the CI box is slow', '1763900000.000200')));
  await w.slack.idle();
  assert.deepEqual(calls, {});
  assert.deepEqual(await w.core.openIncidents(TEAM), []);
});

test('Resolve pressed in Slack: the incident is resolved, the message updated, the presser told', async () => {
  w = await world();
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900100.000001' });
  nock(API_BASE).post(/files\./).optionally().times(4).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().reply(200, 'OK');
  await send(eventBody(paste(SEED_003, '1763900000.000300')));
  await w.slack.idle();
  const id = (await w.core.openIncidents(TEAM))[0]!.id;

  // The core refreshes the replies it posted for this incident except the pressed one, which the
  // adapter updates: that message is edited once, not twice.
  expectCall(calls, 'chat.update', { ok: true }, 4);
  expectCall(calls, 'chat.postEphemeral', { ok: true });
  nock(API_BASE).post('/api/chat.postMessage').optionally().reply(200, { ok: true, ts: '1763900100.000009' }); // status notice in the thread, if the core posts one
  const payload = {
    type: 'block_actions', api_app_id: 'A0LOCK', token: 'unused', trigger_id: 'tr.resolve',
    user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: TEAM }, team: { id: TEAM, domain: 'lockdown' },
    container: { type: 'message', message_ts: '1763900100.000001', channel_id: 'C0STORAGE', is_ephemeral: false, thread_ts: '1763900000.000300' },
    channel: { id: 'C0STORAGE', name: 'storage' }, message: { type: 'message', ts: '1763900100.000001', thread_ts: '1763900000.000300' },
    response_url: `${HOOKS_BASE}/actions/1`,
    actions: [{ action_id: 'lockdown_resolve', block_id: 'b', value: id, type: 'button', action_ts: '1763900150.1' }],
  };
  assert.equal(await send(formBody({ payload: JSON.stringify(payload) }), {}, 'application/x-www-form-urlencoded'), 200);
  await w.slack.idle();

  assert.deepEqual(await w.core.openIncidents(TEAM), [], 'resolved incidents are not open');
  const updates = calls['chat.update']!;
  assert.deepEqual(updates.map((u) => [u.channel, u.ts]), [['C0STORAGE', '1763900100.000001']], 'one chat.update of the pressed message');
  const buttons = buttonsOf(updates.at(-1)!.blocks as Block[]);
  assert.ok(buttons.includes(`lockdown_reopen=${id}`), `reopen offered after resolve: ${buttons.join(', ')}`);
  assert.ok(!buttons.includes(`lockdown_resolve=${id}`));
  assert.equal(calls['chat.postEphemeral']![0]!.user, 'U0BOB');
  assert.deepEqual(unexpected, []);
});

test('/lockdown list answers ephemeral with the open incident; App Home publishes it with buttons', async () => {
  w = await world();
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900100.000001' });
  nock(API_BASE).post(/files\./).optionally().times(4).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().reply(200, 'OK');
  await send(eventBody(paste(SEED_000, '1763900000.000400')));
  await w.slack.idle();
  const id = (await w.core.openIncidents(TEAM))[0]!.id;

  const responded: Array<Record<string, unknown>> = [];
  nock(HOOKS_BASE).post('/commands/1', (b: unknown) => {
    responded.push(decodeBody(b));
    return true;
  }).reply(200, 'ok');
  const cmd = formBody({ team_id: TEAM, channel_id: 'C0STORAGE', channel_name: 'storage', user_id: 'U0ALICE', user_name: 'alice', command: '/lockdown', text: 'list', response_url: `${HOOKS_BASE}/commands/1`, trigger_id: 'tr.list' });
  assert.equal(await send(cmd, {}, 'application/x-www-form-urlencoded'), 200);
  await w.slack.idle();
  assert.equal(responded[0]!.response_type, 'ephemeral');
  assert.ok(JSON.stringify(responded[0]!.blocks).includes(id));

  expectCall(calls, 'views.publish', { ok: true });
  await send(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0', tab: 'home', event_ts: '1' }));
  await w.slack.idle();
  const view = calls['views.publish']![0]!.view as { type: string; blocks: Block[] };
  assert.equal(view.type, 'home');
  assert.ok(view.blocks.length <= 100);
  assert.ok(JSON.stringify(view.blocks).includes(id));
  assert.deepEqual(unexpected, []);
});

test('beyond loopback the API wants a bearer token, but /slack/events (signed) stays reachable', async () => {
  w = await world({ server: { host: '0.0.0.0', apiToken: 'api-token-for-tests-123456' } });
  const api = await fetch(`${w.url}/api/incidents`);
  assert.equal(api.status, 401);
  await api.text();
  const body = JSON.stringify({ token: 'x', challenge: 'ch-77', type: 'url_verification' });
  const res = await fetch(`${w.url}/slack/events`, { method: 'POST', headers: slackHeaders(body), body });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /ch-77/);
  const unsigned = await fetch(`${w.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(unsigned.status, 401);
  await unsigned.text();
});

test('every seed pasted in Slack: one threaded reply within Slack\'s limits, with its own incident\'s buttons', async () => {
  w = await world();
  const seeds = ['000_f2b6f952a013b8da.txt', '001_92ad9bb8df84726d.txt', '002_f5b2a25c39dda0a7.txt', '003_8e2fec0ccb6e1cbe.txt', '004_789fb14b6ba577d5.txt'];
  expectCall(calls, 'chat.postMessage', (n) => [200, { ok: true, ts: `1763900300.00000${n}` }], seeds.length);
  nock(API_BASE).post(/files\.(getUploadURLExternal|completeUploadExternal)/).optionally().times(2 * seeds.length).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().times(seeds.length).reply(200, 'OK');
  for (const [i, f] of seeds.entries()) {
    await send(eventBody(paste(readFileSync(`${SEEDS}/${f}`, 'utf8'), `17639002${i}0.000100`), `Ev0ALL${i}`));
  }
  await w.slack.idle();
  const posts = calls['chat.postMessage']!;
  assert.equal(posts.length, seeds.length);
  const ids = new Set((await w.core.openIncidents(TEAM)).map((x) => x.id));
  // Events are handled concurrently: compare as sets, not by arrival order.
  assert.deepEqual(posts.map((p) => p.thread_ts).sort(), seeds.map((_, i) => `17639002${i}0.000100`));
  for (const p of posts) {
    const blocks = p.blocks as Block[];
    assert.ok(blocks.length <= 50);
    for (const b of blocks) if (b.type === 'section' && b.text) assert.ok(b.text.text.length <= 3000);
    const buttons = buttonsOf(blocks);
    assert.ok(buttons.length > 0, `the reply in ${String(p.thread_ts)} has buttons`);
    const incident = buttons[0]!.split('=')[1]!;
    assert.ok(ids.has(incident));
  }
  assert.deepEqual(unexpected, []);
});

test('a large snippet (10k-task foreach bt): downloaded with the bot token, :mag: on the message, then one reply', async () => {
  w = await world();
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    lines.push(`PID: ${10000 + i}  TASK: ${(0xffff8b9300000000n + BigInt(i) * 0x8000n).toString(16)}  CPU: ${i % 64}   COMMAND: "dataio_srv/${i}"`,
      ' #0 [ffffb4a0c1e3bc68] __schedule at ffffffff9a2e6b5c', ' #1 [ffffb4a0c1e3bcf8] schedule at ffffffff9a2e7089',
      ' #2 [ffffb4a0c1e3bd08] rwsem_down_read_failed at ffffffff9a2e9a8c', ' #3 [ffffb4a0c1e3bde0] down_read at ffffffff9a2e8ac0', '');
  }
  const big = lines.join('\n');
  assert.ok(big.length > 256 * 1024, 'above limits.asyncAnalysisBytes');
  nock(FILES_BASE, { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } }).get('/files-pri/T0LOCK-F0BIG/download/foreach-bt.txt').reply(200, big, { 'content-type': 'text/plain' });
  expectCall(calls, 'reactions.add', { ok: true });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900400.000001' });
  nock(API_BASE).post(/files\.(getUploadURLExternal|completeUploadExternal)/).optionally().times(2).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().reply(200, 'OK');
  const file = { id: 'F0BIG', name: 'foreach-bt.txt', mimetype: 'text/plain', size: Buffer.byteLength(big), mode: 'snippet', url_private_download: `${FILES_BASE}/files-pri/T0LOCK-F0BIG/download/foreach-bt.txt` };
  await send(eventBody(paste('', '1763900399.000100', { subtype: 'file_share', files: [file] })));
  await w.slack.idle();
  // The core adds the reaction without waiting for it (it must not delay the analysis).
  await until(() => (calls['reactions.add'] ?? []).length > 0, 'the :mag: reaction');
  assert.deepEqual(calls['reactions.add']!.map((r) => [r.channel, r.timestamp, r.name]), [['C0STORAGE', '1763900399.000100', 'mag']]);
  assert.equal(calls['chat.postMessage']!.length, 1);
  assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900399.000100');
  assert.ok((calls['chat.postMessage']![0]!.blocks as Block[]).length <= 50);
  assert.deepEqual(unexpected, []);
});

test('channel names come from conversations.info, once per channel: "last in #storage"; a failed lookup costs only the name', async () => {
  w = await world();
  channels.C0KERNEL = 'kernel-oncall';
  channels.C0SECRET = { error: 'missing_scope' };
  expectCall(calls, 'chat.postMessage', (n) => [200, { ok: true, ts: `1763900600.00000${n}` }], 4);
  nock(API_BASE).post(/files\.(getUploadURLExternal|completeUploadExternal)/).optionally().times(8).reply(200, { ok: true, upload_url: `${FILES_BASE}/u`, file_id: 'F1', files: [] });
  nock(FILES_BASE).post('/u').optionally().times(4).reply(200, 'OK');

  await send(eventBody(paste(SEED_000, '1763900500.000100'), 'EvNAME1'));
  await w.slack.idle();
  await send(eventBody(paste(SEED_000, '1763900510.000100'), 'EvNAME2'));
  await w.slack.idle();
  await send(eventBody(paste(SEED_000, '1763900520.000100', { channel: 'C0KERNEL' }), 'EvNAME3'));
  await w.slack.idle();
  // A private channel the app may not read (groups:read not granted): the reply still goes out.
  await send(eventBody(paste(SEED_000, '1763900530.000100', { channel: 'C0SECRET' }), 'EvNAME4'));
  await w.slack.idle();

  const posts = calls['chat.postMessage']!;
  assert.equal(posts.length, 4, 'every paste answered, the failed lookup included');
  assert.match(JSON.stringify(posts[1]!.blocks), /seen 2 times since [0-9-]+, last in #storage/);
  assert.match(JSON.stringify(posts[2]!.blocks), /seen 3 times since [0-9-]+, last in #storage/);
  assert.match(JSON.stringify(posts[3]!.blocks), /seen 4 times since [0-9-]+, last in #kernel-oncall/);
  assert.deepEqual(calls['conversations.info']!.map((c) => c.channel), ['C0STORAGE', 'C0KERNEL', 'C0SECRET'], 'one lookup per channel');
  const [incident] = await w.core.openIncidents(TEAM);
  const occ = await w.core.context.incidents.occurrences(incident!.id);
  assert.deepEqual(occ.map((o) => [o.channel, o.channelName]), [['C0STORAGE', '#storage'], ['C0STORAGE', '#storage'], ['C0KERNEL', '#kernel-oncall'], ['C0SECRET', null]]);
  assert.deepEqual(unexpected, []);
});
