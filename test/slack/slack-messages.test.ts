// Message events through the real Bolt HTTP receiver: pastes get exactly one reply in their thread,
// chat and edits get none, retries never double-reply, snippets are downloaded with the bot token.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import nock from 'nock';
import { FakeCore } from './fake-core.ts';
import {
  API_BASE, BOT_ID, BOT_TOKEN, BOT_USER, FILES_BASE, TEAM, eventBody, expectCall, isolateNetwork, mockSlackApi, slackEscape, startSlack,
  type Calls, type Running,
} from './slack-harness.ts';

const SEEDS = '/work/shared/seeds';
const seedFiles = readdirSync(SEEDS).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort();
const HUNG = [
  'INFO: task rmmod:31969 blocked for more than 120 seconds.',
  'Call Trace:',
  ' [<ffffffff81095a8e>] flush_workqueue+0x1be/0x4a0',
  ' [<ffffffffa0561f69>] cleanup_module+0x19/0x30 [bsnmod]',
  ' [<ffffffff810c44a6>] SyS_delete_module+0x196/0x2c0',
].join('\n');

let calls: Calls;
let unexpected: string[];
let run: Running | null = null;

beforeEach(() => {
  isolateNetwork();
  ({ calls, unexpected } = mockSlackApi());
});
afterEach(async () => {
  await run?.close();
  run = null;
  nock.cleanAll();
  nock.emitter.removeAllListeners('no match');
});

function message(extra: Record<string, unknown>): Record<string, unknown> {
  return { type: 'message', channel: 'C0STORAGE', channel_type: 'channel', user: 'U0ALICE', team: TEAM, ts: '1763900000.000100', client_msg_id: 'a1b2c3', ...extra };
}

for (const file of seedFiles) {
  test(`seed ${file} pasted top level: the core gets the text as typed, one reply in the paste's thread`, async () => {
    const seed = readFileSync(`${SEEDS}/${file}`, 'utf8');
    const core = new FakeCore();
    run = await startSlack(core);
    expectCall(calls, 'chat.postMessage', { ok: true, channel: 'C0STORAGE', ts: '1763900001.000200' });
    // The fake reply quotes the whole seed, so it overflows and the full report is uploaded to the thread.
    expectCall(calls, 'files.getUploadURLExternal', { ok: true, upload_url: `${FILES_BASE}/upload/v1/abc`, file_id: 'F0REPORT' });
    nock(FILES_BASE).post('/upload/v1/abc').reply(200, 'OK - 123');
    expectCall(calls, 'files.completeUploadExternal', { ok: true, files: [{ id: 'F0REPORT' }] });

    const res = await run.sendSigned(eventBody(message({ text: slackEscape(seed) })));
    assert.equal(res.status, 200);
    await run.adapter.idle();

    assert.equal(core.messages.length, 1);
    const msg = core.messages[0]!;
    assert.equal(msg.text, seed, 'Slack escaping undone: <IRQ>, &, > come back as typed');
    assert.deepEqual([msg.platform, msg.workspace, msg.channel, msg.thread, msg.messageId, msg.author], ['slack', TEAM, 'C0STORAGE', null, '1763900000.000100', 'U0ALICE']);
    const post = calls['chat.postMessage']!;
    assert.equal(post.length, 1);
    assert.equal(post[0]!.thread_ts, '1763900000.000100', 'reply in the thread of the paste');
    assert.equal(post[0]!.channel, 'C0STORAGE');
    const blocks = post[0]!.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ action_id: string; value: string }> }>;
    assert.ok(blocks.length <= 50);
    for (const b of blocks) if (b.type === 'section') assert.ok(b.text!.text.length <= 3000);
    assert.deepEqual(blocks.find((b) => b.type === 'actions')!.elements!.map((e) => `${e.action_id}=${e.value}`), ['lockdown_ack=LD-1', 'lockdown_resolve=LD-1', 'lockdown_reopen=LD-1', 'lockdown_mute=LD-1']);
    const done = calls['files.completeUploadExternal']![0]!;
    assert.equal(done.channel_id, 'C0STORAGE');
    assert.equal(done.thread_ts, '1763900000.000100');
    assert.deepEqual(unexpected, []);
  });
}

