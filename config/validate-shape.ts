// The schema half of config validation: ajv (allErrors, useDefaults) on the merged raw config, its
// errors turned into one readable problem per JSON path, each with a right value taken from the
// schema's `examples`. Values of secret keys are never quoted.

import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CONFIG_SCHEMA } from './schema.ts';
import { SECRET_KEYS } from './types.ts';

export interface ConfigProblem {
  /** JSON path such as `digest.channels[0].cron`, or `env PORT (server.port)`. */
  path: string;
  problem: string;
  /** A right value, as JSON text. */
  example?: string;
}

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, useDefaults: true, allowUnionTypes: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(CONFIG_SCHEMA);

type SchemaNode = Record<string, unknown>;

/** Validates (and fills defaults into) `raw`. */
export function validateShape(raw: unknown): ConfigProblem[] {
  if (validate(raw)) return [];
  const byKey = new Map<string, ConfigProblem>();
  for (const err of validate.errors ?? []) {
    const p = describe(err, raw);
    if (p && !byKey.has(p.path)) byKey.set(p.path, p);
  }
  return [...byKey.values()];
}

function segments(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPath(segs: readonly string[]): string {
  let out = '';
  for (const s of segs) out += /^\d+$/.test(s) ? `[${s}]` : out === '' ? s : `.${s}`;
  return out === '' ? '(root)' : out;
}

function schemaAt(segs: readonly string[]): SchemaNode | null {
  let node: SchemaNode | null = CONFIG_SCHEMA as unknown as SchemaNode;
  for (const s of segs) {
    if (!node) return null;
    if (/^\d+$/.test(s) && node.items) node = node.items as SchemaNode;
    else node = ((node.properties as Record<string, SchemaNode> | undefined)?.[s]) ?? null;
  }
  return node;
}

function exampleAt(segs: readonly string[]): string | undefined {
  const ex = schemaAt(segs)?.examples;
  return Array.isArray(ex) && ex.length > 0 ? JSON.stringify(ex[0]) : undefined;
}

function valueAt(raw: unknown, segs: readonly string[]): unknown {
  let v = raw;
  for (const s of segs) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function quote(segs: readonly string[], raw: unknown): string {
  const last = segs[segs.length - 1];
  if (last !== undefined && SECRET_KEYS.includes(last)) return '(secret value not shown)';
  const text = JSON.stringify(valueAt(raw, segs)) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(err: ErrorObject, raw: unknown): ConfigProblem | null {
  const segs = segments(err.instancePath);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((schemaAt(segs)?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
      return { path: formatPath([...segs, key]), problem: `unknown key "${key}"; allowed keys here: ${allowed.join(', ')}` };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return { path: formatPath([...segs, key]), problem: 'is required', example: exampleAt([...segs, key]) };
    }
    case 'enum':
      return { path: formatPath(segs), problem: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${quote(segs, raw)}`, example: exampleAt(segs) };
    case 'const':
    case 'anyOf':
      // Permissions: "everyone" or a list of user ids.
      return { path: formatPath(segs), problem: `must be "everyone" or a list of user ids, got ${quote(segs, raw)}`, example: exampleAt(segs) };
    case 'type':
      return { path: formatPath(segs), problem: `must be ${String(params.type).replace(',', ' or ')}, got ${quote(segs, raw)}`, example: exampleAt(segs) };
    case 'format':
      return { path: formatPath(segs), problem: `must be a valid ${String(params.format)}, got ${quote(segs, raw)}`, example: exampleAt(segs) };
    default:
      return { path: formatPath(segs), problem: `${err.message ?? 'is invalid'}, got ${quote(segs, raw)}`, example: exampleAt(segs) };
  }
}
