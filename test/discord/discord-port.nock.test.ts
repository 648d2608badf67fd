// The PlatformPort on Discord REST (nock 14 intercepting fetch): inline replies, in-thread replies,
// edits, overflow as follow-ups and as an uploaded .md, a retried post finding its thread, refusals.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { REST } from 'discord.js';
import { createDiscordPort } from '../../adapters/discord/discord-port.ts';
import { isLockdownError } from '../../config/errors.ts';
import type { Reply } from '../../bot/types.ts';
import type { ReplyTarget } from '../../bot/ports.ts';
import { FakeDiscordRest } from './fake-rest.ts';
import { CHANNEL_ID, GUILD_ID, THREAD_ID } from './gateway-payloads.ts';
import { assertWithinDiscordLimits } from './discord-limits.ts';

const BASE = 'http://discord-port.test';
const PASTE = '1150000000000000001';

function reply(overrides: Partial<Reply> = {}): Reply {
  return {
    text: 'LD-9 Hard lockup: CPU18 spins on a ticket spinlock whose owner ran past next',
    blocks: [
      { type: 'header', text: 'Hard lockup: mpt2sas completion lock can never be granted' },
      { type: 'fields', fields: [{ label: 'Suspect lock', value: 'spinlock `ffff881054610960` (slock = 65537)' }] },
      { type: 'actions', incidentId: 'LD-9', actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }] },
    ],
    ephemeral: false,
    incidentId: 'LD-9',
    reportUrl: 'https://lockdown.example/r/LD-9',
    fullMarkdown: '# Hard lockup\n\nThe whole report.',
    ...overrides,
  };
}

const target = (t: Partial<ReplyTarget> = {}): ReplyTarget => ({ platform: 'discord', workspace: GUILD_ID, channel: CHANNEL_ID, thread: null, messageId: PASTE, ...t });

