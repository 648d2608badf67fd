// Collects the text to analyse from a message: its body plus text attachments, within the size
// limit. Attachments are fetched through the adapter (it holds the token), capped at the limit.

import { LockdownError } from '../../config/errors.ts';
import type { Attachment } from '../types.ts';

const TEXT_EXT = /\.(?:txt|log|out|dmesg|trace|crash|bt|text|md)$/i;

export function isTextAttachment(a: Attachment): boolean {
  const m = a.mimetype?.toLowerCase().split(';')[0]?.trim() ?? null;
  if (m && (m.startsWith('text/') || m === 'application/json' || m === 'application/x-log')) return true;
  // Unknown or generic types: trust a text-like name (Discord's message.txt, crash.log, dmesg).
  if (m === null || m === 'application/octet-stream' || m === 'binary/octet-stream') return TEXT_EXT.test(a.name) || !a.name.includes('.');
  return false;
}

const MEDIA_EXT = /\.(?:png|jpe?g|gif|webp|heic|bmp|svg|mp4|mov|webm|mkv|avi|mp3|m4a|wav|ogg|opus|flac)$/i;

/** A screenshot, screen recording or voice clip: never a trace, and not worth a reply either. */
export function isMediaAttachment(a: Attachment): boolean {
  const m = a.mimetype?.toLowerCase().split(';')[0]?.trim() ?? null;
  if (m && (m.startsWith('image/') || m.startsWith('video/') || m.startsWith('audio/'))) return true;
  return (m === null || m === 'application/octet-stream' || m === 'binary/octet-stream') && MEDIA_EXT.test(a.name);
}

/** The attachments the router reads: those that claim to be text. Screenshots, PDFs and archives
 *  shared beside a paste (or alone, in a busy channel) are left alone and never answered; a file that
 *  claims to be text but is binary or too large still gets its short reply from readPaste. */
export function readableAttachments(attachments: Attachment[]): Attachment[] {
  return attachments.filter((a) => !isMediaAttachment(a) && isTextAttachment(a));
}

export function tooLarge(bytes: number, limit: number): LockdownError {
  const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
  const line = `That paste is too large to analyse (${mib(bytes)}; the limit is ${mib(limit)}). Trim it to the hung tasks' stacks, or run \`lockdown analyze FILE\` locally.`;
  return new LockdownError('LD_INPUT_TOO_LARGE', line, { userMessage: line, details: { bytes, limit } });
}

/** Body + text attachments joined; throws LD_INPUT_TOO_LARGE / LD_ATTACHMENT (short, safe lines). */
export async function readPaste(body: string, attachments: Attachment[], limit: number): Promise<string> {
  let total = Buffer.byteLength(body, 'utf8');
  if (total > limit) throw tooLarge(total, limit);
  const parts = [body];
  for (const a of attachments) {
    if (!isTextAttachment(a)) {
      const line = `I can only read text attachments; '${a.name.slice(0, 80)}' is ${a.mimetype ?? 'not text'}. Paste the trace as text or a .txt file.`;
      throw new LockdownError('LD_ATTACHMENT', line, { userMessage: line });
    }
    if (a.size !== null && total + a.size > limit) throw tooLarge(total + a.size, limit);
    const bytes = await a.fetch(limit - total);
    total += bytes.byteLength;
    if (total > limit) throw tooLarge(total, limit);
    if (looksBinary(bytes)) {
      const line = `'${a.name.slice(0, 80)}' is binary, not a text trace (a vmcore? run crash on it and paste \`bt -a\`).`;
      throw new LockdownError('LD_ATTACHMENT', line, { userMessage: line });
    }
    parts.push(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  }
  return parts.filter((p) => p.trim() !== '').join('\n');
}

/** NUL bytes in the first 8 KiB: a binary file (vmcore, gzip), not a paste. */
function looksBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, 8192);
  for (let i = 0; i < n; i++) if (b[i] === 0) return true;
  return false;
}
