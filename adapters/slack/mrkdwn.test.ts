// Escaping and fitting text for Slack: escaped length is what counts against a limit, and an entity
// is never cut in half.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeMrkdwn, escapeWithin, fitMrkdwn, fitPlain, linkifyMrkdwn, unescapeSlackText } from './mrkdwn.ts';

test('escape and unescape are inverse on any text', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => assert.equal(unescapeSlackText(escapeMrkdwn(s)), s)));
});

test('fitting never exceeds the budget and never splits an entity', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }).map((s) => s.replace(/[xyz]/g, '<')), fc.integer({ min: 2, max: 120 }), (s, n) => {
    const f = fitMrkdwn(s, n);
    assert.ok(f.text.length <= n);
    const body = f.cut ? f.text.slice(0, -1) : f.text;
    assert.ok(escapeMrkdwn(s).startsWith(body), 'a prefix of the escaped text');
    assert.doesNotMatch(body, /&(?:a|am|l|g|lt|gt)?$/);
  }));
  assert.deepEqual(escapeWithin('<IRQ>', 3), { text: '', cut: true });
  assert.deepEqual(escapeWithin('<IRQ>', 4), { text: '&lt;', cut: true });
  assert.deepEqual(escapeWithin('<IRQ>', 4 + 3), { text: '&lt;IRQ', cut: true });
  assert.deepEqual(fitPlain('abcdef', 4), { text: 'abc…', cut: true });
});

test('bare URLs become Slack links, the rest is escaped', () => {
  assert.equal(linkifyMrkdwn('Full report: https://l.example/r/1?a=1&b=2 <now>'), 'Full report: <https://l.example/r/1?a=1&amp;b=2> &lt;now&gt;');
});