describe('Discord PlatformPort over REST (nock)', () => {
  const fake = new FakeDiscordRest();
  const rest = new REST({ api: `${BASE}/api`, makeRequest: ((url: string, init: RequestInit) => fetch(url, init)) as never, retries: 0 }).setToken('port-token');

  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    fake.mountNock(BASE);
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  test('replyInline: no thread, the reply references the paste (message_reference)', async () => {
    const port = createDiscordPort(rest, { replyInline: true });
    const before = fake.calls.length;
    const ref = await port.post(target(), reply());
    const calls = fake.calls.slice(before);
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [`POST /channels/${CHANNEL_ID}/messages`]);
    assert.deepEqual(calls[0].body.message_reference, { message_id: PASTE, fail_if_not_exists: false });
    assert.equal(calls[0].body.embeds[0].url, 'https://lockdown.example/r/LD-9');
    assert.equal(calls[0].auth, 'Bot port-token');
    assert.deepEqual({ ...ref, messageId: typeof ref.messageId }, { platform: 'discord', channel: CHANNEL_ID, thread: null, messageId: 'string' });
  });

  test('default: a thread on the paste, the reply inside it, PostedRef.thread = the thread id', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    const ref = await port.post(target(), reply());
    assert.equal(ref.thread, PASTE, 'a thread started on a message has the message id');
    const [post] = fake.find('POST', new RegExp(`^/channels/${PASTE}/messages$`));
    assert.equal(post.body.message_reference, undefined);
    assert.equal(ref.messageId, post.response.id, 'the ref names the message Discord created');
  });

  test('a retried post whose thread already exists (Discord 160004) carries on in that thread', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    fake.threadExists = true;
    try {
      const paste = '1150000000000000077';
      const ref = await port.post(target({ messageId: paste }), reply());
      assert.equal(ref.thread, paste);
      assert.equal(fake.find('POST', new RegExp(`^/channels/${paste}/messages$`)).length, 1);
    } finally {
      fake.threadExists = false;
    }
  });

  test('no permission to start threads in the channel: the reply goes inline instead of nowhere', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    const channel = '1150000000000000500';
    fake.noThreadChannels.add(channel);
    const ref = await port.post(target({ channel, messageId: '1150000000000000501' }), reply());
    assert.equal(ref.thread, null);
    const [post] = fake.find('POST', new RegExp(`^/channels/${channel}/messages$`));
    assert.deepEqual(post.body.message_reference, { message_id: '1150000000000000501', fail_if_not_exists: false });
  });

  test('a status notice for an inline reply (thread = root message id, no such thread) answers the message in its channel', async () => {
    const port = createDiscordPort(rest, { replyInline: true });
    const root = '1150000000000000600';
    fake.unknownChannels.add(root);
    const ref = await port.post(target({ thread: root, messageId: root }), reply({ blocks: [{ type: 'text', text: 'LD-9 resolved by alice' }] }));
    assert.equal(ref.thread, null);
    const [tried] = fake.find('POST', new RegExp(`^/channels/${root}/messages$`));
    assert.equal(tried.status, 404);
    const [post] = fake.find('POST', new RegExp(`^/channels/${CHANNEL_ID}/messages$`)).filter((c) => c.body.message_reference?.message_id === root);
    assert.ok(post, 'posted in the channel as a reply to the root message');
  });

  test('a status notice into a thread started on the paste (thread = root id) lands in that thread', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    const root = '1150000000000000700';
    const ref = await port.post(target({ thread: root, messageId: root }), reply({ blocks: [{ type: 'text', text: 'LD-9 acknowledged' }] }));
    assert.equal(ref.thread, root);
    assert.equal(fake.find('POST', new RegExp(`^/channels/${root}/messages$`)).length, 1);
  });

  test('a digest (no thread, no message) is a plain channel post', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    const before = fake.calls.length;
    const ref = await port.post(target({ messageId: null }), reply({ blocks: [{ type: 'header', text: 'Weekly digest' }] }));
    assert.deepEqual(fake.calls.slice(before).map((c) => `${c.method} ${c.path}`), [`POST /channels/${CHANNEL_ID}/messages`]);
    assert.equal(ref.thread, null);
  });

  test('an in-thread target posts in the thread with a reference to the paste there', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    const ref = await port.post(target({ thread: THREAD_ID, messageId: '1150000000000000099' }), reply());
    assert.equal(ref.thread, THREAD_ID);
    const posts = fake.find('POST', new RegExp(`^/channels/${THREAD_ID}/messages$`));
    assert.equal(posts.at(-1)?.body.message_reference.message_id, '1150000000000000099');
  });

  test('update edits the message in its thread and clears an old report attachment', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    await port.update({ platform: 'discord', channel: CHANNEL_ID, thread: THREAD_ID, messageId: '1150000000000000100' }, reply({ text: 'LD-9 acknowledged' }));
    const [edit] = fake.find('PATCH', /^\/channels\/\d+\/messages\/1150000000000000100$/);
    assert.equal(edit.path, `/channels/${THREAD_ID}/messages/1150000000000000100`);
    assert.equal(edit.body.content, 'LD-9 acknowledged');
    assert.deepEqual(edit.body.attachments, []);
    assert.equal(edit.body.components[0].components[0].custom_id, 'lockdown:ack:LD-9');
    assertWithinDiscordLimits(edit.body);
  });

  test('a reply too large for one message: follow-ups within limits, buttons on the first', async () => {
    const port = createDiscordPort(rest, { replyInline: true });
    const items = Array.from({ length: 60 }, (_, k) => `CPU ${k}: native_queued_spin_lock_slowpath on ffff92adc0fc6400 (RDI), waiting for the owner to release it`);
    const before = fake.calls.length;
    await port.post(target(), reply({ blocks: [{ type: 'header', text: 'Soft lockup' }, { type: 'list', title: 'CPUs', items }, { type: 'list', title: 'Again', items }, { type: 'actions', incidentId: 'LD-9', actions: [{ id: 'resolve', label: 'Resolve' }] }] }));
    const posts = fake.calls.slice(before).filter((c) => c.method === 'POST');
    assert.ok(posts.length >= 2);
    posts.forEach((p, k) => assertWithinDiscordLimits(p.body, `post ${k}`));
    assert.ok(posts[0].body.message_reference);
    assert.equal(posts[1].body.message_reference, undefined);
    assert.equal(posts[0].body.components.length, 1);
    assert.deepEqual(posts[1].body.components, []);
  });

  test('a reply beyond three messages uploads the full report as a .md file (multipart)', async () => {
    const port = createDiscordPort(rest, { replyInline: true });
    const items = Array.from({ length: 400 }, (_, k) => `task ${k}: ${'rwsem_down_read_failed ← down_read ← ffs_get_user_page '.repeat(2)}`);
    const before = fake.calls.length;
    await port.post(target(), reply({ blocks: [{ type: 'list', title: 'Tasks', items }] }));
    const posts = fake.calls.slice(before);
    assert.equal(posts.length, 3);
    const last = posts[2];
    assert.deepEqual(last.files, [{ name: 'lockdown-LD-9.md', data: '# Hard lockup\n\nThe whole report.' }]);
    assert.deepEqual(last.body.attachments, [{ id: 0, filename: 'lockdown-LD-9.md' }]);
    assert.match(last.body.content, /attached as lockdown-LD-9\.md/);
  });

  test('react: the core\'s "mag" becomes 🔍 on the paste (PUT own reaction)', async () => {
    const port = createDiscordPort(rest, { replyInline: false });
    await port.react?.(target({ thread: THREAD_ID, messageId: '1150000000000000200' }), 'mag');
    const [put] = fake.find('PUT', /\/reactions\//);
    assert.equal(put.path, `/channels/${THREAD_ID}/messages/1150000000000000200/reactions/🔍/@me`);
  });

  test('Discord refusing the post surfaces as LockdownError LD_PLATFORM with the status, never the token', async () => {
    const port = createDiscordPort(rest, { replyInline: true });
    fake.refusedChannels.add('1150000000000000403');
    await assert.rejects(port.post(target({ channel: '1150000000000000403' }), reply()), (e) => {
      assert.ok(isLockdownError(e, 'LD_PLATFORM'));
      assert.deepEqual(e.details, { status: 403, code: 50013 });
      assert.doesNotMatch(e.message, /port-token/);
      return true;
    });
  });
});
