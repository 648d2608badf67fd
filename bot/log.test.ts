import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './log.ts';

test('JSON log lines at the configured level, secrets redacted', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger({ log: { level: 'info' } }, sink);
  log.debug('hidden');
  log.info({ slack: { botToken: 'xoxb-secret', signingSecret: 'shh' }, apiToken: 'tok', channel: 'C1' }, 'started');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(entry.msg, 'started');
  assert.equal(entry.channel, 'C1');
  assert.doesNotMatch(lines[0]!, /xoxb-secret|shh|"tok"/);
});
