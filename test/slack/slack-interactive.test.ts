// /lockdown, buttons and App Home through the real Bolt receiver: the ack goes out before the core
// works, the answer arrives through response_url, buttons update the message and notify the presser.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import { FakeCore } from './fake-core.ts';
import {
  HOOKS_BASE, TEAM, decodeBody, eventBody, expectCall, formBody, isolateNetwork, mockSlackApi, startSlack,
  type Calls, type Running,
} from './slack-harness.ts';

const FORM = 'application/x-www-form-urlencoded';
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

function slash(text: string, trigger = 'tr.cmd.1'): string {
  return formBody({
    token: 'unused', team_id: TEAM, team_domain: 'lockdown', channel_id: 'C0STORAGE', channel_name: 'storage', user_id: 'U0ALICE', user_name: 'alice',
    command: '/lockdown', text, api_app_id: 'A0LOCK', response_url: `${HOOKS_BASE}/commands/${TEAM}/1/abc`, trigger_id: trigger,
  });
}

function captureResponseUrl(bodies: Array<Record<string, unknown>>, status = 200): nock.Scope {
  return nock(HOOKS_BASE).post(`/commands/${TEAM}/1/abc`, (b: unknown) => {
    bodies.push(decodeBody(b));
    return true;
  }).reply(status, status === 200 ? 'ok' : 'expired_url');
}

test('/lockdown is acked (HTTP 200) while the core is still working; the answer follows through response_url', async () => {
  const core = new FakeCore();
  let open!: () => void;
  core.commandGate = new Promise<void>((r) => {
    open = r;
  });
  run = await startSlack(core);
  const bodies: Array<Record<string, unknown>> = [];
  captureResponseUrl(bodies);

  const res = await run.sendSigned(slash('analyze INFO: task rmmod:31969 blocked for more than 120 seconds.'), {}, FORM);
  assert.equal(res.status, 200);
  assert.equal(res.text, '', 'a bare ack, no content');
  assert.equal(core.commandDone, false, 'Slack got its ack before the core answered');
  assert.equal(bodies.length, 0);

  open();
  await run.adapter.idle();
  assert.equal(core.commandDone, true);
  assert.deepEqual(core.commands.map((c) => [c.platform, c.workspace, c.channel, c.channelName, c.author, c.authorName, c.text, c.eventId]),
    [['slack', TEAM, 'C0STORAGE', '#storage', 'U0ALICE', 'alice', 'analyze INFO: task rmmod:31969 blocked for more than 120 seconds.', 'slack-cmd:tr.cmd.1']]);
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0]!.response_type, 'in_channel');
  const blocks = bodies[0]!.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>;
  assert.equal(blocks[0]!.type, 'header');
  assert.deepEqual(blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id), ['lockdown_ack', 'lockdown_resolve', 'lockdown_reopen', 'lockdown_mute']);
  assert.deepEqual(unexpected, []);
});

test('an ephemeral reply (list) is answered ephemeral', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  const bodies: Array<Record<string, unknown>> = [];
  captureResponseUrl(bodies);
  await run.sendSigned(slash('list'), {}, FORM);
  await run.adapter.idle();
  assert.equal(bodies[0]!.response_type, 'ephemeral');
  assert.match(String(bodies[0]!.text), /LD-1 open/);
});

test('an expired response_url: an in-channel answer is posted with chat.postMessage instead', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  const bodies: Array<Record<string, unknown>> = [];
  captureResponseUrl(bodies, 404);
  expectCall(calls, 'chat.postMessage', { ok: true, ts: '5' });
  await run.sendSigned(slash('analyze x'), {}, FORM);
  await run.adapter.idle();
  assert.equal(calls['chat.postMessage']!.length, 1);
  assert.equal(calls['chat.postMessage']![0]!.channel, 'C0STORAGE');
});

function blockAction(actionId: string, container: Record<string, unknown>): string {
  return formBody({
    payload: JSON.stringify({
      type: 'block_actions', api_app_id: 'A0LOCK', token: 'unused', trigger_id: 'tr.act.1',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: TEAM }, team: { id: TEAM, domain: 'lockdown' },
      container, channel: container.channel_id ? { id: container.channel_id, name: 'storage' } : undefined,
      message: container.type === 'message' ? { type: 'message', ts: container.message_ts, thread_ts: container.thread_ts, text: 'LD-1', bot_id: 'B0BOT' } : undefined,
      response_url: `${HOOKS_BASE}/actions/${TEAM}/2/def`,
      actions: [{ action_id: actionId, block_id: 'b1', value: 'LD-1', type: 'button', text: { type: 'plain_text', text: 'Resolve' }, action_ts: '1763900100.000001' }],
    }),
  });
}

