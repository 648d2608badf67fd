#!/usr/bin/env node
// The `lockdown` command. TypeScript is loaded through tsx so the repository runs as checked out
// (no build step between `npm ci` and `npx lockdown`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../adapters/cli/main.ts');
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
if (typeof code === 'number') process.exitCode = code;
