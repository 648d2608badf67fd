import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Reply, ReplyBlock } from '../../bot/types.ts';
import { renderDiscordReply, splitText } from './embeds.ts';
import { decodeCustomId, encodeCustomId } from './custom-id.ts';
import { toDiscordMarkdown } from './markdown.ts';
import { assertWithinDiscordLimits, visibleText } from '../../test/discord/discord-limits.ts';

function reply(blocks: ReplyBlock[], extra: Partial<Reply> = {}): Reply {
  return { text: 'LD-4 Hung task: rmmod waits on flush_workqueue', blocks, ephemeral: false, incidentId: 'LD-4', reportUrl: null, fullMarkdown: '# full report\n', ...extra };
}

// The shape the core renders for case 000 (module unload flushes a workqueue whose worker deadlocked on itself).
const case000: ReplyBlock[] = [
  { type: 'header', text: 'Hung task: rmmod blocked in flush_workqueue' },
  { type: 'text', text: 'The kworker holds the ww_mutex it is waiting for: *self-deadlock*.' },
  { type: 'context', text: '*LD-4* · open · first time seen' },
  {
    type: 'chain',
    title: 'Blocking chain',
    cycle: false,
    links: [
      { task: 'rmmod:31969', waitsOn: 'workqueue flush (flush_scheduled_work)', primitive: 'flush_workqueue', lock: null, heldBy: 'kworker/1:2:4790' },
      { task: 'kworker/1:2:4790', waitsOn: 'mutex ffff880035acf1e0', primitive: 'mutex', lock: 'ffff880035acf1e0', heldBy: 'kworker/1:2:4790' },
    ],
  },
  { type: 'fields', fields: [{ label: 'Suspect lock', value: 'mutex `ffff880035acf1e0`' }, { label: 'Holder', value: 'kworker/1:2:4790' }] },
  { type: 'list', title: 'Checklist', ordered: true, items: ['Find the D-state kworker the flush waits on', 'Compare the mutex owner with the waiter'] },
  { type: 'actions', incidentId: 'LD-4', actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }, { id: 'resolve', label: 'Resolve' }, { id: 'mute', label: 'Mute 7d', style: 'danger' }] },
];

test('a case-000 reply becomes one message: title, chain with the holder, lock field, checklist, buttons', () => {
  const [p, ...rest] = renderDiscordReply(reply(case000));
  assert.equal(rest.length, 0);
  assertWithinDiscordLimits(p);
  assert.equal(p.content, 'LD-4 Hung task: rmmod waits on flush_workqueue');
  assert.equal(p.embeds[0].title, 'Hung task: rmmod blocked in flush_workqueue');
  assert.match(p.embeds[0].description ?? '', /\*\*self-deadlock\*\*/);
  assert.match(p.embeds[0].description ?? '', /\n\n\*\*LD-4\*\* · open · first time seen/);
  const fields = p.embeds.flatMap((e) => e.fields ?? []);
  const chain = fields.find((f) => f.name === 'Blocking chain');
  assert.ok(chain);
  assert.match(chain.value, /2\. `kworker\/1:2:4790` waits on mutex ffff880035acf1e0, held by `kworker\/1:2:4790`/);
  assert.doesNotMatch(chain.value, /↺/, 'no cycle claimed when the finding has none');
  assert.deepEqual(fields.find((f) => f.name === 'Suspect lock'), { name: 'Suspect lock', value: 'mutex `ffff880035acf1e0`', inline: true });
  assert.match(fields.find((f) => f.name === 'Checklist')?.value ?? '', /^1\. Find the D-state kworker/);
  assert.deepEqual(p.components[0].components.map((b) => [b.custom_id, b.style]), [['lockdown:ack:LD-4', 1], ['lockdown:resolve:LD-4', 2], ['lockdown:mute:LD-4', 4]]);
  assert.equal(p.files.length, 0);
  assert.deepEqual(p.allowed_mentions, { parse: [] });
});

