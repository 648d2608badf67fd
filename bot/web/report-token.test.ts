import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStore } from '../store/sqlite-store.ts';
import { REPORT_SECRET_SETTING, reportUrl, resolveReportSecret, signReportToken, verifyReportToken } from './report-token.ts';

const SECRET = 'report-secret-for-tests';

test('a signed link verifies for its own occurrence only', () => {
  const url = new URL(reportUrl('https://lockdown.example/', 42, SECRET));
  assert.equal(url.pathname, '/report/42');
  const token = url.searchParams.get('token');
  assert.ok(verifyReportToken(42, token, SECRET));
  assert.ok(verifyReportToken('42', token, SECRET));
  assert.equal(verifyReportToken(43, token, SECRET), false);
  assert.equal(verifyReportToken(42, token, 'another-secret'), false);
});

test('missing, truncated, altered or oversized tokens and an unset secret are refused', () => {
  const token = signReportToken(7, SECRET);
  assert.equal(verifyReportToken(7, null, SECRET), false);
  assert.equal(verifyReportToken(7, '', SECRET), false);
  assert.equal(verifyReportToken(7, token.slice(0, -1), SECRET), false);
  const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
  assert.equal(verifyReportToken(7, flipped, SECRET), false);
  assert.equal(verifyReportToken(7, token + 'x'.repeat(200), SECRET), false);
  assert.equal(verifyReportToken(7, token, null), false);
});

test('tokens are not guessable from the id: different ids give unrelated tokens', () => {
  assert.notEqual(signReportToken(1, SECRET), signReportToken(2, SECRET));
  assert.ok(signReportToken(1, SECRET).length >= 43); // 256 bits, base64url
});

test('a configured secret is used as is; unset, one random secret is kept in the store and reused', async () => {
  const store = createSqliteStore({ path: ':memory:', clock: () => new Date('2026-11-24T09:00:00Z') });
  await store.migrate();
  const now = '2026-11-24T09:00:00.000Z';
  let made = 0;
  const random = () => `random-${++made}`;
  assert.equal(await resolveReportSecret('configured', store, now, random), 'configured');
  assert.equal(made, 0, 'no random secret is made when one is configured');
  const first = await resolveReportSecret(null, store, now, random);
  assert.equal(first, 'random-1');
  // a restart, or a second replica on the same store: the stored secret, so old links still verify
  const again = await resolveReportSecret('', store, now, random);
  assert.equal(again, first);
  assert.ok(verifyReportToken(5, signReportToken(5, first), again));
  assert.equal(await store.settingOrInit(REPORT_SECRET_SETTING, 'other', now), first);
  await store.close();
});
