// The SQLite backend's operations, synchronous (better-sqlite3 is synchronous); sqlite-store.ts wraps
// them into the async Store and serialises them with transactions.

import type { Database, Statement } from 'better-sqlite3';
import type { PostedRef } from '../ports.ts';
import type { HistoryEntry, Incident, Occurrence, Platform } from '../types.ts';
import type { Delivery, IncidentFilter, IncidentPatch, NewDelivery, NewIncident, NewOccurrence, PostedMessage, StoreOps } from './store.ts';
import { formatIncidentId } from './store.ts';
import { iso, notFound, PATCH_COLUMNS, seqOf, shortError, toDelivery, toHistory, toIncident, toOccurrence, toPostedMessage } from './rows.ts';

/** StoreOps with the Promise taken off every result. */
export type SyncOps = { [K in keyof StoreOps]: StoreOps[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R : never };

type Row = Record<string, unknown>;

export class SqliteOps implements SyncOps {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {}

  private st(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  claimEvent(platform: Platform, eventId: string, at: string): boolean {
    return this.st('INSERT INTO events (platform, event_id, claimed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(platform, eventId, iso(at)).changes === 1;
  }

  createIncident(input: NewIncident): Incident | null {
    const at = iso(input.at);
    const row = this.st(
      `INSERT INTO incidents (signature, title, family, status, first_seen, last_seen, created_at, updated_at)
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?) ON CONFLICT (signature) DO NOTHING RETURNING *`,
    ).get(input.signature, input.title, input.family, at, at, at, at) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  getIncident(id: string): Incident | null {
    const seq = seqOf(id);
    if (seq === null) return null;
    const row = this.st('SELECT * FROM incidents WHERE seq = ?').get(seq) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  // SQLite transactions are exclusive (BEGIN IMMEDIATE): a plain read is already "for update".
  getIncidentBySignature(signature: string): Incident | null {
    const row = this.st('SELECT * FROM incidents WHERE signature = ?').get(signature) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  getIncidentForUpdate(id: string): Incident | null {
    return this.getIncident(id);
  }

  listIncidents(filter: IncidentFilter = {}): Incident[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status && filter.status.length > 0) {
      where.push(`i.status IN (${filter.status.map(() => '?').join(', ')})`);
      args.push(...filter.status);
    }
    if (filter.workspace !== undefined) {
      where.push('EXISTS (SELECT 1 FROM occurrences o WHERE o.incident_seq = i.seq AND o.workspace = ?)');
      args.push(filter.workspace);
    }
    if (filter.channel !== undefined) {
      where.push('EXISTS (SELECT 1 FROM occurrences o WHERE o.incident_seq = i.seq AND o.channel = ?)');
      args.push(filter.channel);
    }
    const sql = `SELECT * FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.last_seen DESC, i.seq DESC LIMIT ?`;
    args.push(filter.limit ?? -1);
    return (this.db.prepare(sql).all(...args) as Row[]).map(toIncident);
  }

  updateIncident(id: string, patch: IncidentPatch, at: string): Incident {
    const seq = seqOf(id);
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [iso(at)];
    for (const [key, col] of PATCH_COLUMNS) {
      const v = patch[key];
      if (v === undefined) continue;
      sets.push(`${col} = ?`);
      args.push(typeof v === 'boolean' ? (v ? 1 : 0) : key === 'mutedUntil' && v !== null ? iso(String(v)) : v);
    }
    const row = seq === null ? undefined : (this.db.prepare(`UPDATE incidents SET ${sets.join(', ')} WHERE seq = ? RETURNING *`).get(...args, seq) as Row | undefined);
    if (!row) throw notFound(id);
    return toIncident(row);
  }

  insertOccurrence(o: NewOccurrence): Occurrence {
    const seq = seqOf(o.incidentId);
    if (seq === null || !this.getIncident(o.incidentId)) throw notFound(o.incidentId);
    const at = iso(o.seenAt);
    const insert = this.db.transaction(() => {
      const row = this.st(
        `INSERT INTO occurrences (incident_seq, platform, workspace, channel, channel_name, thread, message_id, link, author, seen_at, analysis)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(seq, o.platform, o.workspace, o.channel, o.channelName, o.thread, o.messageId, o.link, o.author, at, JSON.stringify(o.analysis)) as Row;
      // The latest occurrence names the incident's last channel, even if recorded out of order.
      this.st(
        `UPDATE incidents SET occurrence_count = occurrence_count + 1,
           last_channel = CASE WHEN ? >= last_seen THEN ? ELSE last_channel END,
           last_channel_name = CASE WHEN ? >= last_seen THEN ? ELSE last_channel_name END,
           first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?)
         WHERE seq = ?`,
      ).run(at, o.channel, at, o.channelName, at, at, seq);
      return row;
    });
    return toOccurrence(insert());
  }

  getOccurrence(id: number): Occurrence | null {
    if (!Number.isSafeInteger(id)) return null;
    const row = this.st('SELECT * FROM occurrences WHERE id = ?').get(id) as Row | undefined;
    return row ? toOccurrence(row) : null;
  }

  listOccurrences(incidentId: string, opts: { limit?: number } = {}): Occurrence[] {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (this.st('SELECT * FROM occurrences WHERE incident_seq = ? ORDER BY seen_at, id LIMIT ?').all(seq, opts.limit ?? -1) as Row[]).map(toOccurrence);
  }

  latestOccurrenceIds(incidentIds: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const seqs = [...new Set(incidentIds.map(seqOf).filter((s): s is number => s !== null))];
    if (seqs.length === 0) return out;
    // One statement for any number of ids (json_each, not a variable count of placeholders); the
    // subquery walks the (incident_seq, id) index of one incident.
    const rows = this.st(
      `SELECT j.value AS seq, (SELECT o.id FROM occurrences o WHERE o.incident_seq = j.value ORDER BY o.seen_at DESC, o.id DESC LIMIT 1) AS id
       FROM json_each(?) j`,
    ).all(JSON.stringify(seqs)) as Row[];
    for (const r of rows) if (r.id !== null && r.id !== undefined) out.set(formatIncidentId(Number(r.seq)), Number(r.id));
    return out;
  }

  countOccurrences(incidentId: string): number {
    const seq = seqOf(incidentId);
    if (seq === null) return 0;
    return Number((this.st('SELECT COUNT(*) AS n FROM occurrences WHERE incident_seq = ?').get(seq) as Row).n);
  }

  addHistory(e: HistoryEntry): void {
    const seq = seqOf(e.incidentId);
    if (seq === null) throw notFound(e.incidentId);
    this.st('INSERT INTO history (incident_seq, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)').run(seq, iso(e.at), e.actor, e.action, e.detail);
  }

  listHistory(incidentId: string): HistoryEntry[] {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (this.st('SELECT * FROM history WHERE incident_seq = ? ORDER BY id').all(seq) as Row[]).map(toHistory);
  }

  enqueueDelivery(d: NewDelivery): number {
    const at = iso(d.at);
    const seq = d.incidentId === null ? null : seqOf(d.incidentId);
    const row = this.st(
      `INSERT INTO outbox (platform, target, reply, event_id, incident_seq, kind, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ).get(d.target.platform, JSON.stringify(d.target), JSON.stringify(d.reply), d.eventId, seq, d.kind, at, at) as Row;
    return Number(row.id);
  }

  getDelivery(id: number): Delivery | null {
    const row = this.st('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toDelivery(row) : null;
  }

  claimDelivery(id: number, holder: string, until: string, now: string): boolean {
    return this.st(
      `UPDATE outbox SET claimed_by = ?, claimed_until = ?
       WHERE id = ? AND delivered_at IS NULL AND next_attempt_at IS NOT NULL
         AND (claimed_by IS NULL OR claimed_by = ? OR claimed_until <= ?)`,
    ).run(holder, iso(until), id, holder, iso(now)).changes === 1;
  }

  markDelivered(id: number, ref: PostedRef, at: string): void {
    this.st('UPDATE outbox SET delivered_at = ?, posted_ref = ?, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL WHERE id = ?').run(iso(at), JSON.stringify(ref), id);
  }

  markFailed(id: number, error: string, nextAttemptAt: string | null): void {
    this.st('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND delivered_at IS NULL')
      .run(shortError(error), nextAttemptAt === null ? null : iso(nextAttemptAt), id);
  }

  pendingDeliveries(now: string, opts: { platform?: Platform; limit?: number } = {}): Delivery[] {
    const t = iso(now);
    const rows = this.st(
      `SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
         AND (claimed_until IS NULL OR claimed_until <= ?) AND (? IS NULL OR platform = ?)
       ORDER BY id LIMIT ?`,
    ).all(t, t, opts.platform ?? null, opts.platform ?? null, opts.limit ?? -1) as Row[];
    return rows.map(toDelivery);
  }

  recordPostedMessage(incidentId: string, ref: PostedRef, kind: string, at: string): void {
    const seq = seqOf(incidentId);
    if (seq === null) throw notFound(incidentId);
    this.st('INSERT INTO posted_messages (incident_seq, ref, kind, posted_at) VALUES (?, ?, ?, ?)').run(seq, JSON.stringify(ref), kind, iso(at));
  }

  postedMessages(incidentId: string): PostedMessage[] {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (this.st('SELECT * FROM posted_messages WHERE incident_seq = ? ORDER BY id').all(seq) as Row[]).map(toPostedMessage);
  }

  tryAcquireLease(key: string, holder: string, until: string, now: string): boolean {
    return this.st(
      `INSERT INTO leases (key, holder, until) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, until = excluded.until
       WHERE leases.completed_at IS NULL AND (leases.holder = excluded.holder OR leases.until <= ?)`,
    ).run(key, holder, iso(until), iso(now)).changes === 1;
  }

  completeLease(key: string, holder: string, at: string): void {
    this.st('UPDATE leases SET completed_at = ? WHERE key = ? AND holder = ? AND completed_at IS NULL').run(iso(at), key, holder);
  }

  recordDigestSlot(channelKey: string, slot: string, at: string): void {
    this.st('INSERT INTO digest_slots (channel_key, slot, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(channelKey, iso(slot), iso(at));
  }

  lastDigestSlot(channelKey: string): string | null {
    const row = this.st('SELECT MAX(slot) AS slot FROM digest_slots WHERE channel_key = ?').get(channelKey) as Row | undefined;
    return row && row.slot !== null ? String(row.slot) : null;
  }

  settingOrInit(key: string, value: string, at: string): string {
    this.st('INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING').run(key, value, iso(at));
    const row = this.st('SELECT value FROM settings WHERE key = ?').get(key) as Row | undefined;
    return String(row?.value ?? value);
  }
}
