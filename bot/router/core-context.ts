// What every part of the core shares: config, store, incident service, clock, logger, metrics, ports.
// Built once by createBotCore (bot/core.ts); passed to the message, command, outbox and digest code.

import type { Config } from '../../config/types.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../http/metrics.ts';
import type { PlatformPort } from '../ports.ts';
import type { Store } from '../store/store.ts';
import type { Platform } from '../types.ts';
import type { AnalysisRunner } from './analysis-runner.ts';

export interface CoreContext {
  config: Config;
  store: Store;
  incidents: IncidentService;
  clock: () => Date;
  logger: Logger;
  metrics: Metrics;
  runner: AnalysisRunner;
  ports: Map<Platform, PlatformPort>;
  /** This replica's id for outbox claims and digest leases (stable across a restart of one replica). */
  holder: string;
  /** Report page link for an occurrence, when publicUrl and reportSecret are configured. */
  reportUrl: (occurrenceId: number) => string | null;
  /** Case list for `/lockdown cases`. */
  listCases: () => Array<{ id: string; title: string }>;
}

export function nowIso(ctx: Pick<CoreContext, 'clock'>): string {
  return ctx.clock().toISOString();
}
