// A Reply (the platform-neutral chat answer from bot/render) as HTML: the local page shows exactly
// what Slack or Discord would show, block by block. Everything textual is escaped (html.ts).

import type { ChainLink } from '../../analyzers/contract.ts';
import type { Reply, ReplyBlock } from '../types.ts';
import { html, inlineMarkdown, type SafeHtml } from './html.ts';

const ACTION_LABEL: Record<string, string> = { ack: 'Acknowledge', resolve: 'Resolve', reopen: 'Reopen', mute: 'Mute' };

export function chainLinkHtml(link: ChainLink): SafeHtml {
  return html`<li class="link"><span class="who">${link.task}</span> waits on <span class="on">${link.waitsOn}</span>${
    link.heldBy ? html` held by <span class="who">${link.heldBy}</span>` : html` <span class="muted">(holder unknown)</span>`
  }</li>`;
}

function blockHtml(block: ReplyBlock): SafeHtml {
  switch (block.type) {
    case 'header':
      return html`<h3 class="b-header">${block.text}</h3>`;
    case 'text':
      return html`<p class="b-text">${inlineMarkdown(block.text)}</p>`;
    case 'fields':
      return html`<dl class="b-fields">${block.fields.map((f) => html`<div><dt>${f.label}</dt><dd>${inlineMarkdown(f.value)}</dd></div>`)}</dl>`;
    case 'chain':
      return html`<div class="b-chain${block.cycle ? ' cycle' : ''}"><h4>${block.title}${block.cycle ? html` <span class="badge danger">cycle</span>` : ''}</h4><ol>${block.links.map(chainLinkHtml)}</ol></div>`;
    case 'list': {
      const items = block.items.map((i) => html`<li>${inlineMarkdown(i)}</li>`);
      return html`<div class="b-list"><h4>${block.title}</h4>${block.ordered ? html`<ol>${items}</ol>` : html`<ul>${items}</ul>`}</div>`;
    }
    case 'code':
      return html`<pre class="b-code"><code>${block.text}</code></pre>`;
    case 'context':
      return html`<p class="b-context">${inlineMarkdown(block.text)}</p>`;
    case 'actions':
      return html`<div class="b-actions">${block.actions.map(
        (a) => html`<button type="button" class="btn ${a.style ?? ''}" data-incident="${block.incidentId}" data-action="${a.id}">${a.label || ACTION_LABEL[a.id] || a.id}</button>`,
      )}</div>`;
    case 'divider':
      return html`<hr class="b-divider">`;
    default:
      return html``;
  }
}

/** The reply as a card; `reportHref` (a same-origin signed path) adds the full-report link. */
export function replyHtml(reply: Reply, reportHref: string | null): SafeHtml {
  return html`<article class="reply" data-incident="${reply.incidentId ?? ''}">${reply.blocks.map(blockHtml)}${
    reportHref ? html`<p class="report-link"><a href="${reportHref}" id="report-link">Full report</a></p>` : ''
  }</article>`;
}
