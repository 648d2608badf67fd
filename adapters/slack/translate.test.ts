// Slack payload → core types: which messages are a person's new paste, and the keys that make
// re-deliveries idempotent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageEventId, parseActionId, skipReason, toAction, toCommand, toPlatformMessage } from './translate.ts';

const base = { type: 'message', channel: 'C1', user: 'U1', ts: '1.000100', text: 'x' };

test('only plain, file_share and thread_broadcast messages from people pass', () => {
  assert.equal(skipReason(base, 'UBOT', 'BBOT'), null);
  assert.equal(skipReason({ ...base, subtype: 'file_share' }, 'UBOT', 'BBOT'), null);
  assert.equal(skipReason({ ...base, subtype: 'thread_broadcast' }, 'UBOT', 'BBOT'), null);
  for (const subtype of ['message_changed', 'message_deleted', 'bot_message', 'channel_join', 'message_replied']) {
    assert.equal(skipReason({ ...base, subtype }, 'UBOT', 'BBOT'), 'subtype', subtype);
  }
  assert.equal(skipReason({ ...base, user: 'UBOT' }, 'UBOT', 'BBOT'), 'self');
  assert.equal(skipReason({ ...base, bot_id: 'BBOT' }, 'UBOT', 'BBOT'), 'self');
  assert.equal(skipReason({ ...base, bot_id: 'BOTHER' }, 'UBOT', 'BBOT'), 'bot');
  assert.equal(skipReason({ ...base, user: undefined }, 'UBOT', 'BBOT'), 'incomplete');
});

test('the eventId names the message: the same for a retry and for its app_mention copy, different for another message', () => {
  const a = toPlatformMessage({ team_id: 'T1', event_id: 'Ev1' }, base, []);
  const retry = toPlatformMessage({ team_id: 'T1', event_id: 'Ev1' }, base, []);
  const mention = toPlatformMessage({ team_id: 'T1', event_id: 'Ev2' }, { ...base, type: 'app_mention' }, []);
  const other = toPlatformMessage({ team_id: 'T1', event_id: 'Ev3' }, { ...base, ts: '1.000200' }, []);
  assert.equal(a.eventId, retry.eventId);
  assert.equal(a.eventId, mention.eventId);
  assert.notEqual(a.eventId, other.eventId);
  assert.equal(a.eventId, messageEventId('T1', base));
});

test('message text comes back as typed; thread is thread_ts or null', () => {
  const m = toPlatformMessage({ team_id: 'T1' }, { ...base, text: '&lt;IRQ&gt; a &amp;&amp; b &amp;lt;', thread_ts: '0.5' }, []);
  assert.equal(m.text, '<IRQ> a && b &lt;');
  assert.equal(m.thread, '0.5');
  assert.equal(toPlatformMessage({ team_id: 'T1' }, base, []).thread, null);
});

test('commands and actions: ids, names, unknown buttons ignored', () => {
  const c = toCommand({ team_id: 'T1', channel_id: 'C1', channel_name: 'storage', user_id: 'U1', user_name: 'al', text: '  resolve LD-4 fixed &amp; shipped ', trigger_id: 'tr1' });
  assert.deepEqual([c.text, c.channelName, c.eventId, c.thread], ['resolve LD-4 fixed & shipped', '#storage', 'slack-cmd:tr1', null]);
  assert.equal(toCommand({ team_id: 'T1', channel_id: 'D1', channel_name: 'directmessage', user_id: 'U1' }).channelName, null);
  assert.equal(parseActionId('lockdown_mute'), 'mute');
  assert.equal(parseActionId('lockdown_delete'), null);
  assert.equal(parseActionId('xlockdown_ack'), null);
  assert.equal(toAction({ team: { id: 'T1' } }, { action_id: 'lockdown_ack' }), null, 'no incident id, no action');
  const a = toAction({ team: { id: 'T1' }, user: { id: 'U2', username: 'bo' }, container: { channel_id: 'C9' }, trigger_id: 't' }, { action_id: 'lockdown_reopen', value: 'LD-3' });
  assert.deepEqual(a, { platform: 'slack', workspace: 'T1', channel: 'C9', author: 'U2', authorName: 'bo', action: 'reopen', incidentId: 'LD-3', eventId: 'slack-action:t', message: null });
  // A button on a channel message names that message, so the core does not update it a second time.
  const onMsg = toAction({ team: { id: 'T1' }, user: { id: 'U2' }, container: { type: 'message', channel_id: 'C9', message_ts: '17.1', is_ephemeral: false }, trigger_id: 'u' }, { action_id: 'lockdown_ack', value: 'LD-3' });
  assert.deepEqual(onMsg?.message, { channel: 'C9', messageId: '17.1' });
  const onEphemeral = toAction({ team: { id: 'T1' }, container: { type: 'message', channel_id: 'C9', message_ts: '17.2', is_ephemeral: true } }, { action_id: 'lockdown_ack', value: 'LD-3' });
  assert.equal(onEphemeral?.message, null);
  assert.equal(toAction({ team: { id: 'T1' }, container: { type: 'view' } }, { action_id: 'lockdown_ack', value: 'LD-3' })?.message, null);
});
