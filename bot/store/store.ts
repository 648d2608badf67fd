// The store: one interface, two backends (bot/store/sqlite-store.ts, bot/store/pg-store.ts), one test
// suite run against both (test/store/store-suite.ts). Every timestamp is passed in by the caller (an
// injected clock), never read inside the store, so tests control time and replicas agree on it.
// All times are ISO-8601 strings in UTC ("2026-11-02T09:00:00.000Z").

import type { PostedRef, ReplyTarget } from '../ports.ts';
import type { HistoryEntry, Incident, IncidentStatus, Occurrence, Platform, Reply } from '../types.ts';

export interface NewIncident {
  signature: string;
  title: string;
  family: string;
  at: string; // firstSeen = lastSeen = createdAt = updatedAt
}

/** Fields of an incident a status change may set (undefined = unchanged, null = cleared). */
export interface IncidentPatch {
  status?: IncidentStatus;
  owner?: string | null;
  duplicateOf?: string | null;
  mutedUntil?: string | null;
  regression?: boolean;
  title?: string;
  family?: string;
}

export interface IncidentFilter {
  /** Any of these statuses (omitted = all). */
  status?: IncidentStatus[];
  workspace?: string; // incidents with at least one occurrence in this workspace
  channel?: string; // incidents with at least one occurrence in this channel
  limit?: number;
}

/** An occurrence before the store gives it an id. */
export type NewOccurrence = Omit<Occurrence, 'id'>;

export interface NewDelivery {
  target: ReplyTarget;
  reply: Reply;
  /** The platform event that caused it (null for digests and notices). */
  eventId: string | null;
  incidentId: string | null;
  /** What it is, for logs and metrics: 'analysis' | 'notice' | 'digest' | 'rejection'. */
  kind: string;
  at: string; // createdAt and first nextAttemptAt
}

export interface Delivery {
  id: number;
  target: ReplyTarget;
  reply: Reply;
  eventId: string | null;
  incidentId: string | null;
  kind: string;
  attempts: number;
  nextAttemptAt: string | null; // null = gave up
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  postedRef: PostedRef | null;
}

export interface PostedMessage {
  incidentId: string;
  ref: PostedRef;
  kind: string; // 'analysis' | 'notice' | ...
  postedAt: string;
}

/** Everything but the lifecycle: what a transaction callback may call. */
export interface StoreOps {
  // ---- idempotency ----
  /** Records a platform event id. true = first time seen (handle it), false = already handled.
   *  Atomic across replicas, survives restarts. */
  claimEvent(platform: Platform, eventId: string, at: string): Promise<boolean>;

  // ---- incidents ----
  /** Creates an incident with the next short id (LD-<seq>). Returns null when an incident with this
   *  signature already exists (two replicas racing): read it with getIncidentBySignature. */
  createIncident(input: NewIncident): Promise<Incident | null>;
  /** By short id: "LD-42", "ld-42" or "42". null when unknown. */
  getIncident(id: string): Promise<Incident | null>;
  /** In a transaction, `forUpdate` locks the row (PostgreSQL SELECT ... FOR UPDATE; SQLite transactions
   *  are already exclusive) so a read-modify-write cannot lose an update. */
  getIncidentBySignature(signature: string, opts?: { forUpdate?: boolean }): Promise<Incident | null>;
  getIncidentForUpdate(id: string): Promise<Incident | null>;
  /** Newest activity first (lastSeen desc). */
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;
  /** Applies the patch; returns the updated incident (LockdownError LD_NOT_FOUND when unknown). */
  updateIncident(id: string, patch: IncidentPatch, at: string): Promise<Incident>;

