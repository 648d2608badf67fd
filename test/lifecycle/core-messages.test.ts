// The router and outbox through the in-process fake adapter on a SQLite file: chat is ignored, a
// trace is answered once in its thread, retries do not answer twice, limits give one short reply,
// status changes reach the original thread, and a crash between commit and reply is repaired once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeClock, RecordingPort, SEEDS, makeBot, message, sqliteStore, testConfig } from './harness.ts';
import type { Attachment, Command, ReplyBlock } from '../../bot/types.ts';

const seed000 = readFileSync(`${SEEDS}/000_f2b6f952a013b8da.txt`, 'utf8');
const hung = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\nCall Trace:\n [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0\n [<ffffffff81090e55>] flush_scheduled_work+0x15/0x20\n';

function cmd(text: string, over: Partial<Command> = {}): Command {
  return { platform: 'test', workspace: 'T1', channel: 'C1', channelName: 'storage', thread: null, author: 'U2', authorName: 'bob', text, eventId: `cmd-${Math.random()}`, attachments: [], ...over };
}

function contexts(blocks: ReplyBlock[]): string {
  return blocks.filter((b) => b.type === 'context').map((b) => (b as { text: string }).text).join('\n');
}

test('ordinary chat is ignored, a pasted trace is answered once in its thread', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const port = new RecordingPort();
  core.registerPort(port);

  assert.deepEqual(await core.handleMessage(message('morning all, coffee?')), { kind: 'ignored', reason: 'not-a-trace' });
  assert.deepEqual(await core.handleMessage(message('   ')), { kind: 'ignored', reason: 'empty' });

  const msg = message(seed000, { messageId: '1700.01' });
  const out = await core.handleMessage(msg);
  assert.equal(out.kind, 'replied');
  assert.equal(port.posts.length, 1);
  assert.equal(port.posts[0]!.target.messageId, '1700.01', 'replies to the pasted message');
  assert.ok(out.kind === 'replied' && out.incidentId && /^LD-\d+$/.test(out.incidentId));
  assert.ok(port.posts[0]!.reply.blocks.some((b) => b.type === 'actions'));

  // The platform delivers the same event again (Slack retry, Discord replay): no second reply.
  assert.deepEqual(await core.handleMessage(msg), { kind: 'duplicate' });
  assert.equal(port.posts.length, 1);
  assert.equal((await store.pendingDeliveries(new Date(Date.now() + 86_400_000).toISOString())).length, 0);
  await core.close();
  await store.close();
});

