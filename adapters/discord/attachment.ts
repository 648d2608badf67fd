// A Discord attachment (e.g. the `message.txt` Discord makes of a paste over 2000 characters) as the
// core's Attachment: downloaded through the injected fetch, at most maxBytes + 1 bytes so the core
// can tell "too large" without us buffering a 50 MB upload. CDN URLs are signed and expire, so the
// core fetches promptly; the bot token is never sent to the CDN.

import { LockdownError } from '../../config/errors.ts';
import type { Attachment } from '../../bot/types.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface DiscordAttachmentLike {
  id: string;
  name: string;
  size: number;
  contentType: string | null;
  url: string;
}

export function toAttachment(a: DiscordAttachmentLike, fetchFn: FetchLike): Attachment {
  return {
    id: a.id,
    name: a.name,
    size: Number.isFinite(a.size) ? a.size : null,
    mimetype: a.contentType,
    fetch: (maxBytes) => download(a, fetchFn, maxBytes),
  };
}

async function download(a: DiscordAttachmentLike, fetchFn: FetchLike, maxBytes: number): Promise<Uint8Array> {
  const limit = Math.max(0, Math.floor(maxBytes)) + 1;
  const fail = (why: string, cause?: unknown) =>
    new LockdownError('LD_ATTACHMENT', `Discord attachment ${a.id} (${a.name}): ${why}`, {
      userMessage: `I could not download ${a.name} from Discord (${why}); paste it again or attach it once more.`,
      details: { attachmentId: a.id },
      cause,
    });
  let res: Response;
  try {
    res = await fetchFn(a.url);
  } catch (e) {
    throw fail('network error', e);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw fail(`HTTP ${res.status}`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (e) {
    throw fail('download interrupted', e);
  } finally {
    // Stop the transfer as soon as we have enough: the rest would be thrown away.
    if (total >= limit) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const out = new Uint8Array(Math.min(total, limit));
  let at = 0;
  for (const c of chunks) {
    const take = Math.min(c.byteLength, out.byteLength - at);
    out.set(c.subarray(0, take), at);
    at += take;
    if (at === out.byteLength) break;
  }
  return out;
}
