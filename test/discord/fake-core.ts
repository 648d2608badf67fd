// A stand-in BotCore for adapter tests: records what the adapter hands over and answers with the
// replies a test gives it. Like the real core it posts a message's reply through the registered port
// and skips an eventId it has already handled (only so replay tests can count REST posts; the real
// core's dedup is tested with the real core in discord-core.integration.test.ts).

import type { ActionOutcome, BotCore, MessageOutcome, PlatformPort } from '../../bot/ports.ts';
import type { Action, Command, Incident, PlatformMessage, Reply } from '../../bot/types.ts';

export interface FakeCoreAnswers {
  message?: (m: PlatformMessage) => Reply | null;
  command?: (c: Command) => Reply;
  action?: (a: Action) => ActionOutcome;
}

export class FakeCore implements BotCore {
  port: PlatformPort | null = null;
  readonly messages: PlatformMessage[] = [];
  readonly commands: Command[] = [];
  readonly actions: Action[] = [];
  private readonly handled = new Set<string>();
  private waiters: Array<() => void> = [];
  /** When set, handleAction waits for it (a slow store). */
  actionGate: Promise<void> | null = null;

  constructor(private readonly answers: FakeCoreAnswers = {}) {}

  registerPort(port: PlatformPort): void {
    this.port = port;
  }

  async handleMessage(m: PlatformMessage): Promise<MessageOutcome> {
    this.messages.push(m);
    this.notify();
    if (this.handled.has(m.eventId)) return { kind: 'duplicate' };
    this.handled.add(m.eventId);
    const reply = this.answers.message?.(m) ?? null;
    if (!reply || !this.port) return { kind: 'ignored', reason: 'not-a-trace' };
    const posted = await this.port.post({ platform: m.platform, workspace: m.workspace, channel: m.channel, thread: m.thread, messageId: m.messageId }, reply);
    return { kind: 'replied', incidentId: reply.incidentId, posted, reply };
  }

  async handleCommand(c: Command): Promise<Reply> {
    this.commands.push(c);
    this.notify();
    return this.answers.command?.(c) ?? { text: `ok: ${c.text}`, blocks: [], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null };
  }

  async handleAction(a: Action): Promise<ActionOutcome> {
    this.actions.push(a);
    this.notify();
    if (this.actionGate) await this.actionGate;
    return this.answers.action?.(a) ?? { reply: { text: a.action, blocks: [], ephemeral: false, incidentId: a.incidentId, reportUrl: null, fullMarkdown: null }, incident: null, notice: null };
  }

  async home(): Promise<Reply> {
    return { text: 'home', blocks: [], ephemeral: false, incidentId: null, reportUrl: null, fullMarkdown: null };
  }

  async openIncidents(): Promise<Incident[]> {
    return [];
  }

  /** Resolves once `test` holds (checked now and after every call into the core). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (test() ? (resolve(), true) : false);
      this.waiters.push(() => void check());
    });
  }

  private notify(): void {
    for (const w of this.waiters) w();
  }
}