test('a cycle is said out loud (case 003: mmap_sem reader → dataio_srv → queued writer → reader)', () => {
  const blocks: ReplyBlock[] = [{
    type: 'chain', title: 'Blocking chain', cycle: true, links: [
      { task: 'java:22134', waitsOn: 'data from dataio_srv', primitive: 'completion', lock: null, heldBy: 'dataio_srv/1' },
      { task: 'dataio_srv/1', waitsOn: 'rwsem_read ffff8b92ab737e20', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: 'java:12862' },
      { task: 'java:12862', waitsOn: 'rwsem_write ffff8b92ab737e20', primitive: 'rwsem_write', lock: 'ffff8b92ab737e20', heldBy: 'java:22134' },
    ],
  }];
  const [p] = renderDiscordReply(reply(blocks));
  assert.match(p.embeds[0].fields?.[0].value ?? '', /↺ back to `java:22134`: the chain is a cycle/);
  // A self-deadlock closes on the worker itself, not on the task that waits for it (case 000).
  const self = renderDiscordReply(reply([{ ...case000[3], cycle: true } as ReplyBlock]))[0];
  assert.match(self.embeds[0].fields?.[0].value ?? '', /↺ back to `kworker\/1:2:4790`/);
});

test('a long checklist and a 20k code block spill into follow-ups, all within limits, every item shown', () => {
  const items = Array.from({ length: 120 }, (_, k) => `step ${k}: ${'check the lock owner and the waiter list '.repeat(4)}`.trimEnd());
  const code = Array.from({ length: 400 }, (_, k) => ` #${k} [ffffc90000${k}] native_queued_spin_lock_slowpath at ffffffff8110`).join('\n');
  const payloads = renderDiscordReply(reply([{ type: 'header', text: 'Soft lockup' }, { type: 'list', title: 'Checklist', items }, { type: 'code', text: code }, ...case000.slice(-1)]), { maxMessages: 20 });
  assert.ok(payloads.length > 1);
  payloads.forEach((p, k) => assertWithinDiscordLimits(p, `message ${k}`));
  const shown = payloads.map(visibleText).join('\n');
  for (const it of items) assert.ok(shown.includes(it), `missing: ${it.slice(0, 20)}`);
  for (const line of code.split('\n')) assert.ok(shown.includes(line), `missing code line ${line.slice(0, 8)}`);
  assert.ok(payloads.slice(1).every((p) => p.components.length === 0), 'buttons only on the first message');
  assert.equal(payloads[0].components.length, 1);
  assert.ok(payloads.every((p) => p.files.length === 0), 'no file needed when follow-ups suffice');
});

test('overflow beyond maxMessages is never silent: the last message says so and carries the .md report', () => {
  const items = Array.from({ length: 200 }, (_, k) => `item ${k} ${'x'.repeat(150)}`);
  const r = reply([{ type: 'header', text: 'Hard lockup' }, { type: 'list', title: 'Tasks', items }], { fullMarkdown: '# Hard lockup\nthe whole report' });
  const payloads = renderDiscordReply(r, { maxMessages: 1 });
  assert.equal(payloads.length, 1);
  assertWithinDiscordLimits(payloads[0]);
  assert.deepEqual(payloads[0].files, [{ name: 'lockdown-LD-4.md', data: '# Hard lockup\nthe whole report', contentType: 'text/markdown; charset=utf-8' }]);
  assert.match(payloads[0].content ?? '', /whole report is attached as lockdown-LD-4\.md/);
  // Without fullMarkdown the adapter writes the report from the blocks itself.
  const [p] = renderDiscordReply({ ...r, fullMarkdown: null }, { maxMessages: 1 });
  assert.ok(p.files[0].data.includes('item 199'));
});

test('summary text over 2000 characters moves into the description instead of being cut', () => {
  const text = 'x'.repeat(2500);
  const [p] = renderDiscordReply(reply([], { text }));
  assertWithinDiscordLimits(p);
  assert.equal(p.content, undefined);
  assert.equal(p.embeds[0].description, text);
});

