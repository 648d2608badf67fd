import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, parseIncidentId, parseUser, DEFAULT_MUTE_MS } from './parse-command.ts';
import { isLockdownError } from '../../config/errors.ts';

function usageErr(text: string): string {
  try {
    parseCommand(text);
  } catch (e) {
    assert.ok(isLockdownError(e, 'LD_USAGE'));
    return e.userMessage;
  }
  assert.fail(`expected a usage error for '${text}'`);
}

test('ids: LD-42, ld-42, 42 all mean LD-42; garbage is rejected', () => {
  assert.equal(parseIncidentId('LD-42'), 'LD-42');
  assert.equal(parseIncidentId('ld-42'), 'LD-42');
  assert.equal(parseIncidentId('42'), 'LD-42');
  assert.equal(parseIncidentId('LD-042'), 'LD-42');
  assert.equal(parseIncidentId('LX-42'), null);
  assert.equal(parseIncidentId('4 2'), null);
});

test('the whole grammar parses', () => {
  assert.deepEqual(parseCommand('list'), { kind: 'list', scope: 'open', channelOnly: false });
  assert.deepEqual(parseCommand('list all --channel'), { kind: 'list', scope: 'all', channelOnly: true });
  assert.deepEqual(parseCommand('show ld-3'), { kind: 'show', id: 'LD-3' });
  assert.deepEqual(parseCommand('ACK 3'), { kind: 'ack', id: 'LD-3' });
  assert.deepEqual(parseCommand('resolve LD-4 fixed in 5.10.3  by irqsave'), { kind: 'resolve', id: 'LD-4', note: 'fixed in 5.10.3  by irqsave' });
  assert.deepEqual(parseCommand('resolve LD-4'), { kind: 'resolve', id: 'LD-4', note: null });
  assert.deepEqual(parseCommand('reopen 4'), { kind: 'reopen', id: 'LD-4' });
  assert.deepEqual(parseCommand('dup LD-5 LD-4'), { kind: 'dup', id: 'LD-5', of: 'LD-4' });
  assert.deepEqual(parseCommand('dup 5 of 4'), { kind: 'dup', id: 'LD-5', of: 'LD-4' });
  assert.deepEqual(parseCommand('mute LD-5'), { kind: 'mute', id: 'LD-5', forMs: DEFAULT_MUTE_MS });
  assert.deepEqual(parseCommand('mute LD-5 for 2w'), { kind: 'mute', id: 'LD-5', forMs: 14 * 86_400_000 });
  assert.deepEqual(parseCommand('mute LD-5 12h'), { kind: 'mute', id: 'LD-5', forMs: 12 * 3_600_000 });
  assert.deepEqual(parseCommand('assign LD-5 <@U024BE7LH|alice>'), { kind: 'assign', id: 'LD-5', user: 'U024BE7LH' });
  assert.deepEqual(parseCommand('assign LD-5 <@!80351110224678912>'), { kind: 'assign', id: 'LD-5', user: '80351110224678912' });
  assert.deepEqual(parseCommand('digest'), { kind: 'digest', mode: 'preview' });
  assert.deepEqual(parseCommand('digest now'), { kind: 'digest', mode: 'now' });
  assert.deepEqual(parseCommand('cases'), { kind: 'cases' });
  assert.deepEqual(parseCommand(''), { kind: 'help' });
  assert.equal(parseUser('@bob.smith'), 'bob.smith');
});

test('analyze keeps the pasted text verbatim, newlines included', () => {
  const trace = 'INFO: task rmmod:31969 blocked for more than 120 seconds.\n Call Trace:\n  [<ffffffff8108f3cc>] flush_workqueue+0x11c/0x3a0';
  assert.deepEqual(parseCommand(`analyze ${trace}`), { kind: 'analyze', text: trace });
  assert.deepEqual(parseCommand('analyze'), { kind: 'analyze', text: '' });
});

test('mistakes give one line with usage and an example', () => {
  assert.match(usageErr('frobnicate 3'), /^Unknown command 'frobnicate'.*e\.g\. \/lockdown/);
  assert.match(usageErr('ack'), /^Missing incident id\. Usage: \/lockdown ack <id> \(e\.g\. \/lockdown ack LD-42\)$/);
  assert.match(usageErr('show banana'), /'banana' is not an incident id/);
  assert.match(usageErr('dup LD-4'), /Missing the incident it duplicates.*dup <id> <of-id>/);
  assert.match(usageErr('dup LD-4 LD-4'), /cannot duplicate itself/);
  assert.match(usageErr('mute LD-4 for ever'), /'ever' is not a duration/);
  assert.match(usageErr('mute LD-4 for 9999d'), /not a duration/);
  assert.match(usageErr('assign LD-4'), /Missing the user/);
  assert.match(usageErr('digest later'), /Unknown digest mode/);
  assert.match(usageErr('list closed'), /Unknown option 'closed'/);
  for (const t of ['ack', 'show banana', 'frobnicate']) assert.doesNotMatch(usageErr(t), /\n/);
});
