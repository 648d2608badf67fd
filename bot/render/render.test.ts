import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderAnalysisReply, renderDigest, renderError, renderHelp, renderIncidentList, renderStatusNotice } from './index.ts';
import { LockdownError } from '../../config/errors.ts';
import { incident, notKernelAnalysis, selfDeadlockAnalysis } from '../../test/fixtures/analysis-samples.ts';
import type { ReplyBlock } from '../types.ts';

function block<T extends ReplyBlock['type']>(blocks: ReplyBlock[], type: T): Extract<ReplyBlock, { type: T }>[] {
  return blocks.filter((b): b is Extract<ReplyBlock, { type: T }> => b.type === type);
}

test('analysis reply carries the family, the chain with its cycle, the lock and holder, the checklist and buttons', () => {
  const r = renderAnalysisReply(selfDeadlockAnalysis(), incident(), { isNew: false, regression: false, seenCount: 3, firstSeen: '2026-11-02T08:00:00Z', lastChannelName: 'storage' }, { reportUrl: 'https://ld.example/report/9?token=x' });
  assert.equal(block(r.blocks, 'header')[0]!.text, 'Hung task: INFO: task hung in flush_workqueue');
  const chain = block(r.blocks, 'chain')[0]!;
  assert.equal(chain.cycle, true);
  assert.deepEqual(chain.links.map((l) => l.heldBy), ['kworker/1:2:4790', 'kworker/1:2:4790']);
  const fields = block(r.blocks, 'fields')[0]!.fields;
  assert.match(fields.find((f) => f.label === 'Suspect lock')!.value, /ffff880035acf1e0/);
  assert.equal(fields.find((f) => f.label === 'Holder')!.value, 'kworker/1:2:4790');
  assert.match(fields.find((f) => f.label === 'Evidence')!.value, /owner == the waiting task.*41, 42/);
  const checklist = block(r.blocks, 'list').find((l) => l.title.startsWith('Checklist'))!;
  assert.equal(checklist.items.length, 3);
  assert.equal(checklist.ordered, true);
  assert.match(block(r.blocks, 'context').map((c) => c.text).join('\n'), /seen 3 times since 2026-11-02, last in #storage/);
  assert.deepEqual(block(r.blocks, 'actions')[0]!.actions.map((a) => a.id), ['ack', 'resolve', 'mute']);
  assert.equal(r.incidentId, 'LD-7');
  assert.equal(r.reportUrl, 'https://ld.example/report/9?token=x');
  assert.match(r.fullMarkdown!, /## Tasks[\s\S]*rmmod:31969 \[D\]/);
  assert.equal(r.ephemeral, false);
});

test('a regression is flagged and a resolved incident offers Reopen only', () => {
  const r = renderAnalysisReply(selfDeadlockAnalysis(), incident({ status: 'resolved' }), { isNew: false, regression: true, seenCount: 4, firstSeen: '2026-11-02T08:00:00Z', lastChannelName: null });
  assert.match(block(r.blocks, 'context')[0]!.text, /Regression/);
  assert.deepEqual(block(r.blocks, 'actions')[0]!.actions.map((a) => a.id), ['reopen']);
});

test('long checklists are capped in chat but complete in the markdown', () => {
  const a = selfDeadlockAnalysis();
  a.findings[0]!.checklist = Array.from({ length: 20 }, (_, i) => `step ${i + 1}`);
  const r = renderAnalysisReply(a, null, null, { maxListItems: 5 });
  const list = block(r.blocks, 'list').find((l) => l.title.startsWith('Checklist'))!;
  assert.equal(list.items.length, 6);
  assert.match(list.items[5]!, /15 more/);
  assert.match(r.fullMarkdown!, /20\. step 20/);
  assert.equal(block(r.blocks, 'actions').length, 0, 'no incident, no buttons');
});

test('not-a-kernel analysis says so without chain or lock', () => {
  const r = renderAnalysisReply(notKernelAnalysis(), null, null);
  assert.match(r.text, /does not look like a kernel trace/);
  assert.equal(block(r.blocks, 'chain').length, 0);
});

test('kernel stacks with no blocked task are said to be that, not "not a kernel trace"', async () => {
  const { analyze } = await import('../../analyzers/analyze.ts');
  // nginx workers sampled with their state: all in epoll_wait, S
  const a = analyze(['== 2210 nginx state=S', '[<0>] do_epoll_wait+0x5ad/0x7a0', '[<0>] __x64_sys_epoll_wait+0x6f/0x110', '[<0>] do_syscall_64+0x7f/0x180',
    '== 2211 nginx state=S', '[<0>] do_epoll_wait+0x5ad/0x7a0', '[<0>] __x64_sys_epoll_wait+0x6f/0x110'].join('\n'));
  assert.equal(a.family, 'not_kernel');
  const r = renderAnalysisReply(a, null, null);
  assert.match(r.text, /no task in them is blocked/);
  assert.doesNotMatch(r.text, /does not look like a kernel trace/);
});

test('digest orders oldest then most frequent, flags regressions and no owner, skips resolved, and is null when empty', () => {
  const now = new Date('2026-11-24T09:00:00Z');
  const list = [
    incident({ id: 'LD-1', seq: 1, firstSeen: '2026-11-20T00:00:00Z', occurrenceCount: 9, owner: 'U1' }),
    incident({ id: 'LD-2', seq: 2, firstSeen: '2026-11-01T00:00:00Z', occurrenceCount: 1, regression: true, owner: 'U2' }),
    incident({ id: 'LD-3', seq: 3, firstSeen: '2026-11-20T00:00:00Z', occurrenceCount: 2, status: 'acknowledged' }),
    incident({ id: 'LD-4', seq: 4, status: 'resolved' }),
    incident({ id: 'LD-5', seq: 5, status: 'muted', mutedUntil: '2026-12-01T00:00:00Z' }),
  ];
  const d = renderDigest(list, { now })!;
  const lines = block(d.blocks, 'text').map((b) => b.text);
  assert.deepEqual(lines.map((l) => /\*(LD-\d+)\*/.exec(l)![1]), ['LD-2', 'LD-1', 'LD-3']);
  assert.match(lines[0]!, /⚠ regression/);
  assert.match(lines[2]!, /owner none.*⚠ no owner/);
  assert.doesNotMatch(lines[1]!, /no owner/);
  assert.equal(renderDigest([incident({ status: 'resolved' })], { now }), null);
});

test('errors become one safe line; unknown errors do not leak their message', () => {
  const logged: object[] = [];
  const log = { warn: (o: object) => logged.push(o), error: (o: object) => logged.push(o) };
  const r = renderError(new Error('connect ECONNREFUSED postgres://user:pw@db'), log);
  assert.doesNotMatch(r.text, /postgres|pw/);
  assert.equal(r.ephemeral, true);
  assert.equal(logged.length, 1);
  const store = renderError(new LockdownError('LD_STORE', 'sqlite: no such table: outbox_v2'), null);
  assert.equal(store.text, 'lockdown could not reach its database; try again in a minute.');
  const u = renderError(new LockdownError('LD_USAGE', 'x', { userMessage: 'Missing incident id. Usage: ...' }), null);
  assert.equal(u.text, 'Missing incident id. Usage: ...');
});

test('help lists every command; list and notice render ids and status', () => {
  const h = renderHelp();
  const items = block(h.blocks, 'list')[0]!.items.join('\n');
  for (const c of ['analyze', 'list', 'show', 'ack', 'resolve', 'reopen', 'dup', 'mute', 'assign', 'digest', 'cases', 'help']) assert.match(items, new RegExp(`/lockdown ${c}`));
  const l = renderIncidentList([incident({ regression: true })], { withActions: true });
  assert.match(block(l.blocks, 'text')[0]!.text, /LD-7.*open.*3× since 2026-11-02.*regression, no owner/);
  assert.equal(block(l.blocks, 'actions').length, 1);
  const n = renderStatusNotice(incident({ status: 'resolved' }), 'resolved', 'alice', 'fixed in 5.10.3');
  assert.equal(n.text, 'LD-7 resolved by alice: fixed in 5.10.3 (now resolved)');
});
