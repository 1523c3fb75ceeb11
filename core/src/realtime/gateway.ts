import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Cradle } from '../container.js';
import type { Actor } from '../auth/actor.js';
import { newId } from '../db/ids.js';
import type { Broker, BrokerMessage } from '../events/broker.js';
import type { RealtimeEnvelope } from '../events/event-bus.js';
import { readToken, resolveActor, visitorOriginAllowed } from '../http/request-auth.js';
import type { Metrics } from '../ops/metrics.js';
import type { CharlaConfig } from '../config.js';
import type { Presence } from './presence.js';

/**
 * Browser origins agents' sockets may come from: PUBLIC_URL's, AGENT_ORIGINS, and — when
 * PUBLIC_URL is a loopback address — the other loopback spellings of it (localhost,
 * 127.0.0.1, [::1]) on the same port, so a local install works whichever one is typed.
 */
export function agentOrigins(config: CharlaConfig): string[] {
  const pub = new URL(config.publicUrl);
  const out = [pub.origin, ...config.realtime.allowedAgentOrigins];
  if (['localhost', '127.0.0.1', '[::1]'].includes(pub.hostname)) {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) out.push(`${pub.protocol}//${host}${pub.port ? `:${pub.port}` : ''}`);
  }
  return [...new Set(out)];
}

/** Close codes (API.md). */
export const CLOSE = { unauthorized: 4401, policy: 1008, tooBig: 1009, restart: 1012, slow: 1013 } as const;

export interface RealtimeSocket {
  id: string;
  actor: Actor;
  channels: Set<string>;
  send(frame: unknown): void;
  close(code: number, reason: string): void;
}

/** May `actor` subscribe to `<kind>:<id>`? */
export type ChannelAuthorize = (actor: Actor, id: string) => boolean | Promise<boolean>;
/** Handles a client op (`typing`, `read`, or a plugin's). Throwing sends an error frame. */
export type OpHandler = (socket: RealtimeSocket, frame: Record<string, unknown>) => void | Promise<void>;

type Lifecycle = {
  connect: (socket: RealtimeSocket) => void | Promise<void>;
  disconnect: (socket: RealtimeSocket) => void | Promise<void>;
  subscribe: (socket: RealtimeSocket, channel: string) => void | Promise<void>;
  unsubscribe: (socket: RealtimeSocket, channel: string) => void | Promise<void>;
  /** An agent or visitor whose sockets all expired (their instance died without closing them). */
  expired: (entity: { kind: 'agent' | 'visitor'; accountId: string; entityId: string }) => void | Promise<void>;
};

const OUTBOUND_LIMIT = 4 * 1024 * 1024; // bytes buffered for one socket before it is dropped as a slow consumer

/**
 * The WebSocket endpoint (API.md "Realtime"). Authenticates on the upgrade, authorizes
 * every subscription through the channel kinds registered by core and plugins, relays
 * broker messages to the local sockets subscribed to a channel (filtered by audience),
 * and enforces frame size, frame rate, idle and backpressure limits.
 */
export class RealtimeGateway {
  private readonly channels = new Map<string, ChannelAuthorize>();
  private readonly ops = new Map<string, OpHandler>();
  private readonly listeners: { [K in keyof Lifecycle]: Lifecycle[K][] } = { connect: [], disconnect: [], subscribe: [], unsubscribe: [], expired: [] };
  private readonly sockets = new Map<string, RealtimeSocket & { ws: WebSocket }>();
  private readonly byChannel = new Map<string, Set<string>>();
  private readonly relay = (msg: BrokerMessage) => this.deliver(msg as unknown as RealtimeEnvelope);
  private accepting = true;
  private heartbeat?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(private readonly container: AwilixContainer<Cradle>, private readonly metrics: Metrics) {
    this.logger = container.cradle.logger.child({ component: 'realtime' });
    this.registerChannel('account', (actor, id) => actor.kind === 'agent' && actor.accountId === id);
  }

