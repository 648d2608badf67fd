// Starts the real `lockdown serve` as a child process on an ephemeral loopback port with a fresh
// SQLite store in a temporary directory, and waits for the local page URL it prints.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServeProcess {
  url: string; // "http://127.0.0.1:PORT/"
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

export async function startServe(opts: { reportSecret: string; timeoutMs?: number }): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'lockdown-web-'));
  const configPath = join(dir, 'lockdown.config.json');
  writeFileSync(configPath, JSON.stringify({ server: { host: '127.0.0.1', port: 0 }, store: { kind: 'sqlite', sqlitePath: join(dir, 'lockdown.db') } }));
  // A minimal environment: no chat tokens (the page must work without them), no DATABASE_URL.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LOCKDOWN_CONFIG: configPath,
    LOCKDOWN_REPORT_SECRET: opts.reportSecret,
    PORT: '0',
  };
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/lockdown.js'), 'serve', '--config', configPath], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lockdown serve printed no http://127.0.0.1:PORT/ URL in time. Output:\n${out}`)), opts.timeoutMs ?? 30_000);
    const check = (): void => {
      const m = /http:\/\/127\.0\.0\.1:([1-9]\d{0,4})\/?/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/`);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lockdown serve exited (${code}) before it printed its URL. Output:\n${out}`));
    });
  });
  return {
    url,
    dir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
