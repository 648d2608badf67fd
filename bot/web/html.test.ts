import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, inlineMarkdown } from './html.ts';

test('interpolated text is escaped, nested html passes through once', () => {
  const evil = '<script>alert("x")</script>&\'';
  const out = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}</p>`.value;
  assert.ok(!out.includes('<script>'));
  assert.equal(out.split('&lt;script&gt;').length - 1, 3);
  assert.ok(out.includes('&quot;x&quot;') && out.includes('&#39;') && out.includes('<b>'));
});

test('already-escaped pastes (&lt; from chat) are shown literally, not decoded', () => {
  assert.equal(escapeHtml('&lt;IRQ&gt;'), '&amp;lt;IRQ&amp;gt;');
});

test('inline markdown makes code and bold but escapes their content', () => {
  assert.equal(inlineMarkdown('see `<b>` and *bold*').value, 'see <code>&lt;b&gt;</code> and <strong>bold</strong>');
  assert.equal(inlineMarkdown('a * b ` c').value, 'a * b ` c');
  assert.equal(inlineMarkdown('line `one\ntwo` x').value, 'line `one\ntwo` x');
});

test('inline markdown stays linear on a long run of unmatched markers', () => {
  const text = '*`'.repeat(200_000).slice(1);
  const out = inlineMarkdown(text).value;
  assert.ok(out.length >= text.length);
});
