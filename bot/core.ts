// createBotCore: the platform-neutral bot (BotCore in bot/ports.ts) plus what `lockdown serve`, the
// HTTP API and the local page need (analyse for the API, status changes, digest, outbox drain).

import { hostname } from 'node:os';
import type { Analysis } from '../analyzers/contract.ts';
import { asLockdownError, LockdownError } from '../config/errors.ts';
import type { Config } from '../config/types.ts';
import type { Actor, IncidentService, StatusChange } from './incidents/incident-service.ts';
import type { Logger } from './log.ts';
import type { ActionOutcome, BotCore, MessageOutcome, PlatformPort } from './ports.ts';
import type { Store } from './store/store.ts';
import type { Action, Command, Incident, PlatformMessage, Reply } from './types.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createAnalysisRunner, type AnalyzeFn } from './router/analysis-runner.ts';
import { analyzeAndRecord } from './router/analyze-and-record.ts';
import type { CoreContext } from './router/core-context.ts';
import { createOutbox, type Outbox } from './router/deliver-outbox.ts';
import { handleMessage } from './router/handle-message.ts';
import { tooLarge } from './router/read-paste.ts';
import { changeStatus, describe, type StatusRequest } from './commands/change-status.ts';
import { runCommand } from './commands/run-command.ts';
import { renderAnalysisReply, renderError, renderIncidentList } from './render/index.ts';
import { statusLabel } from './render/format.ts';
import { createDigestService, type DigestService } from './digest/digest-service.ts';
import { nodeCronScheduler, type DigestScheduler } from './digest/scheduler.ts';

