// The local page in a real browser against the real `lockdown serve` (SQLite, no chat tokens):
// paste seed 003 (the mmap_sem rwsem cycle), see the chain and the lock, open the signed full report,
// see the wait-for graph close into a cycle, resolve the incident from the list; a `<script>` paste
// stays inert. The report page's screenshot is kept under artifacts/ (git-ignored).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const SEED_003 = new URL('../../../shared/seeds/003_8e2fec0ccb6e1cbe.txt', import.meta.url);
const ARTIFACTS = new URL('../../artifacts/', import.meta.url);
const MMAP_SEM = 'ffff8b92ab737e20'; // the rwsem whose waiter list the seed walks

let serve: ServeProcess;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  serve = await startServe({ reportSecret: 'browser-test-report-secret' });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => {
    pageErrors.push(`dialog opened: ${d.message()}`);
    void d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

async function analyze(text: string): Promise<void> {
  await page.goto(serve.url);
  await page.fill('#paste', text);
  await page.click('#analyze-btn');
  await page.waitForSelector('#result .reply', { timeout: 60_000 });
}

test('seed 003 chosen as a file: the reply shows the blocking chain and the mmap_sem lock', async () => {
  await page.goto(serve.url);
  await page.setInputFiles('#file', SEED_003.pathname);
  await page.waitForFunction(() => (document.getElementById('paste') as HTMLTextAreaElement).value.length > 1000);
  assert.equal(await page.inputValue('#paste'), readFileSync(SEED_003, 'utf8'), 'the file is loaded into the paste box as is');
  await page.click('#analyze-btn');
  await page.waitForSelector('#result .reply', { timeout: 60_000 });
  const chain = await page.locator('#result .b-chain li').allTextContents();
  assert.ok(chain.length >= 2, `a chain of at least two waits, got ${JSON.stringify(chain)}`);
  const reply = await page.locator('#result .reply').innerText();
  assert.ok(reply.includes(MMAP_SEM), 'the suspect lock (mmap_sem address) is named');
  assert.match(reply, /22134|12862/, 'the java holder / writer is in the chain');
  assert.equal(await page.locator('#result .b-chain.cycle').count(), 1, 'the chain is flagged as a cycle');
});

test('the full report: signed link, SVG wait-for graph with the cycle highlighted, quoted evidence', async () => {
  const href = await page.getAttribute('#report-link', 'href');
  assert.match(href ?? '', /^\/report\/\d+\?token=[\w-]{43}$/);
  await page.click('#report-link');
  await page.waitForSelector('svg.wait-graph');
  assert.equal(await page.locator('svg.wait-graph.has-cycle').count(), 1);
  assert.ok((await page.locator('svg.wait-graph g.edge.cycle').count()) >= 2, 'at least two edges on the cycle');
  assert.ok((await page.locator('svg.wait-graph g.node.cycle').count()) >= 2);
  const svgText = await page.locator('svg.wait-graph').textContent();
  assert.ok(svgText?.includes(MMAP_SEM), 'the lock labels an edge');
  assert.ok((await page.locator('pre.quote .ln[data-line]').count()) >= 1, 'evidence lines quoted with their line numbers');
  assert.ok((await page.locator('details.task .ctx').count()) >= 1, 'stacks carry their context');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL('report-seed-003.png', ARTIFACTS).pathname, fullPage: true });

  const noToken = await page.goto(new URL(href!.split('?')[0], serve.url).href);
  assert.equal(noToken?.status(), 403, 'the report without its token is refused');
});

test('the incident is listed with its occurrence and is resolved from the list', async () => {
  await page.goto(serve.url);
  const row = page.locator('#incident-table tr[data-incident-row]').first();
  await row.waitFor();
  assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'open');
  assert.match(await row.innerText(), /1×/);
  const id = await row.getAttribute('data-incident-row');
  // The id links to the signed full report of the incident's latest occurrence.
  const link = row.locator(`a[data-report-link="${id}"]`);
  assert.match((await link.getAttribute('href')) ?? '', /^\/report\/\d+\?token=[\w-]{43}$/);
  await link.click();
  await page.waitForSelector('svg.wait-graph.has-cycle');
  await page.goto(serve.url);
  await row.waitFor();
  await row.locator('button[data-action="resolve"]').click();
  await page.waitForSelector(`tr[data-incident-row="${id}"] [data-status="resolved"]`, { timeout: 15_000 });
  await page.reload();
  assert.equal(await page.locator(`tr[data-incident-row="${id}"] [data-status]`).getAttribute('data-status'), 'resolved', 'the store kept it');
});

test('a paste holding <script> and an onerror image is shown as text and never runs', async () => {
  const evil = [
    '<script>window.__pwned = 1; alert(1)</script><img src=x onerror="window.__pwned=2">',
    'INFO: task <script>alert(2)</script>:4242 blocked for more than 120 seconds.',
    ' Not tainted 5.10.0 #1',
    'Call Trace:',
    ' __schedule+0x2e0/0x6f0',
    ' schedule+0x46/0xb0',
    ' rwsem_down_read_slowpath+0x15e/0x3f0',
    ' down_read+0x43/0x90',
  ].join('\n');
  await analyze(evil);
  const shown = [await page.locator('#result').innerText()];
  const pwned = await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null);
  assert.equal(pwned, null);
  assert.equal(await page.locator('#result script, #result img').count(), 0);
  const href = await page.getAttribute('#report-link', 'href');
  if (href) {
    await page.click('#report-link');
    await page.waitForSelector('section.summary');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null), null);
    assert.equal(await page.locator('main script, main img').count(), 0);
    shown.push(await page.locator('main').innerText());
  }
  assert.ok(shown.some((t) => t.includes('<script>alert(2)</script>')), 'the pasted markup is displayed as text');
  assert.deepEqual(pageErrors, []);
});

test('a trace file dropped on the paste box is loaded into it', async () => {
  await page.goto(serve.url);
  const text = readFileSync(SEED_003, 'utf8');
  const transfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'bt.all', { type: 'text/plain' }));
    return dt;
  }, text);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
  await page.waitForFunction((n) => (document.getElementById('paste') as HTMLTextAreaElement).value.length === n, text.length);
  assert.match(await page.textContent('#status') ?? '', /bt\.all loaded/);
});

test('on a phone-sized screen the page does not scroll sideways', async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(serve.url);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
});
