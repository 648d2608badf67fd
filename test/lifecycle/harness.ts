// Test doubles for driving the whole bot in-process: a fake clock, a recording PlatformPort (the
// "in-process fake adapter"), a fake digest scheduler, SQLite/PostgreSQL stores, and a core factory.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/types.ts';
import { createBotCore, type FullBotCore } from '../../bot/core.ts';
import { createIncidentService } from '../../bot/incidents/create-incident-service.ts';
import { silentLogger } from '../../bot/log.ts';
import type { PlatformPort, PostedRef, ReplyTarget } from '../../bot/ports.ts';
import { createPgStore } from '../../bot/store/pg-store.ts';
import { createSqliteStore } from '../../bot/store/sqlite-store.ts';
import type { Store } from '../../bot/store/store.ts';
import type { Platform, PlatformMessage, Reply } from '../../bot/types.ts';
import type { DigestScheduler } from '../../bot/digest/scheduler.ts';
import type { Analysis } from '../../analyzers/contract.ts';
import { LockdownError } from '../../config/errors.ts';
import { detectTrace } from '../../bot/router/detect-trace.ts';
import { notKernelAnalysis, selfDeadlockAnalysis } from '../fixtures/analysis-samples.ts';

export const SEEDS = '/work/shared/seeds';

export class FakeClock {
  t: number;
  constructor(iso = '2026-11-24T08:00:00.000Z') {
    this.t = Date.parse(iso);
  }
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

/** The in-process fake adapter: records every post and update; can fail or hang on demand. */
export class RecordingPort implements PlatformPort {
  posts: Array<{ target: ReplyTarget; reply: Reply; ref: PostedRef }> = [];
  updates: Array<{ ref: PostedRef; reply: Reply }> = [];
  reactions: Array<{ target: ReplyTarget; emoji: string }> = [];
  mode: 'ok' | 'throw' | 'hang' = 'ok';
  private seq = 0;
  constructor(readonly platform: Platform = 'test') {}
  async post(target: ReplyTarget, reply: Reply): Promise<PostedRef> {
    if (this.mode === 'throw') throw new LockdownError('LD_PLATFORM', 'platform said no');
    if (this.mode === 'hang') return new Promise<PostedRef>(() => undefined);
    const ref: PostedRef = { platform: this.platform, channel: target.channel, thread: target.thread ?? target.messageId, messageId: `posted-${++this.seq}` };
    this.posts.push({ target, reply, ref });
    return ref;
  }
  async update(ref: PostedRef, reply: Reply): Promise<void> {
    this.updates.push({ ref, reply });
  }
  async react(target: ReplyTarget, emoji: string): Promise<void> {
    this.reactions.push({ target, emoji });
  }
}

/** Fires scheduled ticks on demand: `fire(slot)` runs every job, as node-cron would at that minute. */
export class FakeScheduler implements DigestScheduler {
  jobs: Array<{ expr: string; fn: (slot: Date) => void; timezone: string; name: string; stopped: boolean }> = [];
  schedule(expr: string, fn: (slot: Date) => void, opts: { timezone: string; name: string }) {
    const job = { expr, fn, ...opts, stopped: false };
    this.jobs.push(job);
    return { stop: () => void (job.stopped = true) };
  }
  fire(slot: Date): void {
    for (const j of this.jobs) if (!j.stopped) j.fn(slot);
  }
}

export function testConfig(raw: Record<string, unknown> = {}): Config {
  return buildConfig({ log: { level: 'silent' }, ...raw }, {}, 'test');
}

export function sqliteStore(path?: string, clock: () => Date = () => new Date()): { store: Store; path: string } {
  const p = path ?? join(mkdtempSync(join(tmpdir(), 'lockdown-test-')), 'lockdown.db');
  return { store: createSqliteStore({ path: p, clock }), path: p };
}

export const PG_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema on the test PostgreSQL, or null (with the reason) when unreachable. */
export async function pgSchema(): Promise<{ schema: string; drop: () => Promise<void> } | { skip: string }> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (e) {
    const why = `PostgreSQL not reachable at ${PG_URL.replace(/\/\/[^@]*@/, '//')}: ${(e as Error).message}`;
    if (process.env.LOCKDOWN_REQUIRE_PG === '1') throw new Error(why);
    return { skip: `${why}: skipping the PostgreSQL lifecycle tests` };
  }
  await client.end();
  const schema = `lockdown_life_${randomBytes(5).toString('hex')}`;
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export function pgStore(schema: string, clock: () => Date = () => new Date()): Store {
  return createPgStore({ connectionString: PG_URL, clock, schema, maxConnections: 4 });
}

/** Stand-in engine until analyzers/analyze.ts lands: one signature per distinct detector/header line. */
export function fixtureAnalyze(text: string): Analysis {
  if (!detectTrace(text).isTrace) return notKernelAnalysis();
  const first = text.split('\n').find((l) => /blocked for more than|soft lockup|LOCKUP|PID:\s+\d+|Call Trace|\+0x/.test(l)) ?? text.slice(0, 80);
  return selfDeadlockAnalysis(createHash('sha256').update(first.trim()).digest('hex').slice(0, 16));
}

/** The real engine when it exists, else the stand-in (says so once). */
export async function loadAnalyzer(): Promise<{ analyze: (text: string) => Analysis; real: boolean }> {
  try {
    const mod = (await import('../../analyzers/analyze.ts' as string)) as { analyze: (text: string) => Analysis };
    if (typeof mod.analyze === 'function') return { analyze: (t) => mod.analyze(t), real: true };
  } catch {
    /* not there yet */
  }
  console.log('# analyzers/analyze.ts not available: lifecycle tests use the fixture analyzer');
  return { analyze: fixtureAnalyze, real: false };
}

export interface BotOptions {
  store: Store;
  clock?: FakeClock;
  holder?: string;
  config?: Config;
  analyze?: (text: string) => Analysis;
  scheduler?: FakeScheduler;
}

export async function makeBot(o: BotOptions): Promise<{ core: FullBotCore; clock: FakeClock; scheduler: FakeScheduler }> {
  const clock = o.clock ?? new FakeClock();
  const config = o.config ?? testConfig();
  const scheduler = o.scheduler ?? new FakeScheduler();
  await o.store.migrate();
  const incidents = createIncidentService({ store: o.store, clock: clock.now, permissions: config.permissions });
  const core = createBotCore({
    config, store: o.store, incidents, analyze: o.analyze ?? fixtureAnalyze, clock: clock.now, logger: silentLogger(), scheduler,
    holder: o.holder ?? 'replica-a', workerModule: new URL('../fixtures/fake-analyzer.ts', import.meta.url).href,
  });
  return { core, clock, scheduler };
}

let n = 0;
export function message(text: string, over: Partial<PlatformMessage> = {}): PlatformMessage {
  n++;
  return {
    platform: 'test', workspace: 'T1', channel: 'C1', channelName: 'storage', thread: null, messageId: `m${n}`, eventId: `ev${n}`,
    author: 'U1', authorName: 'alice', text, attachments: [], link: null, ...over,
  };
}

/** Waits until `pred` holds (polling the event loop; no timing assertions). */
export async function until(pred: () => boolean | Promise<boolean>, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
