// `lockdown digest --dry-run [--config FILE]`: prints the digest each configured channel would get now
// (or the workspace-wide one when no channel is configured), sends nothing, takes no lease.

import { isLockdownError } from '../../config/errors.ts';
import { loadConfig } from '../../config/load-config.ts';
import { createIncidentService } from '../../bot/incidents/create-incident-service.ts';
import { renderDigest } from '../../bot/render/index.ts';
import { createStore } from '../../bot/store/create-store.ts';
import type { Reply } from '../../bot/types.ts';
import { EXIT_INPUT, EXIT_OK, EXIT_USAGE, type CliIo } from './io.ts';

export function replyAsText(r: Reply): string {
  const out: string[] = [];
  for (const b of r.blocks) {
    if (b.type === 'header') out.push(b.text, '='.repeat(Math.min(b.text.length, 80)));
    else if (b.type === 'text' || b.type === 'context' || b.type === 'code') out.push(b.text);
    else if (b.type === 'list') out.push(`${b.title}:`, ...b.items.map((i) => `  - ${i}`));
    else if (b.type === 'fields') out.push(...b.fields.map((f) => `${f.label}: ${f.value}`));
  }
  return `${out.join('\n')}\n`;
}

export async function run(args: string[], io: CliIo, opts: { clock?: () => Date } = {}): Promise<number> {
  let file: string | null = null;
  let dry = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--dry-run') dry = true;
    else if (a === '--config' && args[i + 1]) file = args[++i]!;
    else {
      io.stderr.write(`lockdown digest: unknown argument '${a}' (usage: lockdown digest --dry-run [--config FILE])\n`);
      return EXIT_USAGE;
    }
  }
  if (!dry) {
    io.stderr.write('lockdown digest: only --dry-run is supported here; `lockdown serve` sends digests on schedule (or `/lockdown digest now`)\n');
    return EXIT_USAGE;
  }
  const clock = opts.clock ?? (() => new Date());
  try {
    const config = loadConfig(io.env, file);
    const store = createStore(config, clock);
    try {
      await store.migrate();
      const incidents = createIncidentService({ store, clock, permissions: config.permissions });
      const scopes = config.digest.channels.length ? config.digest.channels.map((c) => ({ label: `${c.platform} ${c.channel}`, workspace: c.workspace })) : [{ label: 'all channels', workspace: undefined }];
      for (const s of scopes) {
        const list = await incidents.listUnresolved(s.workspace ? { workspace: s.workspace } : {});
        const d = renderDigest(list, { now: clock(), preview: true });
        io.stdout.write(`# ${s.label}\n${d ? replyAsText(d) : 'No unresolved incidents: no digest would be sent.\n'}\n`);
      }
    } finally {
      await store.close();
    }
    return EXIT_OK;
  } catch (e) {
    io.stderr.write(`lockdown digest: ${isLockdownError(e) ? e.message : (e as Error).message}\n`);
    return EXIT_INPUT;
  }
}
