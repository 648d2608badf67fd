// One paste → analysis → (in ONE transaction) event claim + occurrence + outbox entry. The claim sits in
// the same transaction as the occurrence so a crash can never leave an event "handled" with nothing
// recorded (the platform's retry would then be ignored and the paste lost).

import type { Analysis } from '../../analyzers/contract.ts';
import type { OccurrenceMeta, RecordResult } from '../incidents/incident-service.ts';
import type { ReplyTarget } from '../ports.ts';
import type { Reply } from '../types.ts';
import { renderAnalysisReply } from '../render/index.ts';
import { withQuotedLines } from '../web/evidence-quote.ts';
import { day } from '../render/format.ts';
import { nowIso, type CoreContext } from './core-context.ts';
import type { Outbox } from './deliver-outbox.ts';

export type AnalyzeOutcome =
  | { kind: 'duplicate' }
  | { kind: 'not-kernel'; analysis: Analysis }
  | { kind: 'recorded'; analysis: Analysis; record: RecordResult; reply: Reply; deliveryId: number | null };

export interface AnalyzeInput {
  meta: OccurrenceMeta;
  eventId: string;
  text: string;
  /** Where the reply goes through the outbox; null = the caller returns it (commands, API). */
  target: ReplyTarget | null;
}

export async function runAnalysis(ctx: CoreContext, text: string, source: string): Promise<Analysis> {
  const t0 = performance.now();
  const { analysis, inWorker } = await ctx.runner.run(text);
  const secs = (performance.now() - t0) / 1000;
  ctx.metrics.inc('lockdown_analyses_total', { family: analysis.family, source });
  ctx.metrics.observe('lockdown_analysis_duration_seconds', secs);
  // Sizes, family and timing only: a pasted trace never goes to the log.
  ctx.logger.info({ bytes: text.length, family: analysis.family, signature: analysis.signature, findings: analysis.findings.length, ms: Math.round(secs * 1000), inWorker, source }, 'analysed');
  return analysis;
}

export async function analyzeAndRecord(ctx: CoreContext, outbox: Outbox, input: AnalyzeInput): Promise<AnalyzeOutcome> {
  const analysis = await runAnalysis(ctx, input.text, input.meta.platform);
  if (analysis.family === 'not_kernel') return { kind: 'not-kernel', analysis };
  return ctx.store.transaction(async (tx) => {
    if (!(await tx.claimEvent(input.meta.platform, input.eventId, nowIso(ctx)))) return { kind: 'duplicate' } as const;
    // The cited lines' text is kept with the stored analysis so the full report can quote them later.
    const record = await ctx.incidents.recordOccurrence(input.meta, withQuotedLines(analysis, input.text), tx);
    const reply = record.muted ? mutedReply(record) : renderAnalysisReply(analysis, record.incident, record, { reportUrl: ctx.reportUrl(record.occurrence.id) });
    const deliveryId = input.target ? await outbox.enqueue(tx, input.target, reply, { kind: 'analysis', eventId: input.eventId, incidentId: record.incident.id }) : null;
    return { kind: 'recorded', analysis, record, reply, deliveryId } as const;
  });
}

/** A muted incident still records the occurrence, but the thread gets one quiet line, not a report. */
function mutedReply(r: RecordResult): Reply {
  const i = r.incident;
  const line = `${i.id} seen again (${r.seenCount} times since ${day(r.firstSeen)}); it is muted${i.mutedUntil ? ` until ${day(i.mutedUntil)}` : ''}, so no full report. \`/lockdown show ${i.id}\` for details.`;
  return { text: line, blocks: [{ type: 'context', text: line }], ephemeral: false, incidentId: i.id, reportUrl: null, fullMarkdown: null };
}
