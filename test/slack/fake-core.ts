// A small BotCore double for adapter tests: it uses the real router gates (detectTrace, readPaste) so
// "is this a trace?" and attachment limits behave like the core, dedups on eventId like the core, and
// records what the adapter handed it. Its replies are fixed shapes; the real analysis is covered by
// the tests that run the real core (slack-real-core.test.ts).

import type { ActionOutcome, BotCore, MessageOutcome, PlatformPort, ReplyTarget } from '../../bot/ports.ts';
import { detectTrace } from '../../bot/router/detect-trace.ts';
import { readableAttachments, readPaste } from '../../bot/router/read-paste.ts';
import type { Action, Command, Incident, PlatformMessage, Reply } from '../../bot/types.ts';
import { asLockdownError } from '../../config/errors.ts';

export class FakeCore implements BotCore {
  port: PlatformPort | null = null;
  messages: PlatformMessage[] = [];
  texts: string[] = [];
  commands: Command[] = [];
  actions: Action[] = [];
  homes: string[] = [];
  postErrors: unknown[] = [];
  private seen = new Set<string>();
  /** Held commands resolve only when the test opens the gate (to see the ack come first). */
  commandGate: Promise<void> = Promise.resolve();
  commandDone = false;

  constructor(readonly opts: { pasteBytes?: number; reactAbove?: number; reply?: (text: string) => Reply } = {}) {}

  registerPort(port: PlatformPort): void {
    this.port = port;
  }

  async handleMessage(msg: PlatformMessage): Promise<MessageOutcome> {
    this.messages.push(msg);
    if (this.seen.has(msg.eventId)) return { kind: 'duplicate' };
    this.seen.add(msg.eventId);
    const files = readableAttachments(msg.attachments);
    if (files.length === 0 && !detectTrace(msg.text).isTrace) return { kind: 'ignored', reason: 'not-a-trace' };
    const target: ReplyTarget = { platform: msg.platform, workspace: msg.workspace, channel: msg.channel, thread: msg.thread, messageId: msg.messageId };
    let text: string;
    try {
      text = await readPaste(msg.text, files, this.opts.pasteBytes ?? 1024 * 1024);
    } catch (e) {
      const reply = plain(asLockdownError(e).userMessage);
      return { kind: 'rejected', reply, posted: await this.port!.post(target, reply) };
    }
    this.texts.push(text);
    if (!detectTrace(text).isTrace) return { kind: 'ignored', reason: 'not-a-trace' };
    if (text.length > (this.opts.reactAbove ?? Infinity)) await this.port!.react!(target, 'mag');
    const reply = this.opts.reply ? this.opts.reply(text) : traceReply(text);
    try {
      const posted = await this.port!.post(target, reply);
      return { kind: 'replied', incidentId: reply.incidentId, posted, reply };
    } catch (e) {
      this.postErrors.push(e);
      throw e;
    }
  }

  async handleCommand(cmd: Command): Promise<Reply> {
    this.commands.push(cmd);
    await this.commandGate;
    this.commandDone = true;
    if (cmd.text.startsWith('list')) return { ...plain('LD-1 open · hung task'), ephemeral: true };
    return traceReply(cmd.text);
  }

  async handleAction(action: Action): Promise<ActionOutcome> {
    this.actions.push(action);
    const reply = { ...traceReply('resolved'), blocks: [{ type: 'header' as const, text: `${action.incidentId} ${action.action}d` }, { type: 'actions' as const, incidentId: action.incidentId, actions: [{ id: 'reopen' as const, label: 'Reopen' }] }] };
    return { reply, incident: null, notice: `${action.incidentId}: ${action.action} by <@${action.author}>` };
  }

  async home(workspace: string): Promise<Reply> {
    this.homes.push(workspace);
    const blocks: Reply['blocks'] = [{ type: 'header', text: 'Open incidents' }];
    for (let i = 1; i <= 60; i += 1) {
      blocks.push({ type: 'text', text: `*LD-${i}* hung task in flush_workqueue` });
      blocks.push({ type: 'actions', incidentId: `LD-${i}`, actions: [{ id: 'ack', label: 'Acknowledge' }, { id: 'resolve', label: 'Resolve' }] });
    }
    return { text: 'Open incidents', blocks, ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null };
  }

  async openIncidents(): Promise<Incident[]> {
    return [];
  }
}

function plain(text: string): Reply {
  return { text, blocks: [{ type: 'text', text }], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null };
}

/** A reply that carries the paste back (first lines as code) and the four buttons of incident LD-1. */
export function traceReply(text: string): Reply {
  const lines = text.split('\n');
  return {
    text: `LD-1 trace of ${lines.length} lines`,
    blocks: [
      { type: 'header', text: 'Stuck tasks: trace received' },
      { type: 'code', text },
      { type: 'actions', incidentId: 'LD-1', actions: [{ id: 'ack', label: 'Acknowledge', style: 'primary' }, { id: 'resolve', label: 'Resolve' }, { id: 'reopen', label: 'Reopen' }, { id: 'mute', label: 'Mute', style: 'danger' }] },
    ],
    ephemeral: false,
    incidentId: 'LD-1',
    reportUrl: null,
    fullMarkdown: `# Full report\n\n${text}`,
  };
}
