// A loopback Discord gateway, enough of https://discord.com/developers/docs/events/gateway to drive the
// real discord.js 14 client: HELLO (op 10), IDENTIFY (op 2) → READY + GUILD_CREATE, heartbeats (op 1 →
// op 11), RESUME (op 6) → replayed events + RESUMED, and dispatches (op 0) with a sequence number.
// discord.js connects with `?v=10&encoding=json` and no `compress` (zlib-sync is not installed, and
// its default compression is null then), so frames are plain JSON text: checked in connect() below.

import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface GatewayFrame {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}

export interface FakeGatewayOptions {
  /** READY's `d` minus session fields; GUILD_CREATE payloads sent after READY. */
  ready: Record<string, unknown>;
  guilds: Array<Record<string, unknown>>;
  /** Close the connection with this code instead of answering IDENTIFY (e.g. 4014 Disallowed intents). */
  closeOnIdentify?: number;
}

export class FakeGateway {
  readonly received: GatewayFrame[] = [];
  readonly connectUrls: string[] = [];
  private readonly wss: WebSocketServer;
  private socket: WebSocket | null = null;
  private seq = 0;
  private readonly log: Array<{ s: number; t: string; d: unknown }> = [];
  private waiters: Array<{ test: (f: GatewayFrame) => boolean; resolve: (f: GatewayFrame) => void }> = [];
  url = '';

  private constructor(private readonly opts: FakeGatewayOptions) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  }

  static async start(opts: FakeGatewayOptions): Promise<FakeGateway> {
    const g = new FakeGateway(opts);
    await new Promise<void>((resolve) => g.wss.once('listening', () => resolve()));
    g.url = `ws://127.0.0.1:${(g.wss.address() as AddressInfo).port}`;
    g.wss.on('connection', (ws, req) => g.connect(ws, req.url ?? ''));
    return g;
  }

  private connect(ws: WebSocket, url: string): void {
    this.connectUrls.push(url);
    this.socket = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('fake gateway: binary frame (ETF/compression) not expected');
      const frame = JSON.parse(String(data)) as GatewayFrame;
      this.received.push(frame);
      this.onFrame(frame);
      this.waiters = this.waiters.filter((w) => (w.test(frame) ? (w.resolve(frame), false) : true));
    });
    this.send({ op: 10, d: { heartbeat_interval: 41_250 } });
  }

  private onFrame(f: GatewayFrame): void {
    if (f.op === 1) this.send({ op: 11, d: null });
    if (f.op === 2 && this.opts.closeOnIdentify) {
      this.socket?.close(this.opts.closeOnIdentify, 'fake gateway refuses');
      return;
    }
    if (f.op === 2) {
      this.dispatch('READY', { v: 10, session_id: 'fake-session', resume_gateway_url: this.url, shard: [0, 1], ...this.opts.ready });
      for (const g of this.opts.guilds) this.dispatch('GUILD_CREATE', g);
    }
    if (f.op === 6) {
      // Replay what the client missed since its sequence, as Discord does on RESUME.
      const from = (f.d as { seq: number }).seq;
      for (const e of this.log.filter((x) => x.s > from)) this.send({ op: 0, s: e.s, t: e.t, d: e.d });
      this.dispatch('RESUMED', {});
    }
  }

  private send(frame: GatewayFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  /** Sends an event (op 0) with the next sequence number; kept for RESUME replays. */
  dispatch(t: string, d: unknown): number {
    const s = ++this.seq;
    this.log.push({ s, t, d });
    this.send({ op: 0, s, t, d });
    return s;
  }

  /** Sends an event without sending it now: only a RESUME will replay it (the client "missed" it). */
  dispatchMissed(t: string, d: unknown): void {
    this.log.push({ s: ++this.seq, t, d });
  }

  /** Asks the client for a heartbeat now (op 1): the client must answer with op 1 at once. */
  requestHeartbeat(): void {
    this.send({ op: 1, d: null });
  }

  /** Drops the connection with a resumable close code (4000 Unknown error). */
  dropConnection(): void {
    this.socket?.close(4000, 'fake gateway drop');
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(test: (f: GatewayFrame) => boolean, after = 0): Promise<GatewayFrame> {
    const seen = this.received.slice(after).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