test('a paste inside a thread is answered in that thread (thread_ts of the thread, not the message ts)', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900009.000001' });
  await run.sendSigned(eventBody(message({ text: HUNG, ts: '1763900005.000300', thread_ts: '1763900000.000100' })));
  await run.adapter.idle();
  assert.equal(core.messages[0]!.thread, '1763900000.000100');
  assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900000.000100');
  assert.deepEqual(unexpected, []);
});

test('thread_broadcast is a user message; edits, deletions, joins, other bots and our own posts never reach the core', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  const skipped = [
    message({ subtype: 'message_changed', message: { text: HUNG }, ts: '1.1' }),
    message({ subtype: 'message_deleted', ts: '1.2' }),
    message({ subtype: 'channel_join', text: '<@U0ALICE> has joined', ts: '1.3' }),
    message({ subtype: 'bot_message', bot_id: 'B0OTHER', text: HUNG, ts: '1.4' }),
    message({ bot_id: 'B0OTHER', user: 'U0OTHERBOT', text: HUNG, ts: '1.5' }),
    message({ user: BOT_USER, bot_id: BOT_ID, text: HUNG, ts: '1.6' }),
  ];
  for (const ev of skipped) assert.equal((await run.sendSigned(eventBody(ev))).status, 200);
  await run.sendSigned(eventBody(message({ subtype: 'thread_broadcast', text: 'hi', ts: '1.7', thread_ts: '1.0' })));
  await run.adapter.idle();
  assert.deepEqual(core.messages.map((m) => m.messageId), ['1.7']);
  assert.deepEqual(calls, {});
  assert.deepEqual(unexpected, []);
});

test('ordinary chat reaches the core and gets no post', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  await run.sendSigned(eventBody(message({ text: 'anyone seen the storage box hang again? lunch at 12' })));
  await run.adapter.idle();
  assert.equal(core.messages.length, 1);
  assert.deepEqual(calls, {}, 'no Web API call at all');
  assert.deepEqual(unexpected, []);
});

