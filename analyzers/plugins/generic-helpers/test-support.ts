// Test support for the generic plugins: parse a console fixture (analyzers/parse/console/fixtures/)
// or a seed document and run one plugin the way analyze() does.

import { readFileSync } from 'node:fs';
import { parse } from '../../parse/parse.ts';
import { classify } from '../../classify/index.ts';
import type { Finding } from '../../contract.ts';
import type { TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';

export function consoleFixture(name: string): string {
  return readFileSync(new URL(`../../parse/console/fixtures/${name}`, import.meta.url), 'utf8');
}

export function seedText(name: string): string {
  return readFileSync(new URL(`../../../../shared/seeds/${name}`, import.meta.url), 'utf8');
}

export function runPlugin(plugin: Plugin, text: string): { findings: Finding[]; model: TraceModel } {
  const model = parse(text);
  const { family } = classify(model);
  return { findings: plugin.run(model, { family }), model };
}
