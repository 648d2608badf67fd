// The scheduler seam: production uses node-cron; tests pass a fake that fires slots on demand. Slot
// matching (for missed slots) uses node-cron's own matcher, which honours the IANA time zone.

import cron from 'node-cron';

export interface ScheduledJob {
  stop(): void;
}

export interface DigestScheduler {
  /** Calls `fn` with the slot time (the minute the cron expression matched) at every tick. */
  schedule(expr: string, fn: (slot: Date) => void, opts: { timezone: string; name: string }): ScheduledJob;
}

export function nodeCronScheduler(): DigestScheduler {
  return {
    schedule(expr, fn, opts) {
      const task = cron.schedule(expr, (ctx) => fn(ctx.date), { timezone: opts.timezone, name: opts.name, noOverlap: true });
      return { stop: () => void task.destroy() };
    },
  };
}

export function validateCron(expr: string): boolean {
  return cron.validate(expr);
}

export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The latest minute in (now - toleranceMinutes, now] matched by `expr` in `timezone`, or null. */
export function latestSlot(expr: string, timezone: string, now: Date, toleranceMinutes: number): Date | null {
  const task = cron.createTask(expr, () => undefined, { timezone });
  try {
    const start = Math.floor(now.getTime() / 60_000) * 60_000;
    for (let m = 0; m <= toleranceMinutes; m++) {
      const d = new Date(start - m * 60_000);
      if (task.match(d)) return d;
    }
    return null;
  } finally {
    void task.destroy();
  }
}
