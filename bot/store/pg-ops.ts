// The PostgreSQL backend's operations over any queryable (the pool, or one client inside a
// transaction). Races between replicas are settled by the database: ON CONFLICT for idempotency,
// incident creation and leases; SELECT ... FOR UPDATE for read-modify-write inside transactions.

import type { PostedRef } from '../ports.ts';
import type { HistoryEntry, Incident, Occurrence, Platform } from '../types.ts';
import { formatIncidentId } from './store.ts';
import { iso, notFound, PATCH_COLUMNS, seqOf, shortError, toDelivery, toHistory, toIncident, toOccurrence, toPostedMessage } from './rows.ts';
import type { Delivery, IncidentFilter, IncidentPatch, NewDelivery, NewIncident, NewOccurrence, PostedMessage, StoreOps } from './store.ts';

type Row = Record<string, unknown>;

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

const jsonParam = (v: unknown) => JSON.stringify(v);

export class PgOps implements StoreOps {
  constructor(protected readonly q: Queryable) {}

  private async one(sql: string, params: unknown[]): Promise<Row | null> {
    const r = await this.q.query(sql, params);
    return r.rows[0] ?? null;
  }

  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.q.query(sql, params)).rowCount ?? 0) > 0;
  }

  async claimEvent(platform: Platform, eventId: string, at: string): Promise<boolean> {
    return this.changed('INSERT INTO events (platform, event_id, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [platform, eventId, iso(at)]);
  }

  async createIncident(input: NewIncident): Promise<Incident | null> {
    const at = iso(input.at);
    const row = await this.one(
      `INSERT INTO incidents (signature, title, family, status, first_seen, last_seen, created_at, updated_at)
       VALUES ($1, $2, $3, 'open', $4, $4, $4, $4) ON CONFLICT (signature) DO NOTHING RETURNING *`,
      [input.signature, input.title, input.family, at],
    );
    return row ? toIncident(row) : null;
  }

  async getIncident(id: string): Promise<Incident | null> {
    const seq = seqOf(id);
    if (seq === null) return null;
    const row = await this.one('SELECT * FROM incidents WHERE seq = $1', [seq]);
    return row ? toIncident(row) : null;
  }

  async getIncidentBySignature(signature: string, opts: { forUpdate?: boolean } = {}): Promise<Incident | null> {
    const row = await this.one(`SELECT * FROM incidents WHERE signature = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [signature]);
    return row ? toIncident(row) : null;
  }

  async getIncidentForUpdate(id: string): Promise<Incident | null> {
    const seq = seqOf(id);
    if (seq === null) return null;
    const row = await this.one('SELECT * FROM incidents WHERE seq = $1 FOR UPDATE', [seq]);
    return row ? toIncident(row) : null;
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status && filter.status.length > 0) {
      args.push(filter.status);
      where.push(`i.status = ANY($${args.length}::text[])`);
    }
    if (filter.workspace !== undefined) {
      args.push(filter.workspace);
      where.push(`EXISTS (SELECT 1 FROM occurrences o WHERE o.incident_seq = i.seq AND o.workspace = $${args.length})`);
    }
    if (filter.channel !== undefined) {
      args.push(filter.channel);
      where.push(`EXISTS (SELECT 1 FROM occurrences o WHERE o.incident_seq = i.seq AND o.channel = $${args.length})`);
    }
    args.push(filter.limit ?? null);
    const sql = `SELECT * FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY i.last_seen DESC, i.seq DESC LIMIT $${args.length}`;
    return (await this.q.query(sql, args)).rows.map(toIncident);
  }

  async updateIncident(id: string, patch: IncidentPatch, at: string): Promise<Incident> {
    const seq = seqOf(id);
    if (seq === null) throw notFound(id);
    const args: unknown[] = [iso(at)];
    const sets: string[] = ['updated_at = $1'];
    for (const [key, col] of PATCH_COLUMNS) {
      const v = patch[key];
      if (v === undefined) continue;
      args.push(key === 'mutedUntil' && v !== null ? iso(String(v)) : v);
      sets.push(`${col} = $${args.length}`);
    }
    args.push(seq);
    const row = await this.one(`UPDATE incidents SET ${sets.join(', ')} WHERE seq = $${args.length} RETURNING *`, args);
    if (!row) throw notFound(id);
    return toIncident(row);
  }

  async insertOccurrence(o: NewOccurrence): Promise<Occurrence> {
    const seq = seqOf(o.incidentId);
    if (seq === null) throw notFound(o.incidentId);
    const at = iso(o.seenAt);
    // One statement: the insert and the incident's counters commit together even outside a transaction.
    // The latest occurrence names the incident's last channel, even if recorded out of order.
    const row = await this.one(
      `WITH bumped AS (
         UPDATE incidents SET occurrence_count = occurrence_count + 1,
           last_channel = CASE WHEN $10 >= last_seen THEN $4 ELSE last_channel END,
           last_channel_name = CASE WHEN $10 >= last_seen THEN $5 ELSE last_channel_name END,
           first_seen = LEAST(first_seen, $10), last_seen = GREATEST(last_seen, $10)
         WHERE seq = $1 RETURNING seq)
       INSERT INTO occurrences (incident_seq, platform, workspace, channel, channel_name, thread, message_id, link, author, seen_at, analysis)
       SELECT seq, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM bumped RETURNING *`,
      [seq, o.platform, o.workspace, o.channel, o.channelName, o.thread, o.messageId, o.link, o.author, at, jsonParam(o.analysis)],
    );
    if (!row) throw notFound(o.incidentId);
    return toOccurrence(row);
  }

  async getOccurrence(id: number): Promise<Occurrence | null> {
    if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647) return null;
    const row = await this.one('SELECT * FROM occurrences WHERE id = $1', [id]);
    return row ? toOccurrence(row) : null;
  }

  async listOccurrences(incidentId: string, opts: { limit?: number } = {}): Promise<Occurrence[]> {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (await this.q.query('SELECT * FROM occurrences WHERE incident_seq = $1 ORDER BY seen_at, id LIMIT $2', [seq, opts.limit ?? null])).rows.map(toOccurrence);
  }

  async latestOccurrenceIds(incidentIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const seqs = [...new Set(incidentIds.map(seqOf).filter((s): s is number => s !== null))];
    if (seqs.length === 0) return out;
    const { rows } = await this.q.query(
      `SELECT DISTINCT ON (incident_seq) incident_seq AS seq, id FROM occurrences
       WHERE incident_seq = ANY($1::int[]) ORDER BY incident_seq, seen_at DESC, id DESC`,
      [seqs],
    );
    for (const r of rows) out.set(formatIncidentId(Number(r.seq)), Number(r.id));
    return out;
  }

  async countOccurrences(incidentId: string): Promise<number> {
    const seq = seqOf(incidentId);
    if (seq === null) return 0;
    return Number((await this.one('SELECT COUNT(*)::int AS n FROM occurrences WHERE incident_seq = $1', [seq]))?.n ?? 0);
  }

  async addHistory(e: HistoryEntry): Promise<void> {
    const seq = seqOf(e.incidentId);
    if (seq === null) throw notFound(e.incidentId);
    await this.q.query('INSERT INTO history (incident_seq, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)', [seq, iso(e.at), e.actor, e.action, e.detail]);
  }

  async listHistory(incidentId: string): Promise<HistoryEntry[]> {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (await this.q.query('SELECT * FROM history WHERE incident_seq = $1 ORDER BY id', [seq])).rows.map(toHistory);
  }

  async enqueueDelivery(d: NewDelivery): Promise<number> {
    const at = iso(d.at);
    const row = await this.one(
      `INSERT INTO outbox (platform, target, reply, event_id, incident_seq, kind, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
      [d.target.platform, jsonParam(d.target), jsonParam(d.reply), d.eventId, d.incidentId === null ? null : seqOf(d.incidentId), d.kind, at],
    );
    return Number(row?.id);
  }

  async getDelivery(id: number): Promise<Delivery | null> {
    const row = await this.one('SELECT * FROM outbox WHERE id = $1', [id]);
    return row ? toDelivery(row) : null;
  }

  async claimDelivery(id: number, holder: string, until: string, now: string): Promise<boolean> {
    return this.changed(
      `UPDATE outbox SET claimed_by = $2, claimed_until = $3
       WHERE id = $1 AND delivered_at IS NULL AND next_attempt_at IS NOT NULL
         AND (claimed_by IS NULL OR claimed_by = $2 OR claimed_until <= $4)`,
      [id, holder, iso(until), iso(now)],
    );
  }

  async markDelivered(id: number, ref: PostedRef, at: string): Promise<void> {
    await this.q.query('UPDATE outbox SET delivered_at = $2, posted_ref = $3, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL WHERE id = $1', [id, iso(at), jsonParam(ref)]);
  }

  async markFailed(id: number, error: string, nextAttemptAt: string | null): Promise<void> {
    await this.q.query(
      'UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND delivered_at IS NULL',
      [id, shortError(error), nextAttemptAt === null ? null : iso(nextAttemptAt)],
    );
  }

  async pendingDeliveries(now: string, opts: { platform?: Platform; limit?: number } = {}): Promise<Delivery[]> {
    const rows = (
      await this.q.query(
        `SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1
           AND (claimed_until IS NULL OR claimed_until <= $1) AND ($2::text IS NULL OR platform = $2)
         ORDER BY id LIMIT $3`,
        [iso(now), opts.platform ?? null, opts.limit ?? null],
      )
    ).rows;
    return rows.map(toDelivery);
  }

  async recordPostedMessage(incidentId: string, ref: PostedRef, kind: string, at: string): Promise<void> {
    const seq = seqOf(incidentId);
    if (seq === null) throw notFound(incidentId);
    await this.q.query('INSERT INTO posted_messages (incident_seq, ref, kind, posted_at) VALUES ($1, $2, $3, $4)', [seq, jsonParam(ref), kind, iso(at)]);
  }

  async postedMessages(incidentId: string): Promise<PostedMessage[]> {
    const seq = seqOf(incidentId);
    if (seq === null) return [];
    return (await this.q.query('SELECT * FROM posted_messages WHERE incident_seq = $1 ORDER BY id', [seq])).rows.map(toPostedMessage);
  }

  async tryAcquireLease(key: string, holder: string, until: string, now: string): Promise<boolean> {
    // A concurrent insert of the same key waits for the first to commit, then re-checks the WHERE
    // against the committed row: exactly one of two replicas gets a fresh key.
    return this.changed(
      `INSERT INTO leases (key, holder, until) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
       WHERE leases.completed_at IS NULL AND (leases.holder = EXCLUDED.holder OR leases.until <= $4)`,
      [key, holder, iso(until), iso(now)],
    );
  }

  async completeLease(key: string, holder: string, at: string): Promise<void> {
    await this.q.query('UPDATE leases SET completed_at = $3 WHERE key = $1 AND holder = $2 AND completed_at IS NULL', [key, holder, iso(at)]);
  }

  async recordDigestSlot(channelKey: string, slot: string, at: string): Promise<void> {
    await this.q.query('INSERT INTO digest_slots (channel_key, slot, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [channelKey, iso(slot), iso(at)]);
  }

  async lastDigestSlot(channelKey: string): Promise<string | null> {
    const row = await this.one('SELECT MAX(slot) AS slot FROM digest_slots WHERE channel_key = $1', [channelKey]);
    return row && row.slot !== null ? String(row.slot) : null;
  }

  async settingOrInit(key: string, value: string, at: string): Promise<string> {
    // a concurrent insert of the same key waits for the first to commit, then does nothing: both
    // replicas then read the winner's value
    await this.q.query('INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [key, value, iso(at)]);
    const row = await this.one('SELECT value FROM settings WHERE key = $1', [key]);
    return String(row?.value ?? value);
  }
}