test('the same hang in another channel is recognised: seen N times since, last in #channel', async () => {
  const { store } = sqliteStore();
  const clock = new FakeClock('2026-11-02T09:00:00Z');
  const { core } = await makeBot({ store, clock });
  const port = new RecordingPort();
  core.registerPort(port);
  await core.handleMessage(message(hung, { channel: 'C1', channelName: 'storage' }));
  clock.set('2026-11-10T09:00:00Z');
  const second = await core.handleMessage(message(hung, { channel: 'C2', channelName: 'kernel-oncall' }));
  assert.equal(second.kind, 'replied');
  const first = port.posts[0]!.reply.incidentId;
  assert.equal(port.posts[1]!.reply.incidentId, first, 'one incident for one signature');
  assert.match(contexts(port.posts[1]!.reply.blocks), /seen 2 times since 2026-11-02, last in #storage/);
  await core.close();
  await store.close();
});

test('too large and binary pastes get one short reply and nothing is analysed', async () => {
  const { store } = sqliteStore();
  let analysed = 0;
  const { core } = await makeBot({ store, config: testConfig({ limits: { pasteBytes: 4096 } }), analyze: () => (analysed++, assert.fail('must not analyse')) });
  const port = new RecordingPort();
  core.registerPort(port);
  const big = message(hung + ' [<ffffffff81090e55>] x+0x15/0x20\n'.repeat(200));
  const r = await core.handleMessage(big);
  assert.equal(r.kind, 'rejected');
  assert.match(port.posts[0]!.reply.text, /too large to analyse.*limit is 0\.0 MiB/);
  assert.deepEqual(await core.handleMessage(big), { kind: 'duplicate' }, 'a retry does not repeat the rejection');

  const vmcore: Attachment = { id: 'F1', name: 'vmcore', size: 10, mimetype: 'application/octet-stream', fetch: async () => new Uint8Array([0x7f, 0x45, 0, 0, 1]) };
  const bin = await core.handleMessage(message('', { attachments: [vmcore] }));
  assert.equal(bin.kind, 'rejected');
  assert.match(port.posts[1]!.reply.text, /binary, not a text trace/);
  // A file that claims to be text (text/plain, trace.log) but holds NUL bytes: still the short reply.
  const fakeText: Attachment = { id: 'F4', name: 'trace.log', size: 5, mimetype: 'text/plain', fetch: async () => new Uint8Array([0x1f, 0x8b, 0, 0, 3]) };
  assert.equal((await core.handleMessage(message('', { attachments: [fakeText] }))).kind, 'rejected');
  assert.match(port.posts.at(-1)!.reply.text, /'trace\.log' is binary/);
  // Declared size over the limit: refused before downloading.
  const huge: Attachment = { id: 'F3', name: 'dmesg.txt', size: 10_000_000, mimetype: 'text/plain', fetch: async () => assert.fail('not fetched') };
  assert.equal((await core.handleMessage(message('', { attachments: [huge] }))).kind, 'rejected');
  assert.equal(analysed, 0);
  await core.close();
  await store.close();
});

test('a screenshot, a recording or a PDF shared without a trace gets no reply (busy channels)', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store, analyze: () => assert.fail('must not analyse') });
  const port = new RecordingPort();
  core.registerPort(port);
  const file = (name: string, mimetype: string | null): Attachment => ({ id: name, name, size: 10, mimetype, fetch: async () => assert.fail(`${name} must not be fetched`) });
  assert.deepEqual(await core.handleMessage(message('', { attachments: [file('Screenshot 2026-11-24.png', 'image/png')] })), { kind: 'ignored', reason: 'empty' });
  assert.deepEqual(await core.handleMessage(message('look at this hang', { attachments: [file('screen.mov', 'video/quicktime')] })), { kind: 'ignored', reason: 'not-a-trace' });
  assert.deepEqual(await core.handleMessage(message('', { attachments: [file('voice.m4a', 'audio/mp4'), file('clip.webm', null)] })), { kind: 'ignored', reason: 'empty' });
  assert.deepEqual(await core.handleMessage(message('design doc', { attachments: [file('design.pdf', 'application/pdf')] })), { kind: 'ignored', reason: 'not-a-trace' });
  assert.equal(port.posts.length, 0, 'nothing posted');
  await core.close();
  await store.close();
});

test('a trace pasted beside a screenshot is analysed from the text; the image is not fetched', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const port = new RecordingPort();
  core.registerPort(port);
  const shot: Attachment = { id: 'F9', name: 'console.jpg', size: 2_000_000, mimetype: 'image/jpeg', fetch: async () => assert.fail('not fetched') };
  const out = await core.handleMessage(message(hung, { attachments: [shot] }));
  assert.equal(out.kind, 'replied');
  assert.equal(port.posts.length, 1);
  assert.ok(port.posts[0]!.reply.incidentId);
  await core.close();
  await store.close();
});

test('the channel name is looked up only for a paste; a failing lookup leaves it unknown and the reply goes out', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const port = new RecordingPort();
  core.registerPort(port);
  const asked: string[] = [];
  const resolver = (name: string | Error) => async () => {
    asked.push(String(name));
    if (name instanceof Error) throw name;
    return name;
  };
  await core.handleMessage(message('anyone seen the CI box?', { channelName: null, resolveChannelName: resolver('#chat') }));
  assert.deepEqual(asked, [], 'no lookup for ordinary chat');
  const first = await core.handleMessage(message(hung, { channel: 'C7', channelName: null, resolveChannelName: resolver('#storage') }));
  assert.equal(first.kind, 'replied');
  const second = await core.handleMessage(message(hung, { channel: 'C8', channelName: null, resolveChannelName: resolver(new Error('missing_scope')) }));
  assert.equal(second.kind, 'replied');
  assert.match(contexts(port.posts[1]!.reply.blocks), /seen 2 times since [0-9-]+, last in #storage/);
  const occ = await core.context.incidents.occurrences(port.posts[0]!.reply.incidentId!);
  assert.deepEqual(occ.map((o) => o.channelName), ['#storage', null]);
  await core.close();
  await store.close();
});