  // ---- occurrences ----
  /** Inserts the occurrence and bumps the incident's occurrenceCount / lastSeen / lastChannel(Name). */
  insertOccurrence(input: NewOccurrence): Promise<Occurrence>;
  /** By occurrence id (report pages link to one occurrence). null when unknown. */
  getOccurrence(id: number): Promise<Occurrence | null>;
  /** Oldest first. */
  listOccurrences(incidentId: string, opts?: { limit?: number }): Promise<Occurrence[]>;
  countOccurrences(incidentId: string): Promise<number>;
  /** The newest occurrence (by seenAt, then id: the last of listOccurrences) of each incident asked
   *  for, in one query: incident id ("LD-42") → occurrence id. Incidents without one are absent. */
  latestOccurrenceIds(incidentIds: readonly string[]): Promise<Map<string, number>>;

  // ---- history ----
  addHistory(entry: HistoryEntry): Promise<void>;
  /** Oldest first. */
  listHistory(incidentId: string): Promise<HistoryEntry[]>;

  // ---- outbox ----
  /** Queues a reply; commit it in the same transaction as the occurrence, BEFORE posting. */
  enqueueDelivery(input: NewDelivery): Promise<number>;
  getDelivery(id: number): Promise<Delivery | null>;
  /** Takes a delivery for `holder` until `until`, so two replicas draining the outbox do not both post
   *  it. false = delivered, given up, or held by another holder whose claim has not expired at `now`. */
  claimDelivery(id: number, holder: string, until: string, now: string): Promise<boolean>;
  markDelivered(id: number, postedRef: PostedRef, at: string): Promise<void>;
  /** Records a failed attempt (attempts + 1); nextAttemptAt null = give up. Releases the claim. */
  markFailed(id: number, error: string, nextAttemptAt: string | null): Promise<void>;
  /** Undelivered entries due at `now` (nextAttemptAt <= now), oldest first. */
  pendingDeliveries(now: string, opts?: { platform?: Platform; limit?: number }): Promise<Delivery[]>;

  // ---- posted messages (to update a reply or post a notice into the original thread) ----
  recordPostedMessage(incidentId: string, ref: PostedRef, kind: string, at: string): Promise<void>;
  /** Oldest first. */
  postedMessages(incidentId: string): Promise<PostedMessage[]>;

  // ---- leases (exactly one replica does a scheduled job) ----
  /** Takes `key` for `holder` until `until`. true when the key was free, expired at `now` (and not
   *  completed), or already held by this holder. A completed lease is never taken again. */
  tryAcquireLease(key: string, holder: string, until: string, now: string): Promise<boolean>;
  /** Marks the job done: the key can never be acquired again (a digest slot is sent once). */
  completeLease(key: string, holder: string, at: string): Promise<void>;
  /** Records that the digest of `channelKey` for `slot` (ISO time of the cron tick) was sent. */
  recordDigestSlot(channelKey: string, slot: string, at: string): Promise<void>;
  /** The latest slot recorded for the channel, or null. */
  lastDigestSlot(channelKey: string): Promise<string | null>;

  // ---- settings (values every replica of this store must share) ----
  /** The value stored under `key`; stores `value` first when there is none. Two replicas racing get
   *  the same answer: the first insert wins, the other reads it. */
  settingOrInit(key: string, value: string, at: string): Promise<string>;
}

export interface Store extends StoreOps {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs pending migrations; safe when two replicas call it at once. Idempotent. */
  migrate(): Promise<void>;
  /** Runs `fn` in one transaction: everything commits or nothing does. No other operation of this
   *  store interleaves with it (SQLite) / it runs on one connection (PostgreSQL). Do not nest. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** A cheap round trip (health checks); rejects with LD_STORE when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** "LD-42" / "ld-42" / "42" → 42; null when it is not an incident id. */
export function parseIncidentId(id: string): number | null {
  const m = /^(?:LD-)?(\d{1,10})$/i.exec(id.trim());
  if (!m) return null;
  const n = Number(m[1]);
  // Sequences are 32-bit integer columns on both backends.
  return n > 0 && n <= 2147483647 ? n : null;
}

export function formatIncidentId(seq: number): string {
  return `LD-${seq}`;
}
