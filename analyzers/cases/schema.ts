// The case file format (one JSON file per documented case) and its ajv validator. Pure: analyzers/
// never reads files; config/load-cases.ts reads user directories and calls validateCase.

import { Ajv, type ErrorObject } from 'ajv';
import { FAMILIES, type Family } from '../contract.ts';

export interface CaseDef {
  id: string;
  title: string;
  /** What happened and why, in a few sentences. */
  summary: string;
  match: {
    /** Analyzer ids (Finding.pattern) this case explains. */
    patterns: string[];
    /** Function names; when frames or modules are given, at least one of them must appear in the paste. */
    frames?: string[];
    modules?: string[];
    families?: Family[];
  };
  /** Symbolic name of the suspect lock when the case knows it ("bfqd->lock"). */
  lockName?: string;
  checklist: string[];
  /** Commands that confirm the diagnosis; {lock} {task} {pid} {comm} {cpu} {address} are filled from the finding. */
  confirm: string[];
  references: string[];
  /** Set by the loader, not in the file. */
  origin?: 'builtin' | 'user';
}

const str = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const strList = { type: 'array', items: str, maxItems: 100 } as const;

export const CASE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'summary', 'match', 'checklist', 'confirm', 'references'],
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,63}$' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    summary: str,
    match: {
      type: 'object',
      additionalProperties: false,
      required: ['patterns'],
      properties: {
        patterns: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' }, minItems: 1, maxItems: 20 },
        frames: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' }, maxItems: 100 },
        modules: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' }, maxItems: 50 },
        families: { type: 'array', items: { enum: [...FAMILIES] }, maxItems: 20 },
      },
    },
    lockName: { type: 'string', minLength: 1, maxLength: 200 },
    checklist: { ...strList, minItems: 1 },
    confirm: strList,
    references: strList,
    origin: { enum: ['builtin', 'user'] },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(CASE_SCHEMA);

export interface CaseProblem {
  /** JSON path in the file: `$.match.patterns[0]`. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
}

function jsonPath(instancePath: string): string {
  if (!instancePath) return '$';
  return '$' + instancePath.slice(1).split('/').map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
}

function describe(e: ErrorObject): CaseProblem {
  const at = jsonPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: at === '$' ? `$.${String(p.missingProperty)}` : `${at}.${String(p.missingProperty)}`, message: `missing: add "${String(p.missingProperty)}"` };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((at === '$.match' ? CASE_SCHEMA.properties.match.properties : CASE_SCHEMA.properties) as Record<string, unknown>);
      const near = known.find((k) => editDistance(k, key) <= 2);
      return { path: `${at === '$' ? '$' : at}.${key}`, message: `unknown key "${key}": ${near ? `did you mean "${near}"?` : `remove it (allowed: ${known.filter((k) => k !== '$schema' && k !== 'origin').join(', ')})`}` };
    }
    case 'type':
      return { path: at, message: `must be a ${String(p.type)}` };
    case 'pattern':
      return { path: at, message: at === '$.id' ? 'id must be lower-case letters, digits and dashes (2-64 chars), e.g. "nic-irq-lock-reentry"' : `does not match ${String(p.pattern)}` };
    case 'enum':
      return { path: at, message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'minItems':
      return { path: at, message: `needs at least ${String(p.limit)} item(s)` };
    case 'minLength':
      return { path: at, message: 'must not be empty' };
    default:
      return { path: at, message: e.message ?? e.keyword };
  }
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Problems of one parsed case file; [] when valid. Also flags patterns that no analyzer produces. */
export function validateCase(obj: unknown, knownPatterns?: ReadonlySet<string>): CaseProblem[] {
  const out: CaseProblem[] = [];
  if (!validate(obj)) {
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const d = describe(e);
      const k = `${d.path} ${d.message}`;
      if (!seen.has(k)) out.push(d), seen.add(k);
    }
    return out;
  }
  if (knownPatterns) {
    const c = obj as CaseDef;
    c.match.patterns.forEach((p, i) => {
      if (!knownPatterns.has(p)) out.push({ path: `$.match.patterns[${i}]`, message: `no analyzer has the id "${p}"; known: ${[...knownPatterns].sort().join(', ')}` });
    });
  }
  return out;
}

export function isCaseDef(obj: unknown): obj is CaseDef {
  return validate(obj) === true;
}
