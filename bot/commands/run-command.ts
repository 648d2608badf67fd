// `/lockdown …` from any platform: parse the one grammar, run it, answer with a Reply. Never throws:
// every error becomes one safe line through renderError. Ephemeral for list/help/show/errors; in
// channel for analyze and status changes (the channel sees who did what).

import { LockdownError } from '../../config/errors.ts';
import type { Actor } from '../incidents/incident-service.ts';
import type { Command, Reply } from '../types.ts';
import { renderAnalysisReply, renderError, renderHelp, renderIncident, renderIncidentList } from '../render/index.ts';
import { statusLabel } from '../render/format.ts';
import { analyzeAndRecord } from '../router/analyze-and-record.ts';
import type { CoreContext } from '../router/core-context.ts';
import type { Outbox } from '../router/deliver-outbox.ts';
import { readPaste } from '../router/read-paste.ts';
import { changeStatus, describe, type StatusRequest } from './change-status.ts';
import { parseCommand, type ParsedCommand } from './parse-command.ts';

/** What the digest service offers to commands (bot/digest). */
export interface DigestCommands {
  preview(scope: { platform: string; workspace: string; channel: string }): Promise<Reply | null>;
}

function line(text: string, ephemeral: boolean, incidentId: string | null = null): Reply {
  return { text, blocks: [{ type: 'text', text }], ephemeral, incidentId, reportUrl: null, fullMarkdown: null };
}

export async function runCommand(ctx: CoreContext, outbox: Outbox, cmd: Command, digest: DigestCommands | null): Promise<Reply> {
  let parsed: ParsedCommand | null = null;
  try {
    parsed = parseCommand(cmd.text);
    ctx.metrics.inc('lockdown_commands_total', { command: parsed.kind });
    return await execute(ctx, outbox, cmd, parsed, digest);
  } catch (err) {
    ctx.metrics.inc('lockdown_errors_total', { code: err instanceof LockdownError ? err.code : 'LD_INTERNAL' });
    return renderError(err, ctx.logger, { command: parsed?.kind ?? 'parse', platform: cmd.platform });
  }
}

async function execute(ctx: CoreContext, outbox: Outbox, cmd: Command, p: ParsedCommand, digest: DigestCommands | null): Promise<Reply> {
  const actor: Actor = { id: cmd.author, name: cmd.authorName };
  const status = async (id: string, req: StatusRequest): Promise<Reply> => {
    const ch = await changeStatus(ctx, outbox, id, req, actor);
    const i = ch.incident;
    const text = ch.changed ? `${i.id} ${describe(req)} by ${actor.name ?? actor.id} (now ${statusLabel(i)})` : `${i.id} is already ${statusLabel(i)}; nothing changed.`;
    return line(text, !ch.changed, i.id);
  };
  switch (p.kind) {
    case 'help':
      return renderHelp();
    case 'analyze': {
      if (p.text.trim() === '' && cmd.attachments.length === 0) {
        throw new LockdownError('LD_USAGE', 'Nothing to analyse', { userMessage: 'Nothing to analyse. Usage: /lockdown analyze <text> (e.g. /lockdown analyze INFO: task rmmod:31969 blocked for more than 120 seconds.), or attach the trace as a .txt file' });
      }
      const text = await readPaste(p.text, cmd.attachments, ctx.config.limits.pasteBytes);
      const meta = { platform: cmd.platform, workspace: cmd.workspace, channel: cmd.channel, channelName: cmd.channelName, thread: cmd.thread, messageId: cmd.eventId, link: null, author: cmd.author };
      const res = await analyzeAndRecord(ctx, outbox, { meta, eventId: cmd.eventId, text, target: null });
      if (res.kind === 'duplicate') return line('This command was already handled.', true);
      if (res.kind === 'not-kernel') return { ...renderAnalysisReply(res.analysis, null, null), ephemeral: true };
      return res.reply;
    }
    case 'list': {
      const filter = { ...(p.scope === 'open' ? { status: ['open', 'acknowledged'] as Array<'open' | 'acknowledged'> } : {}), workspace: cmd.workspace, ...(p.channelOnly ? { channel: cmd.channel } : {}), limit: 200 };
      const list = await ctx.incidents.list(filter);
      return renderIncidentList(list, { title: `${p.scope === 'open' ? 'Open incidents' : 'All incidents'}${p.channelOnly ? ' in this channel' : ''}`, ephemeral: true });
    }
    case 'show': {
      const i = await ctx.incidents.require(p.id);
      const [occ, hist] = await Promise.all([ctx.incidents.occurrences(i.id), ctx.incidents.history(i.id)]);
      return renderIncident(i, occ, hist, { ephemeral: true });
    }
    case 'ack':
      return status(p.id, { kind: 'ack' });
    case 'resolve':
      return status(p.id, { kind: 'resolve', note: p.note });
    case 'reopen':
      return status(p.id, { kind: 'reopen' });
    case 'dup':
      return status(p.id, { kind: 'dup', of: p.of });
    case 'mute':
      return status(p.id, { kind: 'mute', until: new Date(ctx.clock().getTime() + p.forMs).toISOString() });
    case 'assign':
      return status(p.id, { kind: 'assign', user: p.user });
    case 'digest': {
      if (!digest) return line('The digest is not running in this process.', true);
      const d = await digest.preview({ platform: cmd.platform, workspace: cmd.workspace, channel: cmd.channel });
      if (!d) return line('No unresolved incidents: the digest would be empty, so none is sent.', true);
      return { ...d, ephemeral: p.mode === 'preview' };
    }
    case 'cases': {
      const cases = ctx.listCases();
      if (cases.length === 0) return line('No documented cases are loaded.', true);
      return { text: `${cases.length} documented cases`, blocks: [{ type: 'list', title: 'Documented cases', items: cases.map((c) => `\`${c.id}\`: ${c.title}`) }], ephemeral: true, incidentId: null, reportUrl: null, fullMarkdown: null };
    }
  }
}
