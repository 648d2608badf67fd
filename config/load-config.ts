// loadConfig(env, path): the ONLY reader of the environment in lockdown (callers pass process.env).
// The file (--config, LOCKDOWN_CONFIG, or ./lockdown.config.json when present) gives the settings, the
// environment gives secrets and overrides; the merged object is validated once (ajv, defaults,
// `additionalProperties: false`), checked for what a schema cannot say (cron, time zone, an API token
// when listening beyond loopback), and deep-frozen. Errors name the file, the JSON path, what is wrong
// and a right value; secrets are never quoted.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LockdownError } from './errors.ts';
import type { Config } from './types.ts';
import { checkSemantics } from './check-semantics.ts';
import { applyEnv, type Env } from './apply-env.ts';
import { validateShape, type ConfigProblem } from './validate-shape.ts';

export type { Env } from './apply-env.ts';
export type { ConfigProblem } from './validate-shape.ts';

export const DEFAULT_CONFIG_FILE = 'lockdown.config.json';

export interface LoadOptions {
  /** Where ./lockdown.config.json is looked for (default process.cwd(), passed by tests). */
  cwd?: string;
}

/** Which file to read: the explicit path, else LOCKDOWN_CONFIG, else ./lockdown.config.json if it exists. */
export function resolveConfigPath(env: Env, path?: string | null, opts: LoadOptions = {}): string | null {
  const cwd = opts.cwd ?? process.cwd();
  if (path) return resolve(cwd, path);
  if (env.LOCKDOWN_CONFIG) return resolve(cwd, env.LOCKDOWN_CONFIG);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : null;
}

/** Reads, merges with env, validates and freezes. Throws LockdownError LD_CONFIG_UNREADABLE / LD_CONFIG_INVALID. */
export function loadConfig(env: Env, path?: string | null, opts: LoadOptions = {}): Config {
  const file = resolveConfigPath(env, path, opts);
  const raw = file ? readConfigFile(file) : {};
  return buildConfig(raw, env, file ?? '(no config file)');
}

/** Validates an already-parsed config object (merged with `env`), as loadConfig does. */
export function buildConfig(raw: unknown, env: Env, source: string): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(source, [{ path: '(root)', problem: 'must be a JSON object', example: '{ "server": { "port": 3000 } }' }]);
  }
  const copy = structuredClone(raw) as Record<string, unknown>;
  const envProblems = applyEnv(copy, env);
  const problems = [...envProblems, ...validateShape(copy)];
  if (problems.length === 0) problems.push(...checkSemantics(copy as unknown as Config));
  if (problems.length > 0) throw invalid(source, problems);
  return deepFreeze(copy) as unknown as Config;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new LockdownError('LD_CONFIG_UNREADABLE', `${file}: the config file ${reason}`, {
      userMessage: `The config file ${file} ${reason}.`,
      details: { file },
      cause: e,
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8's message quotes the text around the error, which may be a token: report a position only.
    const where = jsonErrorPosition(text, (e as Error).message);
    const problem = `not valid JSON${where}`;
    throw new LockdownError('LD_CONFIG_INVALID', `${file}: ${problem}; for example {"server": {"port": 3000}}`, {
      details: { file, errors: [{ path: '(root)', problem }] },
    });
  }
}

function jsonErrorPosition(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return /end of JSON/i.test(message) ? ' (it ends too early)' : '';
  const pos = Number(m[1]);
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return ` near line ${line}, column ${col}`;
}

function invalid(source: string, problems: ConfigProblem[]): LockdownError {
  const lines = problems.map((p) => `${source}: ${p.path}: ${p.problem}${p.example === undefined ? '' : `; for example ${p.example}`}`);
  return new LockdownError('LD_CONFIG_INVALID', lines.join('\n'), {
    userMessage: `The configuration ${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}).`,
    details: { file: source, errors: problems },
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
