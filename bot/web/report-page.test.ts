import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportPage, type ReportData } from './report-page.ts';
import { mmapSemCycle } from './fixtures/analyses.ts';
import type { Incident, Occurrence } from '../types.ts';

function data(paste: string | null): ReportData {
  const analysis = mmapSemCycle();
  const occurrence: Occurrence = { id: 5, incidentId: 'LD-3', platform: 'web', workspace: 'local', channel: 'web', channelName: null, thread: null, messageId: null, link: 'javascript:alert(1)', author: 'web', seenAt: '2026-11-24T03:00:00.000Z', analysis };
  const incident: Incident = { id: 'LD-3', seq: 3, signature: 'sig-003', title: analysis.title, family: analysis.family, status: 'open', owner: null, duplicateOf: null, mutedUntil: null, regression: true, occurrenceCount: 2, firstSeen: '2026-11-20T01:00:00.000Z', lastSeen: '2026-11-24T03:00:00.000Z', lastChannel: null, lastChannelName: null, createdAt: '2026-11-20T01:00:00.000Z', updatedAt: '2026-11-24T03:00:00.000Z' };
  return { occurrence, incident, occurrences: [occurrence], paste };
}

const paste = Array.from({ length: 45 }, (_, i) => `line ${i + 1}`);
paste[19] = 'crash> list rwsem_waiter.list -s rwsem_waiter.task,type -h 0xffff8b92ab737e20';
paste[20] = '  task = 0xffff8b93cdcf8000 <script>alert(1)</script>';

test('the suspect lock evidence quotes the paste lines with their own line numbers', () => {
  const page = renderReportPage(data(paste.join('\r\n')), 'N0NCE');
  const quote = page.slice(page.indexOf('<pre class="quote">'), page.indexOf('</pre>', page.indexOf('<pre class="quote">')));
  for (const n of [3, 5, 20, 21, 40]) assert.ok(quote.includes(`data-line="${n}">${n}</span>`), `line ${n} quoted`);
  assert.ok(quote.includes('list rwsem_waiter.list -s rwsem_waiter.task,type -h 0xffff8b92ab737e20'));
  assert.ok(!quote.includes('line 19'));
});

test('paste text and analysis strings are escaped: a <script> paste stays text', () => {
  const page = renderReportPage(data(paste.join('\n')), 'N0NCE');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.equal(page.match(/<script/g), null, 'the report page has no script at all');
  assert.ok(!page.includes('href="javascript:'), 'non-http occurrence links are not linked');
});

test('without the kept paste, the evidence still names its line numbers', () => {
  const page = renderReportPage(data(null), 'N0NCE');
  assert.match(page, /paste lines 3, 5, 20, 21, 40 \(the paste itself was not kept\)/);
});

test('the report carries the graph with the cycle, the lock, holder, checklist, case, tasks with contexts', () => {
  const page = renderReportPage(data(null), 'N0NCE');
  assert.match(page, /<svg class="wait-graph has-cycle"/);
  assert.ok(page.includes('&amp;mm-&gt;mmap_sem') && page.includes('ffff8b92ab737e20'));
  assert.ok(page.includes('<dt>holder</dt><dd>java:22134</dd>'));
  assert.ok(page.includes('Do not wait for service threads while holding mmap_sem.'));
  assert.ok(page.includes('<code class="case-id">mmap-sem-reader-waits-on-service</code>'));
  assert.ok(page.includes('<span class="ctx process">process</span>'));
  assert.match(page, /data-task="java:22134" open/);
  assert.ok(page.includes('regression') && page.includes('seen 2 times'));
  assert.ok(page.includes('<style nonce="N0NCE">'));
  assert.ok(page.includes('<span class="muted"> (lines 3, 5)</span>'), 'each chain link cites its lines');
});

test('cited lines kept with the stored analysis are quoted after the paste is gone', async () => {
  const { withQuotedLines } = await import('./evidence-quote.ts');
  const d = data(null);
  d.occurrence.analysis = withQuotedLines(d.occurrence.analysis, paste.join('\r\n'));
  const kept = (d.occurrence.analysis as { quotedLines?: Record<string, string> }).quotedLines!;
  assert.deepEqual(Object.keys(kept).map(Number).sort((a, b) => a - b), [3, 5, 20, 21, 40]);
  assert.equal(kept['20'], paste[19]);
  const page = renderReportPage(JSON.parse(JSON.stringify(d)) as ReportData, 'N0NCE');
  assert.ok(page.includes('data-line="21">21</span>  task = 0xffff8b93cdcf8000 &lt;script&gt;'));
  assert.ok(!page.includes('the paste itself was not kept'));
});
