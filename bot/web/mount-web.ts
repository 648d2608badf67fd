// What `lockdown serve` calls to put the page on its HTTP server. The report is mounted public: its
// HMAC token authenticates it, so a chat link works when the server is reachable beyond loopback
// (where every other route needs the API token). The page itself stays behind the server's rules.

import type { FullBotCore } from '../core.ts';
import type { LockdownHttpServer } from '../http/create-http-server.ts';
import { createWebHandler, type WebHandler } from './index.ts';
import { reportUrl } from './report-token.ts';
import { createWebDeps } from './web-deps.ts';

export function mountWebPage(http: Pick<LockdownHttpServer, 'mount'>, core: Pick<FullBotCore, 'analyzeText' | 'handleAction' | 'context'>, reportSecret: string): WebHandler {
  const handler = createWebHandler(createWebDeps({ core, reportSecret }));
  http.mount('/report', handler, { public: true });
  http.mount('/', handler);
  return handler;
}

/** The `reportUrl` dependency of createBotCore: signed links when publicUrl is configured. */
export function reportLinker(publicUrl: string | null, reportSecret: string): (occurrenceId: number) => string | null {
  return (id) => (publicUrl ? reportUrl(publicUrl, id, reportSecret) : null);
}