test('a single line longer than a field value is split across continued fields, not truncated', () => {
  const long = 'y'.repeat(3000);
  const [p] = renderDiscordReply(reply([{ type: 'fields', fields: [{ label: 'Evidence', value: long }] }]));
  assertWithinDiscordLimits(p);
  const fields = p.embeds.flatMap((e) => e.fields ?? []);
  assert.deepEqual(fields.map((f) => f.name), ['Evidence', 'Evidence (continued)', 'Evidence (continued)']);
  assert.equal(fields.map((f) => f.value).join(''), long);
});

test('more than five buttons go to a second row', () => {
  const actions = (['ack', 'resolve', 'reopen', 'mute'] as const).map((id) => ({ id, label: id }));
  const [p] = renderDiscordReply(reply([{ type: 'actions', incidentId: 'LD-1', actions }, { type: 'actions', incidentId: 'LD-2', actions }]));
  assert.deepEqual(p.components.map((r) => r.components.length), [5, 3]);
  assert.equal(p.components[1].components[2].custom_id, 'lockdown:mute:LD-2');
});

test('custom ids round-trip and foreign ones are refused', () => {
  assert.deepEqual(decodeCustomId(encodeCustomId('resolve', 'LD-42') ?? ''), { action: 'resolve', incidentId: 'LD-42' });
  assert.equal(decodeCustomId('other-bot:ack:LD-1'), null);
  assert.equal(decodeCustomId('lockdown:delete:LD-1'), null);
  assert.equal(encodeCustomId('ack', 'L'.repeat(120)), null);
});

test('Slack-flavoured markdown becomes Discord markdown; code spans are left alone', () => {
  assert.equal(toDiscordMarkdown('*LD-4* is `a*b*c` <https://x.test/r/4|report>'), '**LD-4** is `a*b*c` [report](https://x.test/r/4)');
  assert.equal(toDiscordMarkdown('2 * 3'), '2 \\* 3');
  assert.equal(toDiscordMarkdown('**already**'), '**already**');
});

test('splitText keeps every character and respects the limit', () => {
  fc.assert(fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 5, max: 300 }), (s, max) => {
    const parts = splitText(s, max);
    assert.ok(parts.every((p) => p.length <= max));
    // Pieces are joined back with the newline the split consumed (or nothing after a hard split).
    assert.equal(parts.join('').replaceAll('\n', ''), s.replaceAll('\n', ''));
  }));
});

test('any reply stays within Discord limits and shows every list item or attaches the report', () => {
  const item = fc.string({ minLength: 1, maxLength: 300 }).map((s) => s.replaceAll('\n', ' ').trim() || 'z');
  const block: fc.Arbitrary<ReplyBlock> = fc.oneof(
    fc.record({ type: fc.constant('text' as const), text: fc.string({ maxLength: 5000 }) }),
    fc.record({ type: fc.constant('list' as const), title: fc.string({ minLength: 1, maxLength: 40 }), items: fc.array(item, { maxLength: 60 }) }),
    fc.record({ type: fc.constant('code' as const), text: fc.string({ maxLength: 6000 }) }),
    fc.record({ type: fc.constant('fields' as const), fields: fc.array(fc.record({ label: fc.string({ minLength: 1, maxLength: 40 }), value: fc.string({ maxLength: 1500 }) }), { maxLength: 30 }) }),
  );
  fc.assert(fc.property(fc.array(block, { maxLength: 8 }), fc.integer({ min: 1, max: 4 }), (blocks, maxMessages) => {
    const payloads = renderDiscordReply(reply(blocks), { maxMessages });
    assert.ok(payloads.length >= 1 && payloads.length <= maxMessages);
    payloads.forEach((p) => assertWithinDiscordLimits(p));
    const attached = payloads.some((p) => p.files.length > 0);
    if (!attached) {
      const shown = payloads.map(visibleText).join('\n');
      for (const b of blocks) if (b.type === 'list') for (const it of b.items) assert.ok(shown.includes(toDiscordMarkdown(it)), 'list item missing');
    }
  }), { numRuns: 200 });
});
