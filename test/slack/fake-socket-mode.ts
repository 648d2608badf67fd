// A loopback stand-in for Slack's Socket Mode endpoint: a minimal RFC 6455 WebSocket server (handshake,
// text frames, ping/pong, close) that says `hello`, pushes event envelopes and records the acks the
// client sends back ({"envelope_id": ...}). Enough for @slack/socket-mode; nothing leaves 127.0.0.1.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface FakeSocketMode {
  url: string;
  acks: Array<Record<string, unknown>>;
  connections: number;
  push(envelope: Record<string, unknown>): void;
  /** Resolves once `n` acks have arrived. */
  waitForAcks(n: number): Promise<void>;
  close(): Promise<void>;
}

function frame(opcode: number, payload: Buffer): Buffer {
  let head: Buffer;
  if (payload.length < 126) head = Buffer.from([0x80 | opcode, payload.length]);
  else if (payload.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([head, payload]);
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const sockets = new Set<Duplex>();
  const acks: Array<Record<string, unknown>> = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let current: Duplex | null = null;
  const state = { connections: 0 };

  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    sockets.add(socket);
    current = socket;
    state.connections += 1;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        const masked = (buf[1]! & 0x80) !== 0;
        const need = off + (masked ? 4 : 0) + len;
        if (buf.length < need) return;
        const mask = masked ? buf.subarray(off, off + 4) : null;
        const payload = Buffer.from(buf.subarray(off + (masked ? 4 : 0), need));
        if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
        buf = buf.subarray(need);
        if (opcode === 0x1) {
          acks.push(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
          for (const w of waiters.filter((x) => acks.length >= x.n)) w.resolve();
        } else if (opcode === 0x9) socket.write(frame(0xa, payload));
        else if (opcode === 0x8) {
          socket.end(frame(0x8, payload.subarray(0, 2)));
          return;
        }
      }
    });
    socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0LOCK' } }))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=fake`,
    acks,
    get connections() {
      return state.connections;
    },
    push(envelope) {
      if (!current) throw new Error('no Socket Mode client connected');
      current.write(frame(0x1, Buffer.from(JSON.stringify(envelope))));
    },
    waitForAcks(n) {
      if (acks.length >= n) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ n, resolve }));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
