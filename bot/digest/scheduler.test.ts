import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestSlot, validateCron, validTimezone } from './scheduler.ts';

test('the latest slot honours the IANA zone and the tolerance window', () => {
  // 09:00 in Paris on Tuesday 2026-11-24 is 08:00 UTC (CET, UTC+1).
  const now = new Date('2026-11-24T08:37:20Z');
  assert.equal(latestSlot('0 9 * * 1-5', 'Europe/Paris', now, 60)?.toISOString(), '2026-11-24T08:00:00.000Z');
  assert.equal(latestSlot('0 9 * * 1-5', 'Europe/Paris', now, 30), null, '37 minutes late, tolerance 30');
  assert.equal(latestSlot('0 9 * * 1-5', 'America/New_York', now, 60), null, 'not 09:00 in New York yet');
  // Saturday: the weekday schedule has no slot.
  assert.equal(latestSlot('0 9 * * 1-5', 'UTC', new Date('2026-11-28T09:10:00Z'), 60), null);
  // Exactly on the minute counts.
  assert.equal(latestSlot('30 14 * * *', 'Asia/Kolkata', new Date('2026-11-24T09:00:00Z'), 0)?.toISOString(), '2026-11-24T09:00:00.000Z');
});

test('cron and zone validation', () => {
  assert.equal(validateCron('0 9 * * 1-5'), true);
  assert.equal(validateCron('61 9 * * *'), false);
  assert.equal(validTimezone('Europe/Paris'), true);
  assert.equal(validTimezone('Mars/Olympus'), false);
});
