// Request bodies with a hard size cap: Content-Length checked before reading, the stream counted
// while reading, so an oversized body is refused without buffering it.

import type { IncomingMessage } from 'node:http';
import { LockdownError } from '../../config/errors.ts';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): LockdownError {
  return new LockdownError('LD_INPUT_TOO_LARGE', 'request body too large', { userMessage: `The body is larger than the limit of ${limit} bytes.`, details: { limit } });
}
