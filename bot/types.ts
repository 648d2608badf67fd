// Platform-neutral types shared by the bot core and the adapters. Adapters translate platform
// events into PlatformMessage / Command / Action and a Reply back into platform payloads; nothing
// else crosses the boundary.

import type { Analysis, ChainLink } from '../analyzers/contract.ts';

export type Platform = 'slack' | 'discord' | 'api' | 'web' | 'cli' | 'test';

/** A file attached to a message; the adapter knows how to download it (with its token). */
export interface Attachment {
  id: string;
  name: string;
  size: number | null; // bytes, when the platform says
  mimetype: string | null;
  /** Downloads at most `maxBytes` (+1 to detect overflow). Rejects with a LockdownError on failure. */
  fetch(maxBytes: number): Promise<Uint8Array>;
}

export interface PlatformMessage {
  platform: Platform;
  workspace: string; // Slack team id, Discord guild id, "local" for api/web
  channel: string; // channel id
  channelName: string | null; // "#storage" when known, for "last in #storage"
  /** Thread root id when the message is inside a thread, else null. */
  thread: string | null;
  messageId: string; // Slack ts, Discord message id
  /** Idempotency key of the platform event (Slack event_id / client_msg_id, Discord message id). */
  eventId: string;
  author: string; // platform user id
  authorName: string | null;
  text: string;
  attachments: Attachment[];
  /** Permalink to the message when the platform gives one. */
  link: string | null;
  /** When channelName is null and the platform can look it up (Slack: conversations.info), the core
   *  calls this once it knows the message is a trace. Resolves to null on any failure; never rejects. */
  resolveChannelName?: () => Promise<string | null>;
}

/** `/lockdown <text>` from any platform (the grammar is parsed by the core, not the adapter). */
export interface Command {
  platform: Platform;
  workspace: string;
  channel: string;
  channelName: string | null;
  thread: string | null;
  author: string;
  authorName: string | null;
  /** Everything after "/lockdown", e.g. "resolve LD-4 fixed in 5.10.3". */
  text: string;
  eventId: string;
  attachments: Attachment[];
}

/** A button press: Acknowledge / Resolve / Reopen / Mute on a reply. */
export interface Action {
  platform: Platform;
  workspace: string;
  channel: string;
  author: string;
  authorName: string | null;
  action: ActionId;
  incidentId: string; // "LD-42"
  eventId: string;
  /** The message that carries the pressed button. The adapter answers the press by updating that
   *  message itself, so the core's refresh of the incident's replies leaves it out (one update). */
  message?: { channel: string; messageId: string } | null;
}

export type ActionId = 'ack' | 'resolve' | 'reopen' | 'mute';

// ---- Replies -------------------------------------------------------------------------------

export type ReplyBlock =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string } // light markdown: *bold*, `code`
  | { type: 'fields'; fields: Array<{ label: string; value: string }> }
  | { type: 'chain'; title: string; links: ChainLink[]; cycle: boolean }
  | { type: 'list'; title: string; items: string[]; ordered?: boolean }
  | { type: 'code'; text: string }
  | { type: 'context'; text: string }
  | { type: 'actions'; incidentId: string; actions: Array<{ id: ActionId; label: string; style?: 'primary' | 'danger' }> }
  | { type: 'divider' };

export interface Reply {
  /** Plain-text summary (notifications, fallbacks, screen readers). */
  text: string;
  blocks: ReplyBlock[];
  /** Only the requester sees it (Slack ephemeral / Discord ephemeral). */
  ephemeral: boolean;
  /** The incident this reply is about, when there is one. */
  incidentId: string | null;
  /** Link to the full report page when publicUrl is configured. */
  reportUrl: string | null;
  /** The whole report as Markdown, for adapters that must move overflow into a file. */
  fullMarkdown: string | null;
}

// ---- Incidents -----------------------------------------------------------------------------

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved' | 'duplicate' | 'muted';

export interface Incident {
  id: string; // "LD-42"
  seq: number; // 42
  signature: string;
  title: string;
  family: string;
  status: IncidentStatus;
  owner: string | null;
  duplicateOf: string | null;
  mutedUntil: string | null; // ISO time
  regression: boolean; // reopened because a resolved signature was seen again
  occurrenceCount: number;
  firstSeen: string; // ISO
  lastSeen: string; // ISO
  lastChannel: string | null;
  lastChannelName: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Occurrence {
  id: number;
  incidentId: string;
  platform: Platform;
  workspace: string;
  channel: string;
  channelName: string | null;
  thread: string | null;
  messageId: string | null;
  link: string | null;
  author: string | null;
  seenAt: string; // ISO
  analysis: Analysis;
}

export interface HistoryEntry {
  incidentId: string;
  at: string;
  actor: string;
  action: string; // "status:resolved", "assign", "note", "regression", "occurrence"
  detail: string | null;
}
