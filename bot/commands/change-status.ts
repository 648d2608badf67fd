// Status changes from anywhere (command, button, HTTP API, another platform) go through here, so each
// one is checked by the incident service (permissions, history) and then announced: a short notice in
// every thread where the incident was reported, and the original reply updated to the new state.

import { asLockdownError } from '../../config/errors.ts';
import type { Actor, StatusChange } from '../incidents/incident-service.ts';
import type { ReplyTarget } from '../ports.ts';
import type { Incident, Platform } from '../types.ts';
import { renderAnalysisReply, renderStatusNotice } from '../render/index.ts';
import type { CoreContext } from '../router/core-context.ts';
import type { Outbox } from '../router/deliver-outbox.ts';

export type StatusRequest =
  | { kind: 'ack' }
  | { kind: 'resolve'; note: string | null }
  | { kind: 'reopen' }
  | { kind: 'dup'; of: string }
  | { kind: 'mute'; until: string | null }
  | { kind: 'assign'; user: string | null };

export function describe(req: StatusRequest): string {
  switch (req.kind) {
    case 'ack': return 'acknowledged';
    case 'resolve': return 'resolved';
    case 'reopen': return 'reopened';
    case 'dup': return `marked duplicate of ${req.of}`;
    case 'mute': return req.until ? `muted until ${req.until.slice(0, 10)}` : 'muted';
    case 'assign': return req.user ? `assigned to ${req.user}` : 'unassigned';
  }
}

/** A message the caller updates itself (the one whose button was pressed): not refreshed here. */
export interface UpdatedByCaller {
  platform: Platform;
  channel: string;
  messageId: string;
}

export async function changeStatus(ctx: CoreContext, outbox: Outbox, id: string, req: StatusRequest, actor: Actor, pressed: UpdatedByCaller | null = null): Promise<StatusChange> {
  const s = ctx.incidents;
  const change = await (req.kind === 'ack' ? s.ack(id, actor)
    : req.kind === 'resolve' ? s.resolve(id, actor, req.note)
    : req.kind === 'reopen' ? s.reopen(id, actor)
    : req.kind === 'dup' ? s.dup(id, req.of, actor)
    : req.kind === 'mute' ? s.mute(id, actor, req.until)
    : s.assign(id, actor, req.user));
  ctx.logger.info({ incident: change.incident.id, change: req.kind, changed: change.changed, actor: actor.id }, 'status change');
  if (change.changed) {
    await announce(ctx, outbox, change.incident, describe(req), actor.name ?? actor.id, req.kind === 'resolve' ? req.note : null, pressed).catch((e: unknown) => {
      ctx.logger.warn({ incident: change.incident.id, err: asLockdownError(e).message }, 'status notice not posted');
    });
  }
  return change;
}

/** Notice into each original thread (through the outbox: durable, retried) + update of each reply. */
export async function announce(ctx: CoreContext, outbox: Outbox, incident: Incident, what: string, actorName: string, note: string | null, pressed: UpdatedByCaller | null = null): Promise<void> {
  const posted = (await ctx.store.postedMessages(incident.id)).filter((p) => p.kind === 'analysis');
  if (posted.length === 0) return;
  const occurrences = await ctx.incidents.occurrences(incident.id);
  const latest = occurrences[occurrences.length - 1] ?? null;
  const notice = renderStatusNotice(incident, what, actorName, note);
  const seen = new Set<string>();
  const ids: number[] = [];
  await ctx.store.transaction(async (tx) => {
    for (const p of posted) {
      const thread = p.ref.thread ?? p.ref.messageId;
      const key = `${p.ref.platform}|${p.ref.channel}|${thread}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ws = occurrences.find((o) => o.platform === p.ref.platform && o.channel === p.ref.channel)?.workspace ?? '';
      const target: ReplyTarget = { platform: p.ref.platform, workspace: ws, channel: p.ref.channel, thread, messageId: p.ref.messageId };
      ids.push(await outbox.enqueue(tx, target, notice, { kind: 'notice', eventId: null, incidentId: incident.id }));
    }
  });
  for (const id of ids) await outbox.deliver(id);
  if (!latest) return;
  // The buttons and status line of the original replies follow the incident (best effort: a message
  // that cannot be edited any more keeps its old buttons, and the notice says what changed).
  const updated = renderAnalysisReply(latest.analysis, incident, null, { reportUrl: ctx.reportUrl(latest.id) });
  for (const p of posted) {
    // The pressed message is updated by the adapter in its answer to the press (Discord must answer
    // the interaction with the new message anyway): a second edit here would be redundant.
    // Slack refs name the channel; Discord refs name the thread the message lives in.
    if (pressed && p.ref.platform === pressed.platform && p.ref.messageId === pressed.messageId && (p.ref.channel === pressed.channel || p.ref.thread === pressed.channel)) continue;
    const port = ctx.ports.get(p.ref.platform);
    if (!port) continue;
    await port.update(p.ref, updated).catch((e: unknown) => ctx.logger.warn({ incident: incident.id, err: asLockdownError(e).message }, 'reply not updated'));
  }
}
