// Reads one input for `lockdown analyze`: a file, or standard input for "-", never more than `limit`
// bytes (the size is checked before reading a file, and while reading a stream). Errors are
// LockdownErrors with a one-line message that names the input.

import { open } from 'node:fs/promises';
import { LockdownError } from '../../config/errors.ts';

export async function readInput(name: string, stdin: NodeJS.ReadableStream, limit: number): Promise<string> {
  const buf = name === '-' ? await readStream(stdin, limit) : await readFileLimited(name, limit);
  return buf.toString('utf8');
}

function tooLarge(name: string, size: number | null, limit: number): LockdownError {
  const what = name === '-' ? 'standard input' : name;
  const seen = size === null ? 'more than' : `${size} bytes,`;
  return new LockdownError('LD_INPUT_TOO_LARGE', `${what}: ${seen} over the ${limit}-byte limit (limits.analyzeBytes); cut the paste to the relevant traces`);
}

async function readFileLimited(path: string, limit: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new LockdownError('LD_INPUT_UNREADABLE', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new LockdownError('LD_INPUT_UNREADABLE', `${path}: is a directory`);
    if (st.size > limit) throw tooLarge(path, st.size, limit);
    // Read up to limit + 1 bytes: a file that grew (or a FIFO) is still caught.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooLarge(path, null, limit);
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof LockdownError) throw e;
    throw new LockdownError('LD_INPUT_UNREADABLE', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function readStream(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (err) {
        stream.pause?.();
        reject(err);
      } else resolve(Buffer.concat(chunks, total));
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      total += b.length;
      if (total > limit) return finish(tooLarge('-', null, limit));
      chunks.push(b);
    };
    const onEnd = () => finish(null);
    const onError = (e: Error) => finish(new LockdownError('LD_INPUT_UNREADABLE', `standard input: cannot read (${e.message})`, { cause: e }));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume?.();
  });
}
