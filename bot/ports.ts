// The seam between the bot core and the platform adapters.
//
// Inbound: an adapter turns a platform event into a PlatformMessage / Command / Action and calls the
// BotCore. Outbound: the core delivers replies through a PlatformPort the adapter implements, so the
// core can commit the occurrence first, keep an outbox, retry after a crash, post digests and post
// status changes into an incident's original thread. Adapters translate; the core decides.

import type { Action, Command, Incident, Platform, PlatformMessage, Reply } from './types.ts';

/** Where a reply goes. `thread: null` + `messageId` set = reply to that top-level message (the adapter
 *  may start a thread on it, as Discord does); both null = a new top-level post (digests). */
export interface ReplyTarget {
  platform: Platform;
  workspace: string;
  channel: string;
  thread: string | null;
  messageId: string | null;
}

/** A message the adapter posted, so it can be updated later (buttons) or replied under (notices). */
export interface PostedRef {
  platform: Platform;
  channel: string;
  /** The thread the message lives in (Discord: the thread channel id it created). */
  thread: string | null;
  messageId: string;
}

export interface PlatformPort {
  platform: Platform;
  /** Post a reply. Rejects with LockdownError('LD_PLATFORM') when the platform finally refuses. */
  post(target: ReplyTarget, reply: Reply): Promise<PostedRef>;
  /** Replace a posted message (after a button press or a status change). */
  update(ref: PostedRef, reply: Reply): Promise<void>;
  /** Optional quick acknowledgement while a large paste is analysed (Slack :mag: reaction). */
  react?(target: ReplyTarget, emoji: string): Promise<void>;
}

export type MessageOutcome =
  | { kind: 'ignored'; reason: 'not-a-trace' | 'own-message' | 'empty' }
  | { kind: 'duplicate' } // this platform event was already handled (retry, reconnect, replay)
  | { kind: 'replied'; incidentId: string | null; posted: PostedRef | null; reply: Reply }
  | { kind: 'rejected'; reply: Reply; posted: PostedRef | null }; // too large / not text: a short reply was sent

export interface ActionOutcome {
  /** The updated reply for the message that carried the button. */
  reply: Reply;
  incident: Incident | null;
  /** A one-line confirmation or error for the person who pressed it (ephemeral). */
  notice: string | null;
}

export interface BotCore {
  /** Register the port through which replies to `port.platform` are delivered (and the outbox drained). */
  registerPort(port: PlatformPort): void;
  /** A chat message: decide if it holds a trace, analyse, record, reply through the port (once per eventId). */
  handleMessage(msg: PlatformMessage): Promise<MessageOutcome>;
  /** `/lockdown ...`: the reply to show the requester (Reply.ephemeral says how). Never throws. */
  handleCommand(cmd: Command): Promise<Reply>;
  /** A button press on a reply. Never throws. */
  handleAction(action: Action): Promise<ActionOutcome>;
  /** App Home / dashboard: open incidents of a workspace as a Reply (blocks with actions). */
  home(workspace: string): Promise<Reply>;
  /** Open incidents (for adapters that render their own lists). */
  openIncidents(workspace?: string): Promise<Incident[]>;
}
