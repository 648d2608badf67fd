// Row ↔ object mapping shared by both backends (SQLite gives 0/1 and JSON text, PostgreSQL gives
// booleans and parsed jsonb), so both return identical objects and the one suite can compare them.

import { LockdownError } from '../../config/errors.ts';
import type { PostedRef, ReplyTarget } from '../ports.ts';
import type { HistoryEntry, Incident, IncidentStatus, Occurrence, Platform, Reply } from '../types.ts';
import type { Delivery, PostedMessage } from './store.ts';
import { formatIncidentId, parseIncidentId } from './store.ts';

type Row = Record<string, unknown>;

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => Number(v);

/** Normalises a caller's time to `Date#toISOString()` form, so text comparison is time comparison. */
export function iso(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new LockdownError('LD_STORE', `not a time: ${JSON.stringify(at)}`);
  return d.toISOString();
}

/** The sequence number of an incident id, or a LD_NOT_FOUND error naming it. */
export function seqOf(id: string): number | null {
  return parseIncidentId(id);
}

export function toIncident(r: Row): Incident {
  const seq = num(r.seq);
  return {
    id: formatIncidentId(seq),
    seq,
    signature: String(r.signature),
    title: String(r.title),
    family: String(r.family),
    status: String(r.status) as IncidentStatus,
    owner: str(r.owner),
    duplicateOf: str(r.duplicate_of),
    mutedUntil: str(r.muted_until),
    regression: r.regression === true || r.regression === 1 || r.regression === '1',
    occurrenceCount: num(r.occurrence_count),
    firstSeen: String(r.first_seen),
    lastSeen: String(r.last_seen),
    lastChannel: str(r.last_channel),
    lastChannelName: str(r.last_channel_name),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

export function toOccurrence(r: Row): Occurrence {
  return {
    id: num(r.id),
    incidentId: formatIncidentId(num(r.incident_seq)),
    platform: String(r.platform) as Platform,
    workspace: String(r.workspace),
    channel: String(r.channel),
    channelName: str(r.channel_name),
    thread: str(r.thread),
    messageId: str(r.message_id),
    link: str(r.link),
    author: str(r.author),
    seenAt: String(r.seen_at),
    analysis: json(r.analysis),
  };
}

export function toHistory(r: Row): HistoryEntry {
  return {
    incidentId: formatIncidentId(num(r.incident_seq)),
    at: String(r.at),
    actor: String(r.actor),
    action: String(r.action),
    detail: str(r.detail),
  };
}

export function toDelivery(r: Row): Delivery {
  return {
    id: num(r.id),
    target: json<ReplyTarget>(r.target),
    reply: json<Reply>(r.reply),
    eventId: str(r.event_id),
    incidentId: r.incident_seq === null || r.incident_seq === undefined ? null : formatIncidentId(num(r.incident_seq)),
    kind: String(r.kind),
    attempts: num(r.attempts),
    nextAttemptAt: str(r.next_attempt_at),
    lastError: str(r.last_error),
    createdAt: String(r.created_at),
    deliveredAt: str(r.delivered_at),
    postedRef: r.posted_ref === null || r.posted_ref === undefined ? null : json<PostedRef>(r.posted_ref),
  };
}

export function toPostedMessage(r: Row): PostedMessage {
  return {
    incidentId: formatIncidentId(num(r.incident_seq)),
    ref: json<PostedRef>(r.ref),
    kind: String(r.kind),
    postedAt: String(r.posted_at),
  };
}

/** The columns an IncidentPatch may set, in a fixed order. */
export const PATCH_COLUMNS = [
  ['status', 'status'],
  ['owner', 'owner'],
  ['duplicateOf', 'duplicate_of'],
  ['mutedUntil', 'muted_until'],
  ['regression', 'regression'],
  ['title', 'title'],
  ['family', 'family'],
] as const;

export function notFound(id: string): LockdownError {
  return new LockdownError('LD_NOT_FOUND', `no incident ${id}`, { userMessage: `No incident ${id}.`, details: { id } });
}

/** Trims an error text before it is stored (never a whole stack). */
export function shortError(error: string): string {
  return error.length > 500 ? `${error.slice(0, 497)}...` : error;
}
