import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/** A tiny stand-in for the Charla realtime gateway: subscribe/ack, ping/pong, publish, drop. */
export class FakeGateway {
  wss: WebSocketServer;
  sockets = new Set<WebSocket>();
  subs = new Map<WebSocket, Set<string>>();
  frames: Array<Record<string, unknown>> = [];
  connections = 0;
  rejectTokens = new Set<string>();
  forbidden = new Set<string>();
  silent = false;

  constructor() {
    this.wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.wss.on('connection', (ws, req) => {
      this.connections++;
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
      if (this.rejectTokens.has(token)) {
        ws.close(4401, 'unauthorized');
        return;
      }
      this.sockets.add(ws);
      this.subs.set(ws, new Set());
      ws.on('close', () => {
        this.sockets.delete(ws);
        this.subs.delete(ws);
      });
      ws.on('message', (raw) => {
        const f = JSON.parse(String(raw)) as Record<string, unknown>;
        this.frames.push(f);
        if (this.silent) return;
        if (f.op === 'ping') ws.send(JSON.stringify({ op: 'pong' }));
        if (f.op === 'subscribe') {
          const ch = String(f.channel);
          if (this.forbidden.has(ch)) ws.send(JSON.stringify({ op: 'error', code: 'forbidden', channel: ch }));
          else {
            this.subs.get(ws)?.add(ch);
            ws.send(JSON.stringify({ op: 'subscribed', channel: ch }));
          }
        }
        if (f.op === 'unsubscribe') this.subs.get(ws)?.delete(String(f.channel));
      });
    });
  }

  static async start(): Promise<FakeGateway> {
    const gw = new FakeGateway();
    if (!gw.wss.address()) await new Promise((r) => gw.wss.once('listening', r));
    return gw;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/api/v1/realtime`;
  }

  publish(channel: string, event: string, data: unknown): void {
    for (const [ws, chans] of this.subs) if (chans.has(channel)) ws.send(JSON.stringify({ op: 'event', channel, event, data }));
  }

  /** Drops every socket without a close handshake (like a network loss). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  closeAll(code: number): void {
    for (const ws of this.sockets) ws.close(code);
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

export function until(cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - start > ms) return reject(new Error('timed out waiting for condition'));
      setTimeout(tick, 10);
    };
    tick();
  });
}
