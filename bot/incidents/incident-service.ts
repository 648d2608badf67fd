// The incident service: one incident per hang signature, across channels and platforms. It records
// occurrences (dedup, regression reopen, duplicates counting on their target, mutes staying quiet)
// and applies status changes with history and permission checks. The implementation is
// bot/incidents/create-incident-service.ts; the clock is injected.

import type { Analysis } from '../../analyzers/contract.ts';
import type { StoreOps } from '../store/store.ts';
import type { HistoryEntry, Incident, Occurrence, PlatformMessage } from '../types.ts';
import type { IncidentFilter } from '../store/store.ts';

/** Where an occurrence was seen: the message fields the incident keeps. */
export type OccurrenceMeta = Pick<
  PlatformMessage,
  'platform' | 'workspace' | 'channel' | 'channelName' | 'thread' | 'messageId' | 'link' | 'author'
>;

export interface RecordResult {
  /** The incident the occurrence counts on (the target when the signature's incident is a duplicate). */
  incident: Incident;
  occurrence: Occurrence;
  /** First time this signature was seen. */
  isNew: boolean;
  /** This occurrence reopened a resolved incident ("regression"). */
  regression: boolean;
  /** The incident is muted (until incident.mutedUntil, or indefinitely): reply quietly. */
  muted: boolean;
  /** When the signature's own incident is a duplicate: its id (incident is then the target). */
  duplicateFrom: string | null;
  /** Occurrences including this one: "seen 3 times since <firstSeen>, last in <lastChannelName>". */
  seenCount: number;
  firstSeen: string;
  /** Channel name of the PREVIOUS occurrence (null for a new incident or when unknown). */
  lastChannelName: string | null;
  /** Channel id of the previous occurrence. */
  lastChannel: string | null;
}

export interface Actor {
  id: string; // platform user id, or "api" / "cli"
  name?: string | null;
  /** Skips config.permissions (the HTTP API behind its token, the command line). */
  privileged?: boolean;
}

export interface StatusChange {
  before: Incident;
  incident: Incident;
  /** false when the incident already was in the requested state (nothing written). */
  changed: boolean;
}

export interface IncidentService {
  /** Records one occurrence of `analysis.signature`. Pass `tx` to join a transaction the caller opened
   *  (so the occurrence, the event claim and the outbox entry commit together); without it the
   *  service runs its own transaction. */
  recordOccurrence(meta: OccurrenceMeta, analysis: Analysis, tx?: StoreOps): Promise<RecordResult>;

  get(id: string): Promise<Incident | null>;
  /** LockdownError LD_NOT_FOUND when unknown (the user message names the id). */
  require(id: string): Promise<Incident>;
  list(filter?: IncidentFilter): Promise<Incident[]>;
  /** Unresolved = open, acknowledged, muted (not resolved, not duplicate). */
  listUnresolved(filter?: Omit<IncidentFilter, 'status'>): Promise<Incident[]>;
  occurrences(id: string): Promise<Occurrence[]>;
  history(id: string): Promise<HistoryEntry[]>;

  ack(id: string, actor: Actor): Promise<StatusChange>;
  /** Permission `resolve`. */
  resolve(id: string, actor: Actor, note?: string | null): Promise<StatusChange>;
  reopen(id: string, actor: Actor): Promise<StatusChange>;
  /** Marks `id` a duplicate of `ofId` (resolved to the root of any duplicate chain). Permission `dup`.
   *  LD_CONFLICT when it would point at itself. */
  dup(id: string, ofId: string, actor: Actor): Promise<StatusChange>;
  /** Mutes until `until` (ISO) or indefinitely (null). Permission `mute`. */
  mute(id: string, actor: Actor, until: string | null): Promise<StatusChange>;
  /** Sets the owner (null clears it). */
  assign(id: string, actor: Actor, owner: string | null): Promise<StatusChange>;
  addNote(id: string, actor: Actor, text: string): Promise<Incident>;
}