test('a text attachment (Discord message.txt, Slack snippet) is fetched within the limit and analysed', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const port = new RecordingPort();
  core.registerPort(port);
  let asked = 0;
  const file: Attachment = { id: 'A1', name: 'message.txt', size: null, mimetype: 'text/plain; charset=utf-8', fetch: async (max) => ((asked = max), new TextEncoder().encode(seed000)) };
  const out = await core.handleMessage(message('here is the trace', { attachments: [file] }));
  assert.equal(out.kind, 'replied');
  assert.ok(asked > 0 && asked <= 16 * 1024 * 1024);
  await core.close();
  await store.close();
});

test('commands and buttons change the status; the original thread gets a notice and the reply is updated', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const port = new RecordingPort();
  core.registerPort(port);
  const out = await core.handleMessage(message(hung, { messageId: '1700.5' }));
  assert.equal(out.kind, 'replied');
  const id = out.kind === 'replied' ? out.incidentId! : '';

  const list = await core.handleCommand(cmd('list'));
  assert.equal(list.ephemeral, true);
  assert.ok(list.blocks.some((b) => b.type === 'text' && b.text.includes(id)));

  const ack = await core.handleCommand(cmd(`ack ${id.toLowerCase()}`));
  assert.match(ack.text, new RegExp(`${id} acknowledged by bob`));
  const notice = port.posts.at(-1)!;
  assert.equal(notice.target.thread, '1700.5', 'notice goes into the original thread');
  assert.match(notice.reply.text, /acknowledged by bob/);
  assert.equal(port.updates.length, 1);
  const buttons = port.updates[0]!.reply.blocks.find((b) => b.type === 'actions');
  assert.deepEqual(buttons && buttons.type === 'actions' ? buttons.actions.map((a) => a.id) : [], ['resolve', 'mute'], 'no Acknowledge button any more');

  const action = await core.handleAction({ platform: 'test', workspace: 'T1', channel: 'C1', author: 'U3', authorName: 'carol', action: 'resolve', incidentId: id, eventId: 'b1' });
  assert.equal(action.incident?.status, 'resolved');
  assert.match(action.notice!, /resolved/);
  assert.match(port.posts.at(-1)!.reply.text, new RegExp(`${id} resolved by carol`));

  const show = await core.handleCommand(cmd(`show ${id}`));
  assert.equal(show.ephemeral, true);
  assert.match(JSON.stringify(show.blocks), /status:resolved|resolved/);

  const bad = await core.handleCommand(cmd('ack LD-999'));
  assert.equal(bad.ephemeral, true);
  assert.doesNotMatch(bad.text, /\n/);
  const usage = await core.handleCommand(cmd('resolve'));
  assert.match(usage.text, /Usage: \/lockdown resolve <id> \[note\]/);

  // Seen again after resolve: a regression, said so in the reply.
  const again = await core.handleMessage(message(hung, { channel: 'C9', channelName: 'infra' }));
  assert.equal(again.kind, 'replied');
  assert.match(contexts(port.posts.at(-1)!.reply.blocks), /Regression/);
  assert.equal((await core.context.incidents.require(id)).status, 'open');
  await core.close();
  await store.close();
});

