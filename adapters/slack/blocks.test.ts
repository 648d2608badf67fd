// Block Kit conversion: what Slack would refuse (too many blocks, too long a section) never leaves us,
// buttons survive truncation, and the reader is told where the rest is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Analysis, ChainLink } from '../../analyzers/contract.ts';
import { renderAnalysisReply } from '../../bot/render/index.ts';
import type { Incident, Reply, ReplyBlock } from '../../bot/types.ts';
import { SLACK_LIMITS, toSlackBlocks, type SlackBlock } from './blocks.ts';

const SEEDS = '/work/shared/seeds';

function reply(blocks: ReplyBlock[], extra: Partial<Reply> = {}): Reply {
  return { text: 'summary', blocks, ephemeral: false, incidentId: 'LD-4', reportUrl: null, fullMarkdown: null, ...extra };
}

/** Every text a block carries, with the limit Slack applies to it. */
function texts(block: SlackBlock): Array<{ text: string; limit: number }> {
  const out: Array<{ text: string; limit: number }> = [];
  const t = block.text as { text: string } | undefined;
  if (block.type === 'header' && t) out.push({ text: t.text, limit: SLACK_LIMITS.headerText });
  if (block.type === 'section' && t) out.push({ text: t.text, limit: SLACK_LIMITS.sectionText });
  for (const f of (block.fields as Array<{ text: string }> | undefined) ?? []) out.push({ text: f.text, limit: SLACK_LIMITS.fieldText });
  if (block.type === 'context') for (const e of block.elements as Array<{ text: string }>) out.push({ text: e.text, limit: SLACK_LIMITS.sectionText });
  if (block.type === 'actions') for (const e of block.elements as Array<{ text: { text: string } }>) out.push({ text: e.text.text, limit: SLACK_LIMITS.buttonText });
  return out;
}

function assertWithinLimits(blocks: SlackBlock[], maxBlocks: number = SLACK_LIMITS.messageBlocks): void {
  assert.ok(blocks.length <= maxBlocks, `${blocks.length} blocks > ${maxBlocks}`);
  for (const b of blocks) {
    for (const { text, limit } of texts(b)) assert.ok(Array.from(text).length <= limit, `${b.type} text of ${text.length} > ${limit}`);
    if (b.type === 'section' && b.fields) assert.ok((b.fields as unknown[]).length <= SLACK_LIMITS.fieldsPerSection);
  }
  assert.ok(JSON.stringify(blocks).length <= SLACK_LIMITS.messageChars, 'message over 40,000 characters');
}

function buttons(blocks: SlackBlock[]): Array<{ action_id: string; value: string }> {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<{ action_id: string; value: string }>);
}

const incident: Incident = {
  id: 'LD-4', seq: 4, signature: 'abc', title: 'hung task in rwsem_down_read_failed', family: 'stuck_tasks', status: 'open',
  owner: null, duplicateOf: null, mutedUntil: null, regression: false, occurrenceCount: 1,
  firstSeen: '2026-11-20T10:00:00Z', lastSeen: '2026-11-20T10:00:00Z', lastChannel: 'C1', lastChannelName: '#storage',
  createdAt: '2026-11-20T10:00:00Z', updatedAt: '2026-11-20T10:00:00Z',
};

test('a small reply maps one to one: header, escaped mrkdwn, fields, buttons with incident id', () => {
  const out = toSlackBlocks(reply([
    { type: 'header', text: 'Hard lockup: spinning in _spin_lock_irq' },
    { type: 'text', text: 'CPU18 spins with IRQs off in <IRQ> & never returns' },
    { type: 'fields', fields: [{ label: 'Suspect lock', value: 'spinlock `ffff881054610960`' }, { label: 'Holder', value: 'unknown' }] },
    { type: 'actions', incidentId: 'LD-4', actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }, { id: 'resolve', label: 'Resolve' }, { id: 'mute', label: 'Mute', style: 'danger' }] },
  ]));
  assert.equal(out.truncated, false);
  assert.deepEqual(out.blocks.map((b) => b.type), ['header', 'section', 'section', 'actions']);
  assert.equal((out.blocks[1]!.text as { text: string }).text, 'CPU18 spins with IRQs off in &lt;IRQ&gt; &amp; never returns');
  assert.equal((out.blocks[2]!.fields as Array<{ text: string }>)[0]!.text, '*Suspect lock*\nspinlock `ffff881054610960`');
  assert.deepEqual(buttons(out.blocks).map((b) => [b.action_id, b.value]), [['lockdown_ack', 'LD-4'], ['lockdown_resolve', 'LD-4'], ['lockdown_mute', 'LD-4']]);
  assert.equal((out.blocks[3]!.elements as Array<{ style?: string }>)[2]!.style, 'danger');
});

