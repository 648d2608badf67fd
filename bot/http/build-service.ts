// Assembles the running bot from a validated config: store (migrated), incident service, engine,
// core, the one HTTP server with the local page mounted at "/". Used by `lockdown serve`, `lockdown
// digest --dry-run` and the lifecycle tests. The platform adapters are started by the CLI (adapters/
// may import bot/, not the reverse).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../../analyzers/contract.ts';
import { LockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import { createBotCore, type FullBotCore } from '../core.ts';
import { createIncidentService } from '../incidents/create-incident-service.ts';
import type { Logger } from '../log.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';
import type { DigestScheduler } from '../digest/scheduler.ts';
import { createHttpServer, type LockdownHttpServer } from './create-http-server.ts';

export type AnalyzeFn = (text: string, opts?: Record<string, unknown>) => Analysis;

export interface ServiceOptions {
  config: Config;
  logger: Logger;
  clock?: () => Date;
  store?: Store;
  analyze?: AnalyzeFn;
  scheduler?: DigestScheduler;
  holder?: string;
  /** Mount the local page (bot/web) at "/" when that module is present (default true). */
  web?: boolean;
}

export interface Service {
  config: Config;
  store: Store;
  core: FullBotCore;
  http: LockdownHttpServer;
  reportSecret: string;
  close(): Promise<void>;
}

const ENGINE = new URL('../../analyzers/analyze.ts', import.meta.url).href;
const BUILTIN_CASES = new URL('../../analyzers/cases/builtin/', import.meta.url);

/** The engine (analyzers/analyze.ts). */
export async function loadEngine(): Promise<AnalyzeFn> {
  try {
    const mod = (await import(ENGINE)) as { analyze?: AnalyzeFn };
    if (typeof mod.analyze === 'function') return mod.analyze;
  } catch (e) {
    throw new LockdownError('LD_INTERNAL', `cannot load the analyzer: ${(e as Error).message}`, { cause: e });
  }
  throw new LockdownError('LD_INTERNAL', 'analyzers/analyze.ts exports no analyze()');
}

/** Built-in case ids and titles (for `/lockdown cases`); user cases via config/load-cases.ts when present. */
async function loadCaseList(config: Config, logger: Logger): Promise<{ list: Array<{ id: string; title: string }>; cases: unknown[] | null }> {
  const list: Array<{ id: string; title: string }> = [];
  try {
    for (const f of readdirSync(BUILTIN_CASES).filter((n) => n.endsWith('.json')).sort()) {
      const c = JSON.parse(readFileSync(join(BUILTIN_CASES.pathname, f), 'utf8')) as { id?: string; title?: string };
      if (c.id) list.push({ id: c.id, title: c.title ?? c.id });
    }
  } catch {
    /* no built-in cases directory yet */
  }
  if (config.cases.dirs.length === 0) return { list, cases: null };
  try {
    const mod = (await import(new URL('../../config/load-cases.ts', import.meta.url).href)) as { loadCaseDirs?: (dirs: readonly string[]) => { cases: Array<{ id: string; title: string }>; problems: unknown[] } };
    if (!mod.loadCaseDirs) return { list, cases: null };
    const { cases, problems } = mod.loadCaseDirs(config.cases.dirs);
    if (problems.length) logger.warn({ problems: problems.length }, 'some user cases are invalid: run `lockdown cases check DIR`');
    for (const c of cases) list.push({ id: c.id, title: c.title });
    return { list, cases };
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'user cases not loaded');
    return { list, cases: null };
  }
}

export async function buildService(o: ServiceOptions): Promise<Service> {
  const { config, logger } = o;
  const clock = o.clock ?? (() => new Date());
  const store = o.store ?? createStore(config, clock);
  await store.migrate();
  const incidents = createIncidentService({ store, clock, permissions: config.permissions });
  const analyze = o.analyze ?? (await loadEngine());
  const cases = await loadCaseList(config, logger);

  // The local page and report links (bot/web), when that module is present.
  const web = o.web !== false ? await import('../web/mount-web.ts').catch(() => null) : null;
  const tokens = await import('../web/report-token.ts').catch(() => null);
  const reportSecret = tokens ? await tokens.resolveReportSecret(config.server.reportSecret, store, clock().toISOString()) : (config.server.reportSecret ?? '');
  const reportUrl = web ? web.reportLinker(config.server.publicUrl, reportSecret) : undefined;

  const core = createBotCore({
    config, store, incidents, analyze, clock, logger,
    ...(o.scheduler ? { scheduler: o.scheduler } : {}),
    ...(o.holder ? { holder: o.holder } : {}),
    ...(reportUrl ? { reportUrl } : {}),
    ...(cases.cases ? { analyzeOpts: { cases: cases.cases } } : {}),
    listCases: () => cases.list,
  });
  const http = createHttpServer({ config, core, logger });

  if (web) web.mountWebPage(http, core, reportSecret);

  return {
    config, store, core, http, reportSecret,
    async close() {
      await core.close();
      await http.close();
      await store.close();
    },
  };
}
