import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.js';

/**
 * Graceful HTTP shutdown without cutting requests off.
 *
 * Node's `server.close()` destroys every keep-alive connection that is idle at that instant,
 * and a request a client has just written on such a connection is lost with it (the client sees
 * a reset). So before the server closes, the instance drains: every request still arriving is
 * answered `503` (problem+json, `Retry-After`) with `Connection: close`, requests already running
 * finish and also close their connection, and only when nothing is running — after a short grace
 * for requests already on the wire — does the server close what is left.
 */
export class HttpDrain {
  private readonly connections = new Set<Socket>();
  private inflight = 0;
  private draining = false;

  constructor(private readonly options: { graceMs: number; maxMs: number } = { graceMs: 300, maxMs: 5000 }) {}

  install(app: FastifyInstance): void {
    app.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    // An upgraded socket belongs to the realtime gateway, which closes it with 1012 itself.
    app.server.on('upgrade', (_req: unknown, socket: Socket) => this.connections.delete(socket));
    app.addHook('onRequest', async (request, reply) => {
      if (request.raw.headers.upgrade) return; // the gateway refuses upgrades once it shuts down
      this.inflight++;
      reply.raw.once('close', () => this.inflight--);
      if (this.draining) {
        reply.header('connection', 'close');
        return sendProblem(reply, { status: 503, title: 'Service Unavailable', detail: 'This instance is shutting down; retry the request.', code: 'CHARLA_CORE_SHUTTING_DOWN' }, { 'retry-after': '1' });
      }
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (this.draining) reply.header('connection', 'close');
      return payload;
    });
  }

  /** Starts refusing new requests and waits for running ones (bounded by `maxMs`). */
  async drain(): Promise<void> {
    this.draining = true;
    const start = Date.now();
    for (;;) {
      const elapsed = Date.now() - start;
      if (this.connections.size === 0 || elapsed >= this.options.maxMs) return;
      if (this.inflight === 0 && elapsed >= this.options.graceMs) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