test('a 10k-link blocking chain becomes one section under 3000 characters that says how many links are left', () => {
  const links: ChainLink[] = Array.from({ length: 10_000 }, (_, i) => ({
    task: `dataio_srv/${i}:${20000 + i}`, waitsOn: 'rwsem ffff8b92ab737e20 (read)', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: `java:${20001 + i}`,
  }));
  const out = toSlackBlocks(reply([{ type: 'chain', title: 'Blocking chain', links, cycle: true }], { reportUrl: 'https://lockdown.example/r/abc?t=1&u=2' }));
  assertWithinLimits(out.blocks);
  const chain = (out.blocks[0]!.text as { text: string }).text;
  assert.match(chain, /^\*Blocking chain\*\n1\. dataio_srv\/0:20000 waits on rwsem ffff8b92ab737e20 \(read\) held by java:20001/);
  const shown = chain.split('\n').filter((l) => /^\d+\. /.test(l)).length;
  assert.match(chain, new RegExp(`… ${(10_001 - shown).toLocaleString('en-US')} more links$`));
  assert.equal(out.truncated, true);
  const note = out.blocks.at(-1)!;
  assert.equal(note.type, 'context');
  assert.match((note.elements as Array<{ text: string }>)[0]!.text, /<https:\/\/lockdown\.example\/r\/abc\?t=1&amp;u=2\|the full report>/);
});

test('over 50 blocks: the first ones in order, then the note, and the incident buttons are kept last', () => {
  const many: ReplyBlock[] = Array.from({ length: 120 }, (_, i) => ({ type: 'text', text: `finding ${i}` }) as ReplyBlock);
  many.push({ type: 'actions', incidentId: 'LD-4', actions: [{ id: 'ack', label: 'Acknowledge' }] });
  const out = toSlackBlocks(reply(many, { fullMarkdown: '# everything' }), { overflow: 'file' });
  assert.equal(out.blocks.length, 50);
  assert.equal((out.blocks[0]!.text as { text: string }).text, 'finding 0');
  assert.equal((out.blocks[47]!.text as { text: string }).text, 'finding 47');
  assert.match(((out.blocks[48]!.elements as Array<{ text: string }>)[0]!).text, /72 more sections.*attached to this thread/);
  assert.deepEqual(buttons(out.blocks).map((b) => b.action_id), ['lockdown_ack']);
  assert.equal(out.blocks[49]!.type, 'actions');
});

test('App Home allows 100 blocks', () => {
  const many: ReplyBlock[] = Array.from({ length: 150 }, (_, i) => ({ type: 'text', text: `LD-${i}` }) as ReplyBlock);
  const out = toSlackBlocks(reply(many, { incidentId: null }), { maxBlocks: SLACK_LIMITS.homeBlocks });
  assert.equal(out.blocks.length, 100);
  assert.match(((out.blocks[99]!.elements as Array<{ text: string }>)[0]!).text, /51 more sections/);
});

test('long header, eleven fields, oversized field value: shortened or split, never over a limit', () => {
  const fields = Array.from({ length: 11 }, (_, i) => ({ label: `f${i}`, value: i === 3 ? 'x'.repeat(5000) : `v${i}` }));
  const out = toSlackBlocks(reply([{ type: 'header', text: 'H'.repeat(400) }, { type: 'fields', fields }]));
  assertWithinLimits(out.blocks);
  assert.equal(((out.blocks[0]!.text as { text: string }).text).length, 150);
  assert.deepEqual(out.blocks.slice(1, 3).map((b) => (b.fields as unknown[]).length), [10, 1]);
  assert.equal(out.truncated, true);
});

