// Builds the web handler's services from the bot's own: the incident service records a page paste
// like any chat paste (platform "web"), bot/render produces the very reply chat shows, and a button
// press on the page goes through BotCore.handleAction when a core is given, so notices reach the
// incident's chat threads exactly as a Slack or Discord button would.

import { randomUUID } from 'node:crypto';
import type { Analysis } from '../../analyzers/contract.ts';
import type { Config } from '../../config/types.ts';
import type { IncidentService, OccurrenceMeta } from '../incidents/incident-service.ts';
import type { BotCore } from '../ports.ts';
import { renderAnalysisReply, renderDigest } from '../render/index.ts';
import type { StoreOps } from '../store/store.ts';
import type { ActionId, Occurrence } from '../types.ts';
import { withQuotedLines } from './evidence-quote.ts';
import type { WebDeps } from './index.ts';
import { reportUrl } from './report-token.ts';

export interface WebServices {
  config: Pick<Config, 'server' | 'limits'>;
  incidents: IncidentService;
  /** For the report's occurrence lookup: `getOccurrence(id)` when the store has it, else a scan. */
  store?: Partial<Pick<StoreOps, 'listOccurrences'>> & { getOccurrence?(id: number): Promise<Occurrence | null> };
  runAnalysis(text: string): Promise<Analysis>;
  core?: Pick<BotCore, 'handleAction'>;
  clock: () => Date;
  reportSecret: string;
}

const pageMeta = (): OccurrenceMeta => ({ platform: 'web', workspace: 'local', channel: 'web', channelName: 'the local page', thread: null, messageId: `web-${randomUUID()}`, link: null, author: 'web' });
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MUTE_DAYS = 7;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

export function createWebDeps(s: WebServices): WebDeps {
  const findOccurrence = async (id: number): Promise<Occurrence | null> => {
    if (s.store?.getOccurrence) return s.store.getOccurrence(id);
    // No direct lookup in the store: walk the incidents (fine for the local page's volumes).
    for (const incident of await s.incidents.list()) {
      const hit = (await s.incidents.occurrences(incident.id)).find((o) => o.id === id);
      if (hit) return hit;
    }
    return null;
  };

  return {
    reportSecret: s.reportSecret,
    maxPasteBytes: s.config.limits.pasteBytes,
    allowWrites: isLoopbackHost(s.config.server.host),
    async analyzePaste(text) {
      const analysis = await s.runAnalysis(text);
      if (analysis.family === 'not_kernel') {
        // As in chat, something that is not a kernel trace opens no incident.
        return { reply: renderAnalysisReply(analysis, null, null), occurrenceId: null, incidentId: null };
      }
      const rec = await s.incidents.recordOccurrence(pageMeta(), withQuotedLines(analysis, text));
      const publicUrl = s.config.server.publicUrl;
      const link = publicUrl ? reportUrl(publicUrl, rec.occurrence.id, s.reportSecret) : null;
      const reply = renderAnalysisReply(analysis, rec.incident, rec, { reportUrl: link });
      return { reply, occurrenceId: rec.occurrence.id, incidentId: rec.incident.id };
    },
    async loadReport(id) {
      const occurrence = await findOccurrence(id);
      if (!occurrence) return null;
      const [incident, all] = await Promise.all([s.incidents.get(occurrence.incidentId), s.incidents.occurrences(occurrence.incidentId)]);
      return { occurrence, incident, occurrences: all.slice(-100).reverse(), paste: null };
    },
    listIncidents: () => s.incidents.list({ limit: 200 }),
    async changeStatus(id: string, action: ActionId, actor: string) {
      if (s.core) {
        const out = await s.core.handleAction({ platform: 'web', workspace: 'local', channel: 'web', author: actor, authorName: 'local page', action, incidentId: id, eventId: `web-${randomUUID()}` });
        return { notice: out.notice };
      }
      const who = { id: actor, name: 'local page' };
      const change =
        action === 'ack' ? await s.incidents.ack(id, who)
        : action === 'resolve' ? await s.incidents.resolve(id, who, null)
        : action === 'reopen' ? await s.incidents.reopen(id, who)
        : await s.incidents.mute(id, who, new Date(s.clock().getTime() + MUTE_DAYS * 86_400_000).toISOString());
      return { notice: change.changed ? `${change.incident.id} is now ${change.incident.status}` : `${change.incident.id} was already ${change.incident.status}` };
    },
    async digestPreview() {
      return renderDigest(await s.incidents.listUnresolved(), { now: s.clock(), preview: true });
    },
  };
}
