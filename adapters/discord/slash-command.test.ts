import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../bot/commands/parse-command.ts';
import { USAGE_LINES } from '../../bot/commands/usage.ts';
import { commandText, lockdownCommandDefinition } from './slash-command.ts';

// Discord rejects the whole bulk overwrite (400) if one name or description breaks its rules:
// names 1-32 lower-case word characters, descriptions 1-100, at most 25 options per level.
test('the /lockdown definition obeys Discord application-command rules', () => {
  const [cmd] = lockdownCommandDefinition() as Array<{ name: string; description: string; options: Array<{ name: string; description: string; options?: Array<{ name: string; description: string; required?: boolean }> }> }>;
  const check = (o: { name: string; description: string }) => {
    assert.match(o.name, /^[-_\p{Ll}\p{N}]{1,32}$/u, o.name);
    assert.ok(o.description.length >= 1 && o.description.length <= 100, `${o.name}: description length ${o.description.length}`);
  };
  check(cmd);
  assert.ok(cmd.options.length <= 25);
  for (const sub of cmd.options) {
    check(sub);
    const opts = sub.options ?? [];
    opts.forEach(check);
    // Required options must come before optional ones.
    const firstOptional = opts.findIndex((o) => !o.required);
    if (firstOptional >= 0) assert.ok(opts.slice(firstOptional).every((o) => !o.required), `${sub.name}: required after optional`);
  }
});

test('every subcommand of the core grammar is offered, and nothing else', () => {
  const [cmd] = lockdownCommandDefinition() as Array<{ options: Array<{ name: string }> }>;
  assert.deepEqual(cmd.options.map((o) => o.name).sort(), USAGE_LINES.map((u) => u.name).sort());
});

test('option values become text the core parser understands', () => {
  assert.deepEqual(parseCommand(commandText('mute', { id: 'LD-4', for: '12h' })), { kind: 'mute', id: 'LD-4', forMs: 12 * 3_600_000 });
  assert.deepEqual(parseCommand(commandText('mute', { id: 'LD-4' })), { kind: 'mute', id: 'LD-4', forMs: 7 * 86_400_000 });
  assert.deepEqual(parseCommand(commandText('dup', { id: 'LD-43', of: 'LD-42' })), { kind: 'dup', id: 'LD-43', of: 'LD-42' });
  assert.deepEqual(parseCommand(commandText('assign', { id: '42', user: '1045678901234567890' })), { kind: 'assign', id: 'LD-42', user: '1045678901234567890' });
  assert.deepEqual(parseCommand(commandText('resolve', { id: 'LD-4', note: 'fixed by the irqsave patch' })), { kind: 'resolve', id: 'LD-4', note: 'fixed by the irqsave patch' });
  assert.deepEqual(parseCommand(commandText('list', { scope: 'all', channel: true })), { kind: 'list', scope: 'all', channelOnly: true });
  assert.deepEqual(parseCommand(commandText('list', { channel: false })), { kind: 'list', scope: 'open', channelOnly: false });
  assert.deepEqual(parseCommand(commandText('digest', { mode: 'now' })), { kind: 'digest', mode: 'now' });
  assert.deepEqual(parseCommand(commandText('show', { id: 'LD-9' })), { kind: 'show', id: 'LD-9' });
  assert.deepEqual(parseCommand(commandText('cases', {})), { kind: 'cases' });
  assert.equal(commandText('analyze', { text: 'INFO: task rmmod:31969 blocked for more than 120 seconds.' }), 'analyze INFO: task rmmod:31969 blocked for more than 120 seconds.');
  assert.equal(commandText('analyze', {}), 'analyze');
});