test('the largest seed as a code block: whole lines in a fence, the rest counted', () => {
  const seed = readFileSync(`${SEEDS}/004_789fb14b6ba577d5.txt`, 'utf8');
  const out = toSlackBlocks(reply([{ type: 'code', text: seed }]));
  assertWithinLimits(out.blocks);
  const text = (out.blocks[0]!.text as { text: string }).text;
  assert.ok(text.startsWith('```'));
  const lines = seed.split('\n');
  const more = Number(/… ([\d,]+) more lines$/.exec(text)![1]!.replaceAll(',', ''));
  const shown = text.slice(3, text.lastIndexOf('```')).split('\n').length;
  assert.equal(shown + more, lines.length);
  assert.equal(out.truncated, true);
});

test('a rendered reply for a 10k-task foreach bt fits, keeps its buttons and points to the report', () => {
  const tasks = Array.from({ length: 10_000 }, (_, i) => ({ pid: 1000 + i, comm: `worker/${i}`, state: 'D', cpu: null, task: null, frames: ['schedule', 'rwsem_down_read_failed', 'down_read'] }));
  const chain: ChainLink[] = tasks.map((t, i) => ({ task: `${t.comm}:${t.pid}`, waitsOn: 'mmap_sem ffff8b92ab737e20', primitive: 'rwsem_read', lock: 'ffff8b92ab737e20', heldBy: `worker/${i + 1}:${t.pid + 1}` }));
  const analysis = {
    schemaVersion: 1, family: 'stuck_tasks', title: 'task hung in rwsem_down_read_failed', signature: 'abc', formats: ['crash-foreach-bt'],
    keyFrames: ['rwsem_down_read_failed'], tasks,
    findings: Array.from({ length: 6 }, (_, k) => ({
      pattern: `p${k}`, caseId: null, confidence: 0.9, headline: `${10_000} tasks wait on mmap_sem `.repeat(30), blockingChain: chain, cycle: true,
      suspectLock: { primitive: 'rwsem', address: 'ffff8b92ab737e20', name: 'mmap_sem', holder: 'java:22134', evidence: 'e'.repeat(4000) },
      keyFrames: ['down_read'], checklist: Array.from({ length: 500 }, (_, j) => `step ${j} `.repeat(50)), nextSteps: ['crash> list rwsem_waiter.list -s rwsem_waiter.task,type -h ffff8b92ab737e20'], references: [],
    })),
  } as unknown as Analysis;
  const r = renderAnalysisReply(analysis, incident, { isNew: true, regression: false, seenCount: 1, firstSeen: incident.firstSeen, lastChannelName: null }, { reportUrl: 'https://lockdown.example/r/1' });
  const out = toSlackBlocks(r);
  assertWithinLimits(out.blocks);
  assert.equal(out.truncated, true);
  assert.ok(buttons(out.blocks).every((b) => b.value === 'LD-4') && buttons(out.blocks).length > 0);
  assert.ok(JSON.stringify(out.blocks).includes('<https://lockdown.example/r/1|the full report>'));
});

test('property: any reply converts within every Slack limit and keeps the incident buttons', () => {
  const str = fc.string({ unit: 'grapheme', maxLength: 4000 });
  const block: fc.Arbitrary<ReplyBlock> = fc.oneof(
    str.map((text) => ({ type: 'header', text }) as ReplyBlock),
    str.map((text) => ({ type: 'text', text }) as ReplyBlock),
    str.map((text) => ({ type: 'context', text }) as ReplyBlock),
    str.map((text) => ({ type: 'code', text }) as ReplyBlock),
    fc.array(str, { maxLength: 30 }).map((items) => ({ type: 'list', title: 'L', items }) as ReplyBlock),
    fc.array(fc.record({ label: fc.string({ maxLength: 40 }), value: str }), { maxLength: 25 }).map((fields) => ({ type: 'fields', fields }) as ReplyBlock),
    fc.constant({ type: 'divider' } as ReplyBlock),
  );
  fc.assert(fc.property(fc.array(block, { maxLength: 90 }), fc.boolean(), (blocks, home) => {
    const all = [...blocks, { type: 'actions', incidentId: 'LD-4', actions: [{ id: 'ack', label: 'Acknowledge' }] } as ReplyBlock];
    const max = home ? SLACK_LIMITS.homeBlocks : SLACK_LIMITS.messageBlocks;
    const out = toSlackBlocks(reply(all), { maxBlocks: max });
    assertWithinLimits(out.blocks, max);
    assert.deepEqual(buttons(out.blocks).map((b) => b.value), ['LD-4']);
  }), { numRuns: 150 });
});
