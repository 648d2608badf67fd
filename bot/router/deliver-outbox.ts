// The outbox: a reply is committed (with the occurrence it answers) BEFORE it is posted, then posted
// through the platform port and marked delivered. A failure keeps it queued with a growing backoff;
// a crash between commit and post leaves it pending, and drain() at the next start posts it, once.
// Replicas claim an entry before posting (store.claimDelivery) so two of them never both post it.

import { asLockdownError } from '../../config/errors.ts';
import type { Delivery, StoreOps } from '../store/store.ts';
import type { PostedRef, ReplyTarget } from '../ports.ts';
import type { Platform, Reply } from '../types.ts';
import { nowIso, type CoreContext } from './core-context.ts';

const CLAIM_MS = 60_000;
const MAX_ATTEMPTS = 8;

/** 5 s, 20 s, 80 s, … capped at 30 min; null after MAX_ATTEMPTS (kept in the store, not retried). */
export function nextAttempt(attempts: number, now: Date): string | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const ms = Math.min(5_000 * 4 ** Math.max(0, attempts - 1), 30 * 60_000);
  return new Date(now.getTime() + ms).toISOString();
}

export interface Outbox {
  /** Queues a reply inside the caller's transaction (commit before deliver). */
  enqueue(tx: StoreOps, target: ReplyTarget, reply: Reply, meta: { kind: string; eventId: string | null; incidentId: string | null }): Promise<number>;
  /** Posts one queued reply now; the PostedRef, or null when it failed (still queued) or was taken. */
  deliver(id: number): Promise<PostedRef | null>;
  /** Posts every due entry for the registered ports (at start, and from the retry timer). */
  drain(platform?: Platform): Promise<{ delivered: number; failed: number }>;
  stop(): void;
}

export function createOutbox(ctx: CoreContext, timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } = globalThis): Outbox {
  const inflight = new Set<number>();
  const retryTimers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;

  async function attempt(d: Delivery): Promise<PostedRef | null> {
    const port = ctx.ports.get(d.target.platform);
    if (!port || inflight.has(d.id) || stopped) return null;
    // Marked in flight before the claim: the store lets this same holder re-claim its own entry, so
    // two drains of one process must be kept apart here.
    inflight.add(d.id);
    try {
      const now = ctx.clock();
      if (!(await ctx.store.claimDelivery(d.id, ctx.holder, new Date(now.getTime() + CLAIM_MS).toISOString(), now.toISOString()))) return null;
      let ref: PostedRef;
      try {
        ref = await port.post(d.target, d.reply);
      } catch (err) {
        await failed(d, err);
        return null;
      }
      try {
        await ctx.store.transaction(async (tx) => {
          await tx.markDelivered(d.id, ref, nowIso(ctx));
          if (d.incidentId) await tx.recordPostedMessage(d.incidentId, ref, d.kind, nowIso(ctx));
        });
      } catch (err) {
        // Posted but not recorded (the store failed right now): not retried here, which would post
        // twice at once. This is the one at-least-once window: once the claim lapses a later drain
        // may post it again.
        ctx.logger.error({ delivery: d.id, err: asLockdownError(err).message }, 'outbox: reply posted but not marked delivered');
      }
      ctx.metrics.inc('lockdown_replies_total', { platform: d.target.platform, kind: d.kind, result: 'delivered' });
      return ref;
    } finally {
      inflight.delete(d.id);
    }
  }

  async function failed(d: Delivery, err: unknown): Promise<void> {
    const e = asLockdownError(err);
    const next = nextAttempt(d.attempts + 1, ctx.clock());
    ctx.metrics.inc('lockdown_replies_total', { platform: d.target.platform, kind: d.kind, result: 'failed' });
    ctx.logger.warn({ delivery: d.id, kind: d.kind, platform: d.target.platform, code: e.code, err: e.message, attempts: d.attempts + 1, nextAttemptAt: next }, 'reply not delivered; kept in the outbox');
    try {
      await ctx.store.markFailed(d.id, `${e.code}: ${e.message}`.slice(0, 500), next);
    } catch (e2) {
      ctx.logger.error({ delivery: d.id, err: asLockdownError(e2).message }, 'outbox: cannot record the failure');
    }
    if (next) scheduleRetry(d.id, Date.parse(next) - ctx.clock().getTime());
  }

  function scheduleRetry(id: number, ms: number): void {
    if (stopped) return;
    const t = timers.setTimeout(() => {
      retryTimers.delete(t);
      void deliver(id);
    }, Math.max(0, ms));
    (t as { unref?: () => void }).unref?.();
    retryTimers.add(t);
  }

  async function deliver(id: number): Promise<PostedRef | null> {
    try {
      const d = await ctx.store.getDelivery(id);
      if (!d || d.deliveredAt) return d?.postedRef ?? null;
      return await attempt(d);
    } catch (err) {
      ctx.logger.error({ delivery: id, err: asLockdownError(err).message }, 'outbox: delivery failed');
      return null;
    }
  }

  return {
    enqueue(tx, target, reply, meta) {
      return tx.enqueueDelivery({ target, reply, eventId: meta.eventId, incidentId: meta.incidentId, kind: meta.kind, at: nowIso(ctx) });
    },
    deliver,
    async drain(platform) {
      let delivered = 0;
      let failed = 0;
      const pending = await ctx.store.pendingDeliveries(nowIso(ctx), platform ? { platform } : {});
      for (const d of pending) {
        if (!ctx.ports.has(d.target.platform)) continue;
        const ref = await attempt(d);
        if (ref) delivered++;
        else failed++;
      }
      if (pending.length) ctx.logger.info({ pending: pending.length, delivered, failed }, 'outbox drained');
      return { delivered, failed };
    },
    stop() {
      stopped = true;
      for (const t of retryTimers) timers.clearTimeout(t);
      retryTimers.clear();
    },
  };
}
