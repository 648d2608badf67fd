// The HTML shell shared by the local page and the report: one inline stylesheet and (optionally) one
// inline script, both allowed only through a per-response nonce named in the Content-Security-Policy,
// so a paste that smuggles `<script>` or an `onerror=` attribute past escaping still would not run.

import { randomBytes } from 'node:crypto';
import { html, raw, type SafeHtml } from './html.ts';

export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/** Strict CSP: nothing loads from anywhere but this origin; inline code only with the nonce. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers for every HTML page we serve. Report links carry a token: never leak it as a Referer. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
}

const CSS = `
:root{--fg:#1b1f24;--muted:#5f6b7a;--line:#d7dde4;--bg:#f6f8fa;--card:#fff;--accent:#0b5cad;--red:#c62828;--amber:#a15c00;--green:#1e7b34}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#14202e;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header.top a{color:#fff;text-decoration:none;font-weight:700}
header.top span{color:#b8c4d2;font-size:.9rem}
main{max-width:1100px;margin:0 auto;padding:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}h2{font-size:1.1rem;margin:0 0 .6rem}h3{font-size:1.05rem;margin:.3rem 0}h4{font-size:.95rem;margin:.6rem 0 .3rem}
textarea{width:100%;min-height:12rem;font:13px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:.5rem;border:1px solid var(--line);border-radius:6px}
.drop{border:2px dashed var(--line);border-radius:8px;padding:.5rem}
.drop.over{border-color:var(--accent);background:#eef5fd}
.row{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;margin-top:.5rem}
.btn,button{font:inherit;padding:.35rem .8rem;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
.btn.primary,button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.btn.danger,button.danger{border-color:var(--red);color:var(--red)}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
pre{background:#f0f3f6;padding:.5rem;border-radius:6px;overflow-x:auto;white-space:pre}
.reply{border-left:4px solid var(--accent);padding:.2rem .8rem;margin:.6rem 0;background:#fbfcfd}
.b-fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.3rem .9rem;margin:.4rem 0}
.b-fields dt{font-size:.8rem;color:var(--muted)}.b-fields dd{margin:0;overflow-wrap:anywhere}
.b-chain ol{margin:.2rem 0;padding-left:1.4rem}.b-chain .who{font-weight:600}.b-chain .on{font-family:ui-monospace,monospace;font-size:13px}
.b-chain.cycle{border-left:3px solid var(--red);padding-left:.5rem}
.b-context,.muted{color:var(--muted);font-size:.9rem}
.badge{display:inline-block;font-size:.75rem;padding:0 .45rem;border-radius:9px;background:#e4e9ef;color:var(--fg);vertical-align:middle}
.badge.danger,.badge.open{background:#fde7e7;color:var(--red)}.badge.acknowledged{background:#fff2d6;color:var(--amber)}
.badge.resolved{background:#e3f4e7;color:var(--green)}.badge.muted,.badge.duplicate{background:#eceff3;color:var(--muted)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.4rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;color:var(--muted);font-weight:600}
td.actions{white-space:nowrap}td.actions button{padding:.15rem .5rem;font-size:.85rem;margin:0 .15rem .2rem 0}
.err{color:var(--red)}
.graph-wrap{overflow-x:auto}
svg.wait-graph{max-width:100%;height:auto;font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
svg .node rect{fill:#fff;stroke:#4a5868;stroke-width:1.5}svg .node.cpu rect{fill:#eef5fd}svg .node.unknown rect{stroke-dasharray:5 4;fill:#fafafa}
svg .node.cycle rect{stroke:var(--red);stroke-width:2.5;fill:#fff5f5}
svg .edge path{fill:none;stroke:#555;stroke-width:1.6}svg .edge.cycle path{stroke:var(--red);stroke-width:2.6}
svg .edge-label{fill:#34404d;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}svg .edge.cycle .edge-label{fill:var(--red)}
.task{border-top:1px solid var(--line);padding:.5rem 0}.task h3{font-family:ui-monospace,monospace;font-size:.95rem}
.ctx{display:inline-block;font-size:.72rem;font-weight:700;padding:0 .4rem;border-radius:4px;margin-right:.4rem;text-transform:uppercase}
.ctx.process{background:#e4e9ef}.ctx.softirq{background:#fff2d6}.ctx.hardirq{background:#fde7e7}.ctx.nmi{background:#f3e5f5}
ol.frames{margin:.2rem 0 .5rem;padding-left:2.2rem;font-family:ui-monospace,monospace;font-size:13px}
.quote{background:#fffbea;border:1px solid #f0e2a8}.quote .ln{color:var(--muted);user-select:none;display:inline-block;min-width:3.5em;text-align:right;margin-right:.8em}
@media (max-width:640px){main{padding:.5rem}section{padding:.7rem}table thead{display:none}table,tbody,tr,td{display:block;width:100%}tr{border-bottom:1px solid var(--line);padding:.3rem 0}td{border:0;padding:.15rem 0}td[data-label]::before{content:attr(data-label);color:var(--muted);font-size:.8rem}}
`;

export function pageHtml(opts: { title: string; nonce: string; body: SafeHtml; script?: string }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${opts.title}</title>
<style nonce="${opts.nonce}">${raw(CSS)}</style></head>
<body><header class="top"><a href="/">lockdown</a><span>kernel hang triage</span></header>
<main>${opts.body}</main>
${opts.script ? html`<script nonce="${opts.nonce}">${raw(opts.script)}</script>` : ''}
</body></html>`.value;
}
