// Builds the web handler's services from the bot core: a page paste goes through the core's own
// analyse-and-record path (platform "web"), so it gets the very reply chat shows; a button press on
// the page is a BotCore action, so notices reach the incident's chat threads like a Slack or Discord
// button would; the digest preview is the digest renderer over every unresolved incident.

import { randomUUID } from 'node:crypto';
import type { FullBotCore } from '../core.ts';
import { renderDigest } from '../render/index.ts';
import type { Occurrence } from '../types.ts';
import type { WebDeps } from './index.ts';

export interface WebServices {
  core: Pick<FullBotCore, 'analyzeText' | 'handleAction' | 'context'>;
  reportSecret: string;
  /** `getOccurrence(id)` when the store offers it; otherwise the report walks the incidents. */
  getOccurrence?: (id: number) => Promise<Occurrence | null>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

export function createWebDeps(s: WebServices): WebDeps {
  const ctx = s.core.context;
  const incidents = ctx.incidents;
  const findOccurrence = async (id: number): Promise<Occurrence | null> => {
    const store = ctx.store as { getOccurrence?: (id: number) => Promise<Occurrence | null> };
    const direct = s.getOccurrence ?? (typeof store.getOccurrence === 'function' ? store.getOccurrence.bind(store) : null);
    if (direct) return direct(id);
    // No direct lookup in the store: walk the incidents, newest first (fine at the local page's volumes).
    for (const incident of await incidents.list()) {
      const hit = (await incidents.occurrences(incident.id)).find((o) => o.id === id);
      if (hit) return hit;
    }
    return null;
  };

  return {
    reportSecret: s.reportSecret,
    maxPasteBytes: ctx.config.limits.pasteBytes,
    allowWrites: isLoopbackHost(ctx.config.server.host),
    publicUrl: ctx.config.server.publicUrl,
    async analyzePaste(text) {
      const r = await s.core.analyzeText(text, { platform: 'web', author: 'web', channel: 'web' });
      return { reply: r.reply, occurrenceId: r.occurrenceId, incidentId: r.incident?.id ?? null };
    },
    async loadReport(id) {
      const occurrence = await findOccurrence(id);
      if (!occurrence) return null;
      const [incident, all] = await Promise.all([incidents.get(occurrence.incidentId), incidents.occurrences(occurrence.incidentId)]);
      return { occurrence, incident, occurrences: all.slice(-100).reverse(), paste: null };
    },
    listIncidents: () => incidents.list({ limit: 200 }),
    latestOccurrenceIds: (ids) => ctx.store.latestOccurrenceIds(ids),
    async changeStatus(id, action, actor) {
      const out = await s.core.handleAction({ platform: 'web', workspace: 'local', channel: 'web', author: actor, authorName: 'local page', action, incidentId: id, eventId: `web:${randomUUID()}` });
      return { notice: out.notice };
    },
    async digestPreview() {
      return renderDigest(await incidents.listUnresolved(), { now: ctx.clock(), preview: true });
    },
  };
}