test('Resolve on a reply: core.handleAction, chat.update of that message, ephemeral notice in its thread', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  expectCall(calls, 'chat.update', { ok: true, ts: '1763900001.000200' });
  expectCall(calls, 'chat.postEphemeral', { ok: true, message_ts: '9' });
  const res = await run.sendSigned(blockAction('lockdown_resolve', { type: 'message', message_ts: '1763900001.000200', channel_id: 'C0STORAGE', is_ephemeral: false, thread_ts: '1763900000.000100' }), {}, FORM);
  assert.equal(res.status, 200);
  await run.adapter.idle();
  assert.deepEqual(core.actions.map((a) => [a.platform, a.workspace, a.channel, a.author, a.authorName, a.action, a.incidentId]), [['slack', TEAM, 'C0STORAGE', 'U0BOB', 'bob', 'resolve', 'LD-1']]);
  const upd = calls['chat.update']![0]!;
  assert.deepEqual([upd.channel, upd.ts], ['C0STORAGE', '1763900001.000200']);
  const blocks = upd.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ action_id: string; value: string }> }>;
  assert.equal(blocks[0]!.text!.text, 'LD-1 resolved');
  assert.deepEqual(blocks[1]!.elements!.map((e) => `${e.action_id}=${e.value}`), ['lockdown_reopen=LD-1']);
  const note = calls['chat.postEphemeral']![0]!;
  assert.deepEqual([note.channel, note.user, note.thread_ts], ['C0STORAGE', 'U0BOB', '1763900000.000100']);
  assert.match(String(note.text), /LD-1: resolve by/);
  assert.deepEqual(unexpected, []);
});

test('a button on an ephemeral message is replaced through response_url (chat.update cannot touch it)', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  const bodies: Array<Record<string, unknown>> = [];
  nock(HOOKS_BASE).post(`/actions/${TEAM}/2/def`, (b: unknown) => {
    bodies.push(decodeBody(b));
    return true;
  }).reply(200, 'ok');
  expectCall(calls, 'chat.postEphemeral', { ok: true });
  await run.sendSigned(blockAction('lockdown_ack', { type: 'message', message_ts: '1763900001.000200', channel_id: 'C0STORAGE', is_ephemeral: true }), {}, FORM);
  await run.adapter.idle();
  assert.equal(bodies[0]!.replace_original, true);
  assert.equal(core.actions[0]!.action, 'ack');
  assert.equal(calls['chat.update'], undefined);
});

test('App Home: app_home_opened publishes the open incidents (at most 100 blocks); a button there re-publishes', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  expectCall(calls, 'views.publish', { ok: true }, 2);
  await run.sendSigned(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home', event_ts: '1763900000.1' }));
  await run.adapter.idle();
  assert.deepEqual(core.homes, [TEAM]);
  const pub = calls['views.publish']![0]!;
  assert.equal(pub.user_id, 'U0ALICE');
  const view = pub.view as { type: string; blocks: Array<{ type: string; elements?: Array<{ text?: string; value?: string }> }> };
  assert.equal(view.type, 'home');
  assert.equal(view.blocks.length, 100);
  assert.match(String(view.blocks[99]!.elements![0]!.text), /Shortened for Slack/);
  assert.equal(view.blocks.filter((b) => b.type === 'actions').length, 49);

  await run.sendSigned(blockAction('lockdown_ack', { type: 'view', view_id: 'V1' }), {}, FORM);
  await run.adapter.idle();
  assert.equal(core.actions[0]!.action, 'ack');
  assert.equal(calls['views.publish']!.length, 2);
  assert.equal(calls['views.publish']![1]!.user_id, 'U0BOB');
  assert.deepEqual(unexpected, []);
});

test('the messages tab of App Home is not a Home publish', async () => {
  const core = new FakeCore();
  run = await startSlack(core);
  await run.sendSigned(eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'messages', event_ts: '1' }));
  await run.adapter.idle();
  assert.deepEqual(core.homes, []);
  assert.deepEqual(calls, {});
});