  registerChannel(kind: string, authorize: ChannelAuthorize): void {
    if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`invalid channel kind "${kind}"`);
    if (this.channels.has(kind)) throw new Error(`channel kind "${kind}" is registered twice`);
    this.channels.set(kind, authorize);
  }

  registerOp(op: string, handler: OpHandler): void {
    if (['subscribe', 'unsubscribe', 'ping'].includes(op) || this.ops.has(op)) throw new Error(`realtime op "${op}" is already taken`);
    this.ops.set(op, handler);
  }

  on<K extends keyof Lifecycle>(event: K, listener: Lifecycle[K]): void {
    this.listeners[event].push(listener);
  }

  private emitLocal<K extends keyof Lifecycle>(event: K, ...args: Parameters<Lifecycle[K]>): void {
    for (const l of this.listeners[event]) {
      Promise.resolve((l as (...a: unknown[]) => unknown)(...args)).catch((err: unknown) => this.logger.warn({ err, event }, 'realtime listener failed'));
    }
  }

  /** Sockets on this instance subscribed to a channel. */
  subscribers(channel: string): RealtimeSocket[] {
    return [...(this.byChannel.get(channel) ?? [])].map((id) => this.sockets.get(id)!).filter(Boolean);
  }

  localSockets(): RealtimeSocket[] {
    return [...this.sockets.values()];
  }

  /** Closes this instance's sockets that match. */
  closeWhere(match: (s: RealtimeSocket) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const s of this.sockets.values()) if (match(s)) { s.close(code, reason); n++; }
    return n;
  }

  private deliver(env: RealtimeEnvelope): void {
    const ids = this.byChannel.get(env.channel);
    if (!ids) return;
    const frame = JSON.stringify({ op: 'event', channel: env.channel, event: env.event, data: env.data });
    for (const id of ids) {
      const s = this.sockets.get(id);
      if (!s) continue;
      if (env.audience === 'agents' && s.actor.kind !== 'agent') continue;
      if (env.audience === 'visitors' && s.actor.kind !== 'visitor') continue;
      this.sendRaw(s, frame);
      this.metrics.eventsOut.inc();
    }
  }

  private sendRaw(s: RealtimeSocket & { ws: WebSocket }, frame: string): void {
    if (s.ws.readyState !== 1) return;
    if (s.ws.bufferedAmount > OUTBOUND_LIMIT) {
      // A consumer that does not read: drop it rather than buffer without bound.
      this.logger.warn({ socket: s.id }, 'dropping slow realtime consumer');
      s.ws.terminate();
      return;
    }
    s.ws.send(frame);
  }

  private async subscribe(s: RealtimeSocket, channel: string): Promise<boolean> {
    const i = channel.indexOf(':');
    const kind = i > 0 ? channel.slice(0, i) : '';
    const id = i > 0 ? channel.slice(i + 1) : '';
    const authorize = this.channels.get(kind);
    if (!authorize || !id || id.length > 100) return false;
    let ok = false;
    try {
      ok = await authorize(s.actor, id);
    } catch (err) {
      this.logger.warn({ err, channel }, 'channel authorization failed');
      ok = false;
    }
    if (!ok || !this.sockets.has(s.id)) return false;
    if (!s.channels.has(channel)) {
      s.channels.add(channel);
      let set = this.byChannel.get(channel);
      if (!set) {
        set = new Set();
        this.byChannel.set(channel, set);
        set.add(s.id);
        await this.broker().subscribe(`rt/${channel}`, this.relay);
      } else set.add(s.id);
      this.emitLocal('subscribe', s, channel);
    }
    return true;
  }

  private unsubscribe(s: RealtimeSocket, channel: string): void {
    if (!s.channels.delete(channel)) return;
    const set = this.byChannel.get(channel);
    set?.delete(s.id);
    if (set && set.size === 0) {
      this.byChannel.delete(channel);
      this.broker().unsubscribe(`rt/${channel}`, this.relay);
    }
    this.emitLocal('unsubscribe', s, channel);
  }

  private broker(): Broker {
    return this.container.cradle.broker;
  }

  private presence(): Presence {
    return this.container.cradle.presence;
  }

  private originAllowed(origin: string | undefined, actor: Actor, config: CharlaConfig): Promise<boolean> | boolean {
    if (!origin) return true; // not a browser: judged by its token alone
    if (actor.kind === 'visitor') return visitorOriginAllowed(this.container, actor, origin);
    return agentOrigins(config).includes(origin);
  }

  /** Mounts `GET /api/v1/realtime`. */
  install(app: FastifyInstance): void {
    const { config, broker } = this.container.cradle;
    void broker.subscribe('sys/revoke', (msg) => {
      const { userId, sessionIds, exceptSessionId } = msg as unknown as { userId: string; sessionIds: string[] | 'all'; exceptSessionId: string | null };
      this.closeWhere((s) => s.actor.kind === 'agent' && s.actor.userId === userId && (sessionIds === 'all' ? s.actor.sessionId !== exceptSessionId : sessionIds.includes(s.actor.sessionId)), CLOSE.unauthorized, 'session ended');
    });
    void broker.subscribe('sys/visitor-token', (msg) => {
      const { visitorId, version } = msg as unknown as { visitorId: string; version: number };
      this.closeWhere((s) => s.actor.kind === 'visitor' && s.actor.visitorId === visitorId && s.actor.tokenVersion < version, CLOSE.unauthorized, 'visitor token replaced');
    });

    const wsProtocolToken = (request: FastifyRequest): string | null => {
      // Browsers may pass the token as a subprotocol: "charla.token.<token>".
      const p = request.headers['sec-websocket-protocol'];
      if (typeof p !== 'string') return null;
      const t = p.split(',').map((x) => x.trim()).find((x) => x.startsWith('charla.token.'));
      return t ? t.slice('charla.token.'.length) : null;
    };

    app.get('/api/v1/realtime', {
      websocket: true,
      config: { auth: 'public' },
      schema: { hide: true } as never,
      preValidation: async (request, reply) => {
        if (!this.accepting) return reply.code(503).header('retry-after', '1').send({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'CHARLA_CORE_SHUTTING_DOWN', detail: 'This instance is shutting down; reconnect.' });
        const q = (request.query ?? {}) as Record<string, unknown>;
        const fromQuery = typeof q.token === 'string' ? q.token : null;
        const header = readToken(request);
        const token = header?.token ?? fromQuery ?? wsProtocolToken(request);
        const actor = token ? await resolveActor(this.container, token, header?.via ?? 'bearer') : null;
        if (!actor) return reply.code(401).type('application/problem+json').send({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'CHARLA_CORE_UNAUTHORIZED', detail: 'A valid token is required to open the realtime socket.' });
        if (!(await this.originAllowed(request.headers.origin, actor, config))) {
          return reply.code(403).type('application/problem+json').send({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'CHARLA_CORE_ORIGIN_FORBIDDEN', detail: 'This origin may not open a realtime socket.' });
        }
        request.actor = actor;
      },
    }, (socket: WebSocket, request: FastifyRequest) => this.accept(socket, request.actor!));

    this.heartbeat = setInterval(() => void this.tick(), Math.max(1000, (config.realtime.idleTimeoutSeconds * 1000) / 3));
    this.heartbeat.unref();
  }

  private accept(ws: WebSocket, actor: Actor): void {
    const { config } = this.container.cradle;
    const id = newId();
    const rate = config.realtime.maxFramesPerSecond;
    let tokens = rate * 2; // burst allowance
    let last = Date.now();
    let alive = true;
    const s: RealtimeSocket & { ws: WebSocket } = {
      id, actor, ws, channels: new Set(),
      send: (frame) => this.sendRaw(s, JSON.stringify(frame)),
      close: (code, reason) => {
        if (ws.readyState === 0 || ws.readyState === 1) ws.close(code, reason);
      },
    };
    this.sockets.set(id, s);
    let agentPresence: Promise<unknown> = Promise.resolve();
    (ws as WebSocket & { charlaAlive?: () => boolean; charlaMark?: (v: boolean) => void }).charlaAlive = () => alive;
    (ws as WebSocket & { charlaMark?: (v: boolean) => void }).charlaMark = (v) => { alive = v; };
    this.metrics.sockets.inc({ kind: actor.kind });
    this.emitLocal('connect', s);
    if (actor.kind === 'agent') {
      agentPresence = this.presence().connect('agent', actor.accountId, actor.userId, id, { name: actor.name })
        .then((first) => this.agentPresenceChanged(actor.accountId, actor.userId, actor.name, first ? 'online' : null))
        .catch((err: unknown) => this.logger.warn({ err }, 'presence connect failed'));
    }

    // Frames of one socket are handled in order: an unsubscribe must not overtake the
    // subscribe before it (still awaiting authorization) and leave the channel subscribed.
    let inOrder: Promise<void> = Promise.resolve();
    ws.on('pong', () => { alive = true; });
    ws.on('message', (raw, isBinary) => {
      alive = true;
      this.metrics.framesIn.inc();
      const now = Date.now();
      tokens = Math.min(rate * 2, tokens + ((now - last) / 1000) * rate);
      last = now;
      tokens -= 1;
      if (tokens < 0) {
        s.close(CLOSE.policy, 'frame rate exceeded');
        return;
      }
      if (isBinary) {
        s.send({ op: 'error', code: 'bad_frame', detail: 'Frames are JSON text.' });
        return;
      }
      let frame: Record<string, unknown>;
      try {
        const parsed = JSON.parse(String(raw)) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        frame = parsed as Record<string, unknown>;
      } catch {
        s.send({ op: 'error', code: 'bad_frame', detail: 'Frames must be JSON objects with an "op".' });
        return;
      }
      inOrder = inOrder.then(() => this.handle(s, frame)).catch((err: unknown) => this.logger.warn({ err }, 'realtime frame failed'));
    });
    ws.on('close', () => {
      this.sockets.delete(id);
      for (const ch of [...s.channels]) this.unsubscribe(s, ch);
      this.metrics.sockets.dec({ kind: actor.kind });
      this.emitLocal('disconnect', s);
      if (actor.kind === 'agent') {
        void agentPresence
          .then(() => this.presence().disconnect('agent', actor.accountId, actor.userId, id))
          .then((last) => this.agentPresenceChanged(actor.accountId, actor.userId, actor.name, last ? 'offline' : null))
          .catch(() => undefined);
      }
    });
    ws.on('error', (err) => this.logger.debug({ err }, 'socket error'));
  }

  private async handle(s: RealtimeSocket, frame: Record<string, unknown>): Promise<void> {
    const op = frame.op;
    try {
      if (op === 'ping') return s.send({ op: 'pong' });
      if (op === 'subscribe' || op === 'unsubscribe') {
        const channel = frame.channel;
        if (typeof channel !== 'string') return s.send({ op: 'error', code: 'bad_frame', detail: '"channel" must be a string such as "conversation:<id>".' });
        if (op === 'unsubscribe') {
          this.unsubscribe(s, channel);
          return s.send({ op: 'unsubscribed', channel });
        }
        if (s.channels.size >= 500 && !s.channels.has(channel)) return s.send({ op: 'error', code: 'too_many_channels', channel });
        const ok = await this.subscribe(s, channel);
        return s.send(ok ? { op: 'subscribed', channel } : { op: 'error', code: 'forbidden', channel });
      }
      const handler = typeof op === 'string' ? this.ops.get(op) : undefined;
      if (!handler) return s.send({ op: 'error', code: 'unknown_op', detail: `Unknown op ${JSON.stringify(op)}.` });
      await handler(s, frame);
    } catch (err) {
      const e = err as { code?: string; message?: string; statusCode?: number };
      if (!e.statusCode || e.statusCode >= 500) this.logger.warn({ err, op }, 'realtime op failed');
      s.send({ op: 'error', code: e.statusCode === 403 || e.statusCode === 404 ? 'forbidden' : 'failed', detail: e.statusCode && e.statusCode < 500 ? e.message : 'The operation failed.', ...(typeof frame.conversationId === 'string' ? { conversationId: frame.conversationId } : {}) });
    }
  }

  private async tick(): Promise<void> {
    for (const s of this.sockets.values()) {
      const w = s.ws as WebSocket & { charlaAlive?: () => boolean; charlaMark?: (v: boolean) => void };
      if (w.charlaAlive && !w.charlaAlive()) {
        w.terminate();
        continue;
      }
      w.charlaMark?.(false);
      try {
        w.ping();
      } catch {
        w.terminate();
      }
    }
    const presence = this.presence();
    try {
      await presence.heartbeat();
      const gone = await presence.sweep(await presence.knownAccounts());
      for (const g of gone) {
        this.emitLocal('expired', g);
        if (g.kind === 'agent') this.agentPresenceChanged(g.accountId, g.entityId, null, 'offline');
      }
    } catch (err) {
      this.logger.warn({ err }, 'presence heartbeat failed');
    }
  }

  /**
   * An agent's first device connected or last one left (across instances): the
   * `agent.online` / `agent.offline` domain events (routing listens) and the
   * `agent:online` / `agent:offline` socket events on the account channel.
   */
  private agentPresenceChanged(accountId: string, userId: string, name: string | null, change: 'online' | 'offline' | null): void {
    if (!change) return;
    const { events } = this.container.cradle;
    events.emit(change === 'online' ? 'agent.online' : 'agent.offline', { accountId, userId });
    events.publish(`account:${accountId}`, change === 'online' ? 'agent:online' : 'agent:offline', { userId, ...(name ? { name } : {}) }, 'agents');
  }

  /** Stops upgrades and closes every socket with 1012 so clients reconnect elsewhere. */
  async shutdown(): Promise<void> {
    this.accepting = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.sockets.values()) s.close(CLOSE.restart, 'server restarting');
    const deadline = Date.now() + 2000;
    while (this.sockets.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets.values()) s.ws.terminate();
  }
}