export interface BotCoreDeps {
  config: Config;
  store: Store;
  incidents: IncidentService;
  analyze: AnalyzeFn;
  clock?: () => Date;
  logger: Logger;
  metrics?: Metrics;
  scheduler?: DigestScheduler;
  /** Replica id for outbox claims and digest leases; a restarted replica should reuse its id. */
  holder?: string;
  /** Worker module for large pastes (default analyzers/analyze.ts). */
  workerModule?: string;
  /** Second argument of analyze() (e.g. `{ cases }` loaded from config cases.dirs); plain data. */
  analyzeOpts?: Record<string, unknown>;
  reportUrl?: (occurrenceId: number) => string | null;
  listCases?: () => Array<{ id: string; title: string }>;
  timers?: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

export interface ApiAnalysisResult {
  analysis: Analysis;
  incident: Incident | null;
  occurrenceId: number | null;
  reply: Reply;
  isNew: boolean;
  regression: boolean;
  duplicate: boolean;
}

export interface FullBotCore extends BotCore {
  readonly context: CoreContext;
  readonly metrics: Metrics;
  readonly digest: DigestService;
  /** Analyse text from the HTTP API / local page; records an occurrence (platform api/web) unless not a kernel trace. */
  analyzeText(text: string, meta?: { platform?: 'api' | 'web'; author?: string | null; eventId?: string; channel?: string }): Promise<ApiAnalysisResult>;
  changeStatus(id: string, req: StatusRequest, actor: Actor): Promise<StatusChange>;
  /** Delivers every pending outbox entry for the registered ports (called at start). */
  drainOutbox(): Promise<{ delivered: number; failed: number }>;
  /** Drains the outbox periodically (entries whose claim lapsed after a crash, other replicas' leftovers). */
  startOutboxTimer(intervalMs?: number): void;
  close(): Promise<void>;
}

export function createBotCore(deps: BotCoreDeps): FullBotCore {
  const metrics = deps.metrics ?? createMetrics();
  const ctx: CoreContext = {
    config: deps.config,
    store: deps.store,
    incidents: deps.incidents,
    clock: deps.clock ?? (() => new Date()),
    logger: deps.logger,
    metrics,
    runner: createAnalysisRunner({ analyze: deps.analyze, asyncBytes: deps.config.limits.asyncAnalysisBytes, ...(deps.workerModule ? { workerModule: deps.workerModule } : {}), ...(deps.analyzeOpts ? { analyzeOpts: deps.analyzeOpts } : {}) }),
    ports: new Map(),
    holder: deps.holder ?? `${hostname()}:${deps.config.server.port}`,
    reportUrl: deps.reportUrl ?? (() => null),
    listCases: deps.listCases ?? (() => []),
  };
  const outbox: Outbox = createOutbox(ctx, deps.timers);
  const digest = createDigestService(ctx, outbox, deps.scheduler ?? nodeCronScheduler());
  let drainTimer: ReturnType<typeof setInterval> | null = null;

  async function act(action: Action): Promise<ActionOutcome> {
    const actor: Actor = { id: action.author, name: action.authorName };
    const req: StatusRequest = action.action === 'mute' ? { kind: 'mute', until: new Date(ctx.clock().getTime() + 7 * 86_400_000).toISOString() } : action.action === 'resolve' ? { kind: 'resolve', note: null } : { kind: action.action };
    const ch = await changeStatus(ctx, outbox, action.incidentId, req, actor, action.message ? { platform: action.platform, ...action.message } : null);
    const occ = await ctx.incidents.occurrences(ch.incident.id);
    const latest = occ[occ.length - 1];
    const reply = latest ? renderAnalysisReply(latest.analysis, ch.incident, null, { reportUrl: ctx.reportUrl(latest.id) }) : renderIncidentList([ch.incident], { withActions: true, ephemeral: false });
    const notice = ch.changed ? `${ch.incident.id} ${describe(req)} (now ${statusLabel(ch.incident)})` : `${ch.incident.id} is already ${statusLabel(ch.incident)}.`;
    return { reply, incident: ch.incident, notice };
  }

  return {
    context: ctx,
    metrics,
    digest,
    registerPort(port: PlatformPort) {
      // Registering the same port again (an adapter's start() and its host both doing it) is a no-op:
      // one drain per port, not one per call.
      if (ctx.ports.get(port.platform) === port) return;
      ctx.ports.set(port.platform, port);
      // Replies that were committed but never posted (crash, platform outage) go out now, once.
      void outbox.drain(port.platform).catch((e: unknown) => ctx.logger.error({ err: asLockdownError(e).message }, 'outbox drain failed'));
    },
    async handleMessage(msg: PlatformMessage): Promise<MessageOutcome> {
      try {
        return await handleMessage(ctx, outbox, msg);
      } catch (err) {
        const e = asLockdownError(err);
        metrics.inc('lockdown_errors_total', { code: e.code });
        ctx.logger.error({ platform: msg.platform, channel: msg.channel, eventId: msg.eventId, code: e.code, err: e.message }, 'message not handled');
        throw e;
      }
    },
    handleCommand: (cmd: Command) => runCommand(ctx, outbox, cmd, digest),
    async handleAction(action: Action): Promise<ActionOutcome> {
      try {
        return await act(action);
      } catch (err) {
        metrics.inc('lockdown_errors_total', { code: asLockdownError(err).code });
        const r = renderError(err, ctx.logger, { action: action.action, incident: action.incidentId });
        const incident = await ctx.incidents.get(action.incidentId).catch(() => null);
        const reply = incident ? renderIncidentList([incident], { withActions: true, ephemeral: false }) : r;
        return { reply, incident, notice: r.text };
      }
    },
    async home(workspace: string) {
      const list = await ctx.incidents.listUnresolved({ workspace });
      return renderIncidentList(list.filter((i) => i.status !== 'muted'), { title: 'Open incidents', withActions: true, ephemeral: false });
    },
    async openIncidents(workspace?: string) {
      return ctx.incidents.list({ status: ['open', 'acknowledged'], ...(workspace ? { workspace } : {}) });
    },
    async analyzeText(text, meta = {}) {
      const platform = meta.platform ?? 'api';
      const eventId = meta.eventId ?? `${platform}:${crypto.randomUUID()}`;
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > ctx.config.limits.pasteBytes) throw tooLarge(bytes, ctx.config.limits.pasteBytes);
      const occMeta = { platform, workspace: 'local', channel: meta.channel ?? platform, channelName: meta.channel ?? platform, thread: null, messageId: eventId, link: null, author: meta.author ?? '' };
      const res = await analyzeAndRecord(ctx, outbox, { meta: occMeta, eventId, text, target: null });
      if (res.kind === 'duplicate') throw new LockdownError('LD_CONFLICT', `event ${eventId} was already handled`, { userMessage: 'This request was already handled (same Idempotency-Key).' });
      if (res.kind === 'not-kernel') {
        return { analysis: res.analysis, incident: null, occurrenceId: null, reply: renderAnalysisReply(res.analysis, null, null), isNew: false, regression: false, duplicate: false };
      }
      const r = res.record;
      return { analysis: res.analysis, incident: r.incident, occurrenceId: r.occurrence.id, reply: res.reply, isNew: r.isNew, regression: r.regression, duplicate: r.duplicateFrom !== null };
    },
    changeStatus: (id, req, actor) => changeStatus(ctx, outbox, id, req, actor),
    drainOutbox: () => outbox.drain(),
    startOutboxTimer(intervalMs = 15_000) {
      if (drainTimer) return;
      drainTimer = setInterval(() => {
        void outbox.drain().catch((e: unknown) => ctx.logger.error({ err: asLockdownError(e).message }, 'outbox drain failed'));
      }, intervalMs);
      drainTimer.unref();
    },
    async close() {
      if (drainTimer) clearInterval(drainTimer);
      drainTimer = null;
      digest.stop();
      outbox.stop();
      await digest.idle();
    },
  };
}