test('Slack retries (X-Slack-Retry-Num) and the app_mention copy of a message carry the same eventId: one reply', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900001.000200' });
  const ev = message({ text: HUNG });
  const first = eventBody(ev, 'Ev0FIRST');
  assert.equal((await run.sendSigned(first)).status, 200);
  assert.equal((await run.sendSigned(first, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status, 200);
  assert.equal((await run.sendSigned(first, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' })).status, 200);
  await run.sendSigned(eventBody({ ...ev, type: 'app_mention', text: `<@${BOT_USER}> ${HUNG}` }, 'Ev0MENTION'));
  await run.adapter.idle();
  assert.equal(core.messages.length, 4);
  assert.equal(new Set(core.messages.map((m) => m.eventId)).size, 1);
  assert.equal(calls['chat.postMessage']!.length, 1);
  assert.deepEqual(unexpected, []);
});

test('a snippet (file_share) is downloaded from url_private_download with the bot token and analysed', async () => {
  const seed = readFileSync(`${SEEDS}/${seedFiles[2]}`, 'utf8');
  const core = new FakeCore({ reply: () => ({ text: 'LD-2', blocks: [{ type: 'text', text: 'analysed' }], ephemeral: false, incidentId: 'LD-2', reportUrl: null, fullMarkdown: null }) });
  run = await startSlack(core);
  const download = nock(FILES_BASE, { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } })
    .get('/files-pri/T0LOCK-F0SNIP/download/trace.txt')
    .reply(200, seed, { 'content-type': 'text/plain' });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900001.000200' });
  const file = { id: 'F0SNIP', name: 'trace.txt', title: 'trace', mimetype: 'text/plain', filetype: 'text', size: Buffer.byteLength(seed), mode: 'snippet', url_private: `${FILES_BASE}/files-pri/T0LOCK-F0SNIP/trace.txt`, url_private_download: `${FILES_BASE}/files-pri/T0LOCK-F0SNIP/download/trace.txt` };
  await run.sendSigned(eventBody(message({ subtype: 'file_share', text: '', files: [file] })));
  await run.adapter.idle();
  assert.ok(download.isDone());
  assert.deepEqual(core.messages[0]!.attachments.map((a) => [a.id, a.name, a.mimetype, a.size]), [['F0SNIP', 'trace.txt', 'text/plain', Buffer.byteLength(seed)]]);
  assert.equal(core.texts[0]!.includes(seed.trim().split('\n')[0]!), true);
  assert.equal(calls['chat.postMessage']![0]!.thread_ts, '1763900000.000100');
  assert.deepEqual(unexpected, []);
});

test('a file stub without URLs is resolved with files.info; the download stops at maxBytes + 1', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  const big = 'x'.repeat(200_000);
  expectCall(calls, 'files.info', { ok: true, file: { id: 'F0STUB', name: 'dmesg.txt', url_private_download: `${FILES_BASE}/files-pri/T0LOCK-F0STUB/download/dmesg.txt` } });
  nock(FILES_BASE, { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } }).get('/files-pri/T0LOCK-F0STUB/download/dmesg.txt').reply(200, big, { 'content-type': 'text/plain' });
  const captured: { attachments: Array<{ fetch(n: number): Promise<Uint8Array> }> } = { attachments: [] };
  core.handleMessage = async (msg) => {
    captured.attachments = msg.attachments;
    return { kind: 'ignored', reason: 'empty' };
  };
  await run.sendSigned(eventBody(message({ subtype: 'file_share', text: '', files: [{ id: 'F0STUB', file_access: 'check_file_info' }] })));
  await run.adapter.idle();
  const bytes = await captured.attachments[0]!.fetch(1000);
  assert.equal(bytes.byteLength, 1001, 'maxBytes + 1 so the core can tell it overflowed');
  assert.deepEqual(calls['files.info']!.map((c) => c.file), ['F0STUB']);
  assert.deepEqual(unexpected, []);
});

test('an HTML sign-in page instead of the file (missing files:read) is an LD_ATTACHMENT reply, not a trace', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  nock(FILES_BASE).get('/files-pri/T0LOCK-F0HTML/download/t.txt').reply(200, '<!DOCTYPE html><html>sign in</html>', { 'content-type': 'text/html; charset=utf-8' });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900001.000200' });
  await run.sendSigned(eventBody(message({ subtype: 'file_share', text: '', files: [{ id: 'F0HTML', name: 't.txt', mimetype: 'text/plain', size: 10, url_private_download: `${FILES_BASE}/files-pri/T0LOCK-F0HTML/download/t.txt` }] })));
  await run.adapter.idle();
  const sent = calls['chat.postMessage']![0]!;
  assert.match(String(sent.text), /files:read/);
  assert.equal(sent.thread_ts, '1763900000.000100');
  assert.equal(core.texts.length, 0, 'nothing analysed');
});

test('a large paste gets :mag: on the message while it is analysed', async () => {
  const core = new FakeCore({ reactAbove: 100 });
  run = await startSlack(core);
  expectCall(calls, 'reactions.add', { ok: true });
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '1763900001.000200' });
  await run.sendSigned(eventBody(message({ text: HUNG })));
  await run.adapter.idle();
  const r = calls['reactions.add']!;
  assert.equal(r.length, 1);
  assert.deepEqual([r[0]!.channel, r[0]!.timestamp, r[0]!.name], ['C0STORAGE', '1763900000.000100', 'mag']);
  assert.equal(calls['chat.postMessage']!.length, 1);
});

