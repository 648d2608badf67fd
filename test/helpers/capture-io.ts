// A CliIo for running a `lockdown` subcommand in-process: stdin from a string, stdout and stderr
// captured synchronously (a Writable whose _write appends), env given as a literal.

import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../adapters/cli/io.ts';

class Sink extends Writable {
  data = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.data += chunk.toString();
    cb();
  }
}

export interface CapturedIo {
  io: CliIo;
  out(): string;
  err(): string;
}

export function captureIo(env: NodeJS.ProcessEnv = {}, stdinText?: string): CapturedIo {
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText);
  const stdout = new Sink();
  const stderr = new Sink();
  return { io: { stdin, stdout, stderr, env }, out: () => stdout.data, err: () => stderr.data };
}
