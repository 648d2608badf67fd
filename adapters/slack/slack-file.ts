// A Slack file (snippet or uploaded text file) as an Attachment the core can download.
// Slack serves `url_private_download` only with `Authorization: Bearer <bot token>` (scope files:read);
// without the scope it answers 200 with its HTML sign-in page, which we must not analyse as a trace.
// Events sometimes carry a file stub without URLs (`file_access: "check_file_info"`): files.info
// gives the full object then.

import type { Attachment } from '../../bot/types.ts';
import { LockdownError } from '../../config/errors.ts';

export interface SlackFileObject {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  mode?: string;
  url_private?: string;
  url_private_download?: string;
  file_access?: string;
}

export interface SlackFileDeps {
  botToken: string;
  fetch: typeof fetch;
  /** files.info through the WebClient (so it goes to the configured API URL and retries like the rest). */
  filesInfo(fileId: string): Promise<SlackFileObject | null>;
}

export function slackFileAttachment(file: SlackFileObject, deps: SlackFileDeps): Attachment {
  return {
    id: file.id,
    name: file.name ?? file.title ?? file.id,
    size: typeof file.size === 'number' ? file.size : null,
    mimetype: file.mimetype ?? null,
    fetch: (maxBytes: number) => downloadSlackFile(file, deps, maxBytes),
  };
}

async function downloadSlackFile(file: SlackFileObject, deps: SlackFileDeps, maxBytes: number): Promise<Uint8Array> {
  let url = file.url_private_download ?? file.url_private ?? null;
  if (!url) {
    const info = await deps.filesInfo(file.id).catch((e: unknown) => {
      throw new LockdownError('LD_ATTACHMENT', `files.info failed for ${file.id}`, { userMessage: 'Slack did not give me the file (is the files:read scope granted?).', cause: e });
    });
    url = info?.url_private_download ?? info?.url_private ?? null;
  }
  if (!url) throw new LockdownError('LD_ATTACHMENT', `file ${file.id} has no download URL`, { userMessage: 'Slack did not give me a download link for that file.' });
  if (file.mode === 'tombstone') throw new LockdownError('LD_ATTACHMENT', `file ${file.id} was deleted`, { userMessage: 'That file was deleted.' });

  let res: Response;
  try {
    res = await deps.fetch(url, { headers: { authorization: `Bearer ${deps.botToken}` } });
  } catch (e) {
    throw new LockdownError('LD_ATTACHMENT', `download of ${file.id} failed: ${e instanceof Error ? e.message : String(e)}`, { userMessage: 'Downloading the file from Slack failed.', cause: e });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new LockdownError('LD_ATTACHMENT', `download of ${file.id} answered HTTP ${res.status}`, { userMessage: `Slack refused the file download (HTTP ${res.status}).` });
  }
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/html') && !(file.mimetype ?? '').startsWith('text/html')) {
    await res.body?.cancel().catch(() => undefined);
    throw new LockdownError('LD_ATTACHMENT', `download of ${file.id} returned an HTML page (missing files:read scope?)`, { userMessage: 'Slack sent a sign-in page instead of the file: the app needs the files:read scope.' });
  }
  return readAtMost(res, maxBytes + 1);
}

/** Reads at most `limit` bytes and stops the download there (the core detects overflow by length). */
async function readAtMost(res: Response, limit: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = Math.min(value.byteLength, limit - total);
    chunks.push(take === value.byteLength ? value : value.subarray(0, take));
    total += take;
  }
  await reader.cancel().catch(() => undefined);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