test('/lockdown analyze answers in channel and records the occurrence; not-a-trace is an ephemeral line', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store });
  const r = await core.handleCommand(cmd(`analyze ${hung}`));
  assert.equal(r.ephemeral, false);
  assert.ok(r.incidentId);
  assert.equal((await core.context.incidents.occurrences(r.incidentId!)).length, 1);
  const n = await core.handleCommand(cmd('analyze hello world'));
  assert.equal(n.ephemeral, true);
  assert.match(n.text, /does not look like a kernel trace/);
  const empty = await core.handleCommand(cmd('analyze'));
  assert.match(empty.text, /^Nothing to analyse\. Usage/);
  await core.close();
  await store.close();
});

test('a platform failure keeps the reply in the outbox; it is retried with backoff and posted once', async () => {
  const { store } = sqliteStore();
  const clock = new FakeClock();
  const { core } = await makeBot({ store, clock });
  const port = new RecordingPort();
  port.mode = 'throw';
  core.registerPort(port);
  const out = await core.handleMessage(message(hung));
  assert.equal(out.kind, 'replied');
  assert.equal(out.kind === 'replied' ? out.posted : 'x', null);
  const [d] = await store.pendingDeliveries(new Date(clock.t + 3_600_000).toISOString());
  assert.equal(d!.attempts, 1);
  assert.match(d!.lastError ?? '', /LD_PLATFORM/);
  assert.deepEqual(await core.drainOutbox(), { delivered: 0, failed: 0 }, 'not due yet (backoff)');
  port.mode = 'ok';
  clock.advance(10_000);
  assert.deepEqual(await core.drainOutbox(), { delivered: 1, failed: 0 });
  assert.deepEqual(await core.drainOutbox(), { delivered: 0, failed: 0 });
  assert.equal(port.posts.length, 1);
  await core.close();
  await store.close();
});

test('a large paste is acknowledged with :mag: and analysed in a worker thread, then answered', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store, config: testConfig({ limits: { asyncAnalysisBytes: 2048 } }), analyze: () => assert.fail('large pastes are not analysed on the main thread') });
  const port = new RecordingPort();
  core.registerPort(port);
  const out = await core.handleMessage(message(seed000 + '\n'.repeat(10)));
  assert.equal(out.kind, 'replied');
  assert.deepEqual(port.reactions.map((r) => r.emoji), ['mag']);
  assert.equal(port.posts.length, 1);
  assert.ok(port.posts[0]!.reply.incidentId);
  await core.close();
  await store.close();
});

test('digest preview/now, cases, home and permissions through commands', async () => {
  const { store } = sqliteStore();
  const { core } = await makeBot({ store, config: testConfig({ permissions: { resolve: ['U-LEAD'] } }) });
  const port = new RecordingPort();
  core.registerPort(port);
  const empty = await core.handleCommand(cmd('digest preview'));
  assert.match(empty.text, /would be empty/);
  const out = await core.handleMessage(message(hung));
  const id = out.kind === 'replied' ? out.incidentId! : '';
  const preview = await core.handleCommand(cmd('digest'));
  assert.equal(preview.ephemeral, true);
  assert.match(JSON.stringify(preview.blocks), new RegExp(`${id}.*no owner`));
  assert.equal((await core.handleCommand(cmd('digest now'))).ephemeral, false);

  const denied = await core.handleCommand(cmd(`resolve ${id} done`, { author: 'U2' }));
  assert.equal(denied.ephemeral, true);
  assert.equal((await core.context.incidents.require(id)).status, 'open', 'not resolved by someone without permission');
  const allowed = await core.handleCommand(cmd(`resolve ${id} done`, { author: 'U-LEAD', authorName: 'lead' }));
  assert.match(allowed.text, /resolved by lead/);

  const home = await core.home('T1');
  assert.doesNotMatch(JSON.stringify(home.blocks), new RegExp(`${id}\\*`), 'resolved incidents are not on the home tab');
  assert.match(home.blocks[0]!.type === 'header' ? home.blocks[0]!.text : '', /Open incidents \(0\)/);
  assert.match((await core.handleCommand(cmd('cases'))).text, /No documented cases|documented cases/);
  assert.match((await core.handleCommand(cmd('frobnicate'))).text, /^Unknown command 'frobnicate'/);
  await core.close();
  await store.close();
});
