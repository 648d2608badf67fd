// Signed report links: /report/<occurrenceId>?token=<hmac>. The token is HMAC-SHA256 over the
// occurrence id with config server.reportSecret, so ids (small integers) cannot be enumerated;
// the check is constant-time (timingSafeEqual) so the token cannot be guessed byte by byte.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'lockdown-report-v1:'; // domain separation: the secret may sign other things later

export function signReportToken(occurrenceId: number | string, secret: string): string {
  return createHmac('sha256', secret).update(PURPOSE + String(occurrenceId)).digest('base64url');
}

export function verifyReportToken(occurrenceId: number | string, token: string | null | undefined, secret: string | null): boolean {
  if (!secret || typeof token !== 'string' || token.length === 0 || token.length > 128) return false;
  const expected = Buffer.from(signReportToken(occurrenceId, secret));
  const given = Buffer.from(token);
  if (given.length !== expected.length) return false;
  return timingSafeEqual(expected, given);
}

/** The full report link chat replies carry (render uses it when publicUrl is configured). */
export function reportUrl(publicUrl: string, occurrenceId: number | string, secret: string): string {
  const base = publicUrl.endsWith('/') ? publicUrl.slice(0, -1) : publicUrl;
  return `${base}/report/${encodeURIComponent(String(occurrenceId))}?token=${signReportToken(occurrenceId, secret)}`;
}

/** Path-only variant for links inside the local page (same origin). */
export function reportPath(occurrenceId: number | string, secret: string): string {
  return `/report/${encodeURIComponent(String(occurrenceId))}?token=${signReportToken(occurrenceId, secret)}`;
}

/** The configured secret or, when none is configured, the one kept in the store's settings (made at
 *  random by the first start): links then keep working across restarts and verify on every replica
 *  of one store. A per-process random key broke every link posted before a restart, and a link
 *  posted by one replica failed on the other. serve resolves it once and hands it to both the
 *  renderer (chat links) and the web handler (the check). */
export async function resolveReportSecret(
  configured: string | null,
  store: { settingOrInit(key: string, value: string, at: string): Promise<string> },
  now: string,
  random: () => string = () => randomBytes(32).toString('base64url'),
): Promise<string> {
  if (configured && configured.length > 0) return configured;
  return store.settingOrInit(REPORT_SECRET_SETTING, random(), now);
}

/** The settings key of the generated report-link secret. */
export const REPORT_SECRET_SETTING = 'report-link-secret';
