// The scheduled digest, per configured channel: node-cron expression + IANA zone (validated at start),
// default weekdays 09:00. Exactly one replica sends each slot: a store lease keyed by channel + slot,
// taken before building the digest and completed in the same transaction that queues it in the
// outbox. A slot missed while the bot was down is sent at start when within the tolerance, never twice.

import { LockdownError, asLockdownError } from '../../config/errors.ts';
import type { DigestChannelConfig } from '../../config/types.ts';
import type { ReplyTarget } from '../ports.ts';
import type { Platform, Reply } from '../types.ts';
import { renderDigest } from '../render/index.ts';
import type { CoreContext } from '../router/core-context.ts';
import type { Outbox } from '../router/deliver-outbox.ts';
import { latestSlot, validateCron, validTimezone, type DigestScheduler, type ScheduledJob } from './scheduler.ts';

export type SlotResult = 'sent' | 'empty' | 'taken' | 'failed';

export interface DigestService {
  /** Validates every channel's cron and zone (LD_CONFIG_INVALID), schedules them, sends missed slots. */
  start(): Promise<void>;
  stop(): void;
  /** The digest a channel would get now (null when empty). */
  preview(scope: { platform: string; workspace: string; channel: string }): Promise<Reply | null>;
  /** Handles one slot of one channel (the cron tick calls this). */
  runSlot(ch: DigestChannelConfig, slot: Date): Promise<SlotResult>;
  /** The pending run promises (tests await them after firing a fake tick). */
  idle(): Promise<void>;
}

export function channelKey(ch: Pick<DigestChannelConfig, 'platform' | 'workspace' | 'channel'>): string {
  return `${ch.platform}:${ch.workspace ?? '*'}:${ch.channel}`;
}

export function createDigestService(ctx: CoreContext, outbox: Outbox, scheduler: DigestScheduler): DigestService {
  const cfg = ctx.config.digest;
  const jobs: ScheduledJob[] = [];
  const running = new Set<Promise<unknown>>();
  const cronOf = (ch: DigestChannelConfig): string => ch.cron ?? cfg.defaultCron;
  const zoneOf = (ch: DigestChannelConfig): string => ch.timezone ?? cfg.timezone;

  async function build(workspace: string | undefined, preview: boolean): Promise<Reply | null> {
    const list = await ctx.incidents.listUnresolved(workspace ? { workspace } : {});
    const base = ctx.config.server.publicUrl;
    return renderDigest(list, { now: ctx.clock(), preview, linkFor: base ? (i) => `${base.replace(/\/$/, '')}/#${i.id}` : undefined });
  }

  async function runSlot(ch: DigestChannelConfig, slot: Date): Promise<SlotResult> {
    const key = `digest:${channelKey(ch)}:${slot.toISOString()}`;
    const now = ctx.clock();
    try {
      // The lease is held for 10 minutes while this replica builds and queues the digest; completed,
      // it can never be taken again, so a slot is sent once even across restarts.
      if (!(await ctx.store.tryAcquireLease(key, ctx.holder, new Date(now.getTime() + 600_000).toISOString(), now.toISOString()))) {
        ctx.metrics.inc('lockdown_digest_runs_total', { result: 'taken' });
        return 'taken';
      }
      const reply = await build(ch.workspace, false);
      const target: ReplyTarget = { platform: ch.platform as Platform, workspace: ch.workspace ?? '', channel: ch.channel, thread: null, messageId: null };
      const id = await ctx.store.transaction(async (tx) => {
        const at = ctx.clock().toISOString();
        const deliveryId = reply ? await outbox.enqueue(tx, target, reply, { kind: 'digest', eventId: null, incidentId: null }) : null;
        await tx.completeLease(key, ctx.holder, at);
        await tx.recordDigestSlot(channelKey(ch), slot.toISOString(), at);
        return deliveryId;
      });
      const result: SlotResult = id === null ? 'empty' : 'sent';
      ctx.metrics.inc('lockdown_digest_runs_total', { result });
      ctx.logger.info({ channel: channelKey(ch), slot: slot.toISOString(), result }, 'digest slot');
      if (id !== null) await outbox.deliver(id);
      return result;
    } catch (err) {
      ctx.metrics.inc('lockdown_digest_runs_total', { result: 'failed' });
      ctx.logger.error({ channel: channelKey(ch), slot: slot.toISOString(), err: asLockdownError(err).message }, 'digest slot failed');
      return 'failed';
    }
  }

  function track<T>(p: Promise<T>): Promise<T> {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  }

  return {
    async start() {
      cfg.channels.forEach((ch, i) => {
        const where = `digest.channels[${i}]`;
        if (!validateCron(cronOf(ch))) throw new LockdownError('LD_CONFIG_INVALID', `${where}.cron: '${cronOf(ch)}' is not a valid cron expression (e.g. "0 9 * * 1-5")`);
        if (!validTimezone(zoneOf(ch))) throw new LockdownError('LD_CONFIG_INVALID', `${where}.timezone: '${zoneOf(ch)}' is not an IANA time zone (e.g. "Europe/Paris")`);
      });
      for (const ch of cfg.channels) {
        jobs.push(scheduler.schedule(cronOf(ch), (slot) => void track(runSlot(ch, floorMinute(slot))), { timezone: zoneOf(ch), name: `digest ${channelKey(ch)}` }));
      }
      for (const ch of cfg.channels) {
        const slot = latestSlot(cronOf(ch), zoneOf(ch), ctx.clock(), cfg.missedToleranceMinutes);
        if (!slot) continue;
        const last = await ctx.store.lastDigestSlot(channelKey(ch));
        if (last && Date.parse(last) >= slot.getTime()) continue;
        ctx.logger.info({ channel: channelKey(ch), slot: slot.toISOString() }, 'sending a digest slot missed while down');
        await track(runSlot(ch, slot));
      }
    },
    stop() {
      for (const j of jobs.splice(0)) j.stop();
    },
    async preview(scope) {
      const ch = cfg.channels.find((c) => c.platform === scope.platform && c.channel === scope.channel);
      return build(ch?.workspace ?? scope.workspace, true);
    },
    runSlot: (ch, slot) => track(runSlot(ch, slot)),
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

function floorMinute(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 60_000) * 60_000);
}
