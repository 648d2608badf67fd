// The incident list of the local page: status, occurrences, first/last seen, and the buttons that
// make sense for the status (the same set chat replies offer). Re-rendered after every action.

import type { ActionId, Incident } from '../types.ts';
import { html, type SafeHtml } from './html.ts';

/** Buttons per status; mirrors bot/render's actionsFor so the page and chat agree. */
export function pageActions(status: Incident['status']): Array<{ id: ActionId; label: string }> {
  switch (status) {
    case 'open':
      return [{ id: 'ack', label: 'Ack' }, { id: 'resolve', label: 'Resolve' }, { id: 'mute', label: 'Mute' }];
    case 'acknowledged':
      return [{ id: 'resolve', label: 'Resolve' }, { id: 'mute', label: 'Mute' }];
    case 'muted':
      return [{ id: 'reopen', label: 'Reopen' }, { id: 'resolve', label: 'Resolve' }];
    case 'resolved':
    case 'duplicate':
      return [{ id: 'reopen', label: 'Reopen' }];
  }
}

const day = (iso: string): string => iso.replace('T', ' ').slice(0, 16);

/** `reportHref(id)`: the signed path of the full report of the incident's latest occurrence. */
export function incidentTableHtml(incidents: Incident[], reportHref: (incidentId: string) => string | null = () => null): SafeHtml {
  if (incidents.length === 0) return html`<p class="muted" id="incidents-empty">No incidents yet. Paste a trace above.</p>`;
  return html`<table id="incident-table"><thead><tr><th>id</th><th>hang</th><th>status</th><th>seen</th><th>first / last seen</th><th>actions</th></tr></thead><tbody>${incidents.map(
    (i) => html`<tr id="${i.id}" data-incident-row="${i.id}"><td>${idCell(i.id, reportHref(i.id))}</td><td>${i.title}<br><span class="muted">${i.family}${i.lastChannelName ? html` · last in ${i.lastChannelName}` : ''}${i.owner ? html` · owner ${i.owner}` : ''}</span></td><td><span class="badge ${i.status}" data-status="${i.status}">${i.status}</span>${i.regression ? html` <span class="badge danger">regression</span>` : ''}</td><td data-label="seen ">${i.occurrenceCount}×</td><td data-label="first / last seen ">${day(i.firstSeen)}<br>${day(i.lastSeen)}</td><td class="actions">${pageActions(i.status).map(
      (a) => html`<button type="button" data-incident="${i.id}" data-action="${a.id}">${a.label}</button>`,
    )}</td></tr>`,
  )}</tbody></table>`;
}

function idCell(id: string, href: string | null): SafeHtml {
  return href
    ? html`<a href="${href}" data-report-link="${id}" title="Full report of the latest occurrence"><strong>${id}</strong></a>`
    : html`<strong>${id}</strong>`;
}
