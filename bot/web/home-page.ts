// The local page (GET /): paste or drop a trace → the reply a chat would show plus a link to the full
// report; the incident list with its actions; the digest preview. Server-rendered; the inline script
// (page-script.ts) only posts to this handler's JSON endpoints and swaps in server-rendered HTML.

import type { Incident, Reply } from '../types.ts';
import { html } from './html.ts';
import { incidentTableHtml } from './incident-table.ts';
import { pageHtml } from './page-layout.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { replyHtml } from './reply-html.ts';

export interface HomeData {
  incidents: Incident[];
  /** Signed path of each incident's latest full report (absent: no link). */
  reportHrefs?: ReadonlyMap<string, string>;
  digest: Reply | null;
  allowWrites: boolean;
}

export function renderHomePage(data: HomeData, nonce: string): string {
  const body = html`<section id="analyze"><h1>Paste a hang trace</h1>
<p class="muted">crash <code>bt -a</code> / <code>foreach bt</code>, a console Call Trace, <code>/proc/PID/stack</code> with <code>ps</code>, a lockdep report… Nothing leaves this machine.</p>
${data.allowWrites ? html`<form id="paste-form"><div class="drop" id="drop"><textarea id="paste" name="text" spellcheck="false" aria-label="Trace to analyse" placeholder="Paste here, or drop a trace file on this box"></textarea></div>
<div class="row"><button type="submit" class="primary" id="analyze-btn">Analyze</button><label>or choose a file <input type="file" id="file"></label><span id="status" class="muted" role="status"></span></div></form>` : html`<p class="err">This server is bound beyond loopback: analysing and changing incidents from this page is disabled; use the chat or the HTTP API with a token.</p>`}
<div id="result" aria-live="polite"></div></section>
<section id="incidents"><h2>Incidents</h2><p id="notice" class="muted" role="status"></p><div id="incident-list">${incidentTableHtml(data.incidents, (id) => data.reportHrefs?.get(id) ?? null)}</div></section>
<section id="digest"><h2>Digest preview</h2>${data.digest ? replyHtml(data.digest, null) : html`<p class="muted">Nothing unresolved: no digest would be sent.</p>`}</section>`;
  return pageHtml({ title: 'lockdown', nonce, body, script: data.allowWrites ? PAGE_SCRIPT : undefined });
}
