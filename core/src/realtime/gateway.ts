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

/**
 * Whom a socket's limits count against: a visitor (all its tabs share one token
 * version), an agent's session, an API key.
 */
export function actorKey(actor: Actor): string {
  if (actor.kind === 'visitor') return `visitor:${actor.visitorId}`;
  if (actor.kind === 'agent') return `session:${actor.sessionId}`;
  return `key:${actor.keyId}`;
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
const RESOLVED: Promise<void> = Promise.resolve();
const SOCKET = Symbol('charla.socket');
type WsWithSocket = WebSocket & { [SOCKET]?: GatewaySocket };

/** What one actor holds on this instance across its sockets: their count and a shared frame bucket. */
interface ActorUse { sockets: number; tokens: number; last: number }
/** Learnt on the upgrade, used when the socket is accepted. */
interface Admission { ip: string; expiresAt: number | null }

/**
 * One connected socket. Its state lives in fields and its behaviour in shared methods
 * and shared `ws` listeners (the socket is found through the ws), not in closures made
 * per connection: an idle socket costs this object, its channel set and the ws itself.
 */
class GatewaySocket implements RealtimeSocket {
  readonly channels = new Set<string>();
  /** Frame-rate bucket (tokens, last refill time). */
  tokens: number;
  last = Date.now();
  /** Answered since the last heartbeat ping. */
  alive = true;
  /** Frames of one socket are handled in order (the tail of the chain; RESOLVED when idle). */
  inOrder: Promise<void> = RESOLVED;
  agentPresence: Promise<unknown> = RESOLVED;

  constructor(
    readonly id: string, readonly actor: Actor, readonly ws: WebSocket, private readonly gateway: RealtimeGateway, burst: number,
    readonly key: string, readonly ip: string,
    /** When the token it was opened with expires (ms): the socket closes then, like the token. */
    readonly expiresAt: number | null,
  ) {
    this.tokens = burst;
  }

  send(frame: unknown): void {
    this.gateway.sendRaw(this, JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === 0 || this.ws.readyState === 1) this.ws.close(code, reason);
  }
}

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
  private readonly sockets = new Map<string, GatewaySocket>();
  private readonly byChannel = new Map<string, Set<string>>();
  /** Distributed mode: this instance's broker subscription per channel, and sockets waiting for one. */
  private readonly brokerSubs = new Map<string, Promise<void>>();
  private readonly joining = new Map<string, number>();
  private readonly actors = new Map<string, ActorUse>();
  private readonly ips = new Map<string, number>();
  private readonly admissions = new WeakMap<object, Admission>();
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
    const now = this.container.cradle.clock.now().getTime();
    for (const id of ids) {
      const s = this.sockets.get(id);
      if (!s) continue;
      if (s.expiresAt !== null && s.expiresAt <= now) {
        s.close(CLOSE.unauthorized, 'token expired'); // no event outlives the token
        continue;
      }
      if (env.audience === 'agents' && s.actor.kind !== 'agent') continue;
      if (env.audience === 'visitors' && s.actor.kind !== 'visitor') continue;
      this.sendRaw(s, frame);
      this.metrics.eventsOut.inc();
    }
  }

  /** @internal Sends a serialized frame, dropping a consumer that does not read. */
  sendRaw(s: GatewaySocket, frame: string): void {
    if (s.ws.readyState !== 1) return;
    if (s.ws.bufferedAmount > OUTBOUND_LIMIT) {
      // A consumer that does not read: drop it rather than buffer without bound.
      this.logger.warn({ socket: s.id }, 'dropping slow realtime consumer');
      s.ws.terminate();
      return;
    }
    s.ws.send(frame);
  }

  /**
   * Authorizes and joins a channel. The `subscribed` answer is sent here, in the same
   * step that adds the socket to the channel and only once the broker subscription is
   * in place, so no event of the channel can reach the socket before its answer (a
   * client that reloads on `subscribed` misses nothing and sees nothing twice).
   */
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
    if (!s.channels.has(channel) && this.broker().distributed) {
      // Across instances (Redis): one broker subscription per channel in use here. In one
      // process every channel arrives through the one `rt/#` subscription (install()).
      // While a socket waits for it, the channel counts as in use (`joining`), so the last
      // member leaving meanwhile does not drop the subscription under it.
      this.joining.set(channel, (this.joining.get(channel) ?? 0) + 1);
      try {
        let sub = this.brokerSubs.get(channel);
        if (!sub) {
          sub = this.broker().subscribe(`rt/${channel}`, this.relay);
          this.brokerSubs.set(channel, sub);
          sub.catch(() => this.brokerSubs.get(channel) === sub && this.brokerSubs.delete(channel));
        }
        await sub;
      } finally {
        const n = (this.joining.get(channel) ?? 1) - 1;
        if (n > 0) this.joining.set(channel, n);
        else this.joining.delete(channel);
      }
      if (!this.sockets.has(s.id)) {
        this.releaseChannel(channel);
        return false;
      }
    }
    if (!s.channels.has(channel)) {
      s.channels.add(channel);
      let set = this.byChannel.get(channel);
      if (!set) this.byChannel.set(channel, (set = new Set()));
      set.add(s.id);
      s.send({ op: 'subscribed', channel });
      this.emitLocal('subscribe', s, channel);
    } else s.send({ op: 'subscribed', channel });
    return true;
  }

  private unsubscribe(s: RealtimeSocket, channel: string): void {
    if (!s.channels.delete(channel)) return;
    const set = this.byChannel.get(channel);
    set?.delete(s.id);
    if (set && set.size === 0) this.byChannel.delete(channel);
    this.releaseChannel(channel);
    this.emitLocal('unsubscribe', s, channel);
  }

  /** Drops this instance's broker subscription to a channel nobody here uses or is joining. */
  private releaseChannel(channel: string): void {
    if (!this.broker().distributed || this.byChannel.has(channel) || this.joining.has(channel) || !this.brokerSubs.has(channel)) return;
    this.brokerSubs.delete(channel);
    this.broker().unsubscribe(`rt/${channel}`, this.relay);
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
    // In one process, one subscription for every channel, routed here by byChannel:
    // no broker state per channel (and so none per visitor socket).
    if (!broker.distributed) void broker.subscribe('rt/#', this.relay);
    void broker.subscribe('sys/revoke', (msg) => {
      const { userId, sessionIds, exceptSessionId } = msg as unknown as { userId: string; sessionIds: string[] | 'all'; exceptSessionId: string | null };
      this.closeWhere((s) => s.actor.kind === 'agent' && s.actor.userId === userId && (sessionIds === 'all' ? s.actor.sessionId !== exceptSessionId : sessionIds.includes(s.actor.sessionId)), CLOSE.unauthorized, 'session ended');
    });
    void broker.subscribe('sys/visitor-token', (msg) => {
      const { visitorId, version } = msg as unknown as { visitorId: string; version: number };
      this.closeWhere((s) => s.actor.kind === 'visitor' && s.actor.visitorId === visitorId && s.actor.tokenVersion < version, CLOSE.unauthorized, 'visitor token replaced');
    });
    // A removed site or member takes its sockets with it, on every instance (the domain
    // event runs on one; the system message reaches all).
    const { events } = this.container.cradle;
    events.on('site.deleted', 'core', ({ accountId, siteId }) => events.system('site-deleted', { accountId, siteId }));
    events.on('user.removed', 'core', ({ accountId, userId }) => events.system('user-removed', { accountId, userId }));
    void broker.subscribe('sys/site-deleted', (msg) => {
      const { accountId, siteId } = msg as unknown as { accountId: string; siteId: string };
      this.closeWhere((s) => s.actor.kind === 'visitor' && s.actor.accountId === accountId && s.actor.siteId === siteId, CLOSE.unauthorized, 'site deleted');
    });
    // An operator suspended an account: every socket of it (agents and visitors) closes, on every instance.
    void broker.subscribe('sys/account-suspended', (msg) => {
      const { accountId } = msg as unknown as { accountId: string };
      this.closeWhere((s) => s.actor.accountId === accountId, CLOSE.unauthorized, 'account suspended');
    });
    void broker.subscribe('sys/user-removed', (msg) => {
      const { accountId, userId } = msg as unknown as { accountId: string; userId: string };
      this.closeWhere((s) => s.actor.kind === 'agent' && s.actor.accountId === accountId && s.actor.userId === userId, CLOSE.unauthorized, 'member removed');
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
        const header = readToken(request);
        // A token the client names (Authorization, ?token=, subprotocol) wins over the agent
        // cookie the browser adds by itself: the widget on a page of the admin's origin
        // connects as its visitor, never as the agent. An invalid explicit token is 401,
        // not a fall-back to the cookie.
        const explicit = header?.via === 'bearer' ? header.token : (typeof q.token === 'string' ? q.token : null) ?? wsProtocolToken(request);
        const chosen = explicit ? { token: explicit, via: 'bearer' as const } : header;
        const actor = chosen ? await resolveActor(this.container, chosen.token, chosen.via) : null;
        if (!actor) return reply.code(401).type('application/problem+json').send({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'CHARLA_CORE_UNAUTHORIZED', detail: 'A valid token is required to open the realtime socket.' });
        if (await this.container.cradle.entitlements.suspended(actor.accountId)) {
          return reply.code(403).type('application/problem+json').send({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'CHARLA_CORE_ACCOUNT_SUSPENDED', detail: 'This account is suspended by the instance operator.' });
        }
        if (!(await this.originAllowed(request.headers.origin, actor, config))) {
          return reply.code(403).type('application/problem+json').send({ type: 'about:blank', title: 'Forbidden', status: 403, code: 'CHARLA_CORE_ORIGIN_FORBIDDEN', detail: 'This origin may not open a realtime socket.' });
        }
        const over = this.overLimit(actorKey(actor), request.ip);
        if (over) return reply.code(429).header('retry-after', '10').type('application/problem+json').send({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'CHARLA_CORE_TOO_MANY_SOCKETS', detail: over });
        const exp = actor.kind === 'apiKey' ? null : this.container.cradle.tokens.verify(chosen!.token, actor.kind)?.exp;
        this.admissions.set(request.raw, { ip: request.ip, expiresAt: typeof exp === 'number' ? exp * 1000 : null });
        request.actor = actor;
      },
    }, (socket: WebSocket, request: FastifyRequest) => {
      // @fastify/websocket's own 'error' listener is a closure over the upgrade request and
      // reply (and so their DI scope, headers, logger) that would live as long as the
      // socket; ours is one shared function that logs and terminates the same way.
      socket.removeAllListeners('error');
      // The plugin also assigns an http.ServerResponse to the upgraded TCP socket (to run
      // Fastify's routing); it would keep the request, the reply and their listeners alive
      // for the socket's lifetime. After the upgrade it has no use: detach it, as a plain
      // `ws` server never has one.
      const tcp = request.raw.socket as (typeof request.raw.socket & { _httpMessage?: { detachSocket?(s: unknown): void } | null }) | null;
      if (tcp?._httpMessage && typeof tcp._httpMessage.detachSocket === 'function') tcp._httpMessage.detachSocket(tcp);
      void request.scope?.dispose();
      this.accept(socket, request.actor!, this.admissions.get(request.raw) ?? { ip: request.ip, expiresAt: null });
    });

    this.heartbeat = setInterval(() => void this.tick(), Math.max(1000, (config.realtime.idleTimeoutSeconds * 1000) / 3));
    this.heartbeat.unref();
  }

  /** Why one more socket for this actor or address would be too many, or null. */
  private overLimit(key: string, ip: string): string | null {
    const { maxSocketsPerToken, maxSocketsPerIp } = this.container.cradle.config.realtime;
    if ((this.actors.get(key)?.sockets ?? 0) >= maxSocketsPerToken) return `This token already has ${maxSocketsPerToken} open sockets; close one first.`;
    if ((this.ips.get(ip) ?? 0) >= maxSocketsPerIp) return `This address already has ${maxSocketsPerIp} open sockets.`;
    return null;
  }

  private accept(ws: WebSocket, actor: Actor, admission: Admission): void {
    const { config } = this.container.cradle;
    const key = actorKey(actor);
    // Checked again here: upgrades that passed the check together must not all get in.
    if (this.overLimit(key, admission.ip)) {
      ws.close(CLOSE.policy, 'too many sockets');
      return;
    }
    const id = newId();
    const s = new GatewaySocket(id, actor, ws, this, config.realtime.maxFramesPerSecond * 2, key, admission.ip, admission.expiresAt); // burst allowance
    const use = this.actors.get(key) ?? { sockets: 0, tokens: config.realtime.maxFramesPerSecondPerActor * 2, last: Date.now() };
    use.sockets++;
    this.actors.set(key, use);
    this.ips.set(admission.ip, (this.ips.get(admission.ip) ?? 0) + 1);
    this.sockets.set(id, s);
    (ws as WsWithSocket)[SOCKET] = s;
    this.metrics.sockets.inc({ kind: actor.kind });
    this.emitLocal('connect', s);
    if (actor.kind === 'agent') {
      s.agentPresence = this.presence().connect('agent', actor.accountId, actor.userId, id, { name: actor.name })
        .then((first) => this.agentPresenceChanged(actor.accountId, actor.userId, actor.name, first ? 'online' : null))
        .catch((err: unknown) => this.logger.warn({ err }, 'presence connect failed'));
    }
    ws.on('pong', this.onPong);
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
  }

  // The ws listeners, shared by every socket (`this` is the ws; its GatewaySocket hangs on it).
  private readonly onPong = function (this: WsWithSocket): void {
    const s = this[SOCKET];
    if (s) s.alive = true;
  };

  private readonly onError = ((gateway: RealtimeGateway) => function (this: WebSocket, err: Error): void {
    gateway.logger.debug({ err }, 'socket error');
    this.terminate();
  })(this);

  private readonly onMessage = ((gateway: RealtimeGateway) => function (this: WsWithSocket, raw: unknown, isBinary: boolean): void {
    const s = this[SOCKET];
    if (s) gateway.frame(s, raw, isBinary);
  })(this);

  private readonly onClose = ((gateway: RealtimeGateway) => function (this: WsWithSocket): void {
    const s = this[SOCKET];
    if (s) gateway.closed(s);
  })(this);

  private frame(s: GatewaySocket, raw: unknown, isBinary: boolean): void {
    s.alive = true;
    this.metrics.framesIn.inc();
    const { realtime } = this.container.cradle.config;
    if (!this.consume(s, realtime.maxFramesPerSecond)) {
      s.close(CLOSE.policy, 'frame rate exceeded');
      return;
    }
    // Many sockets of one actor share one allowance: fifty sockets are not fifty times the rate.
    const use = this.actors.get(s.key);
    if (use && !this.consume(use, realtime.maxFramesPerSecondPerActor)) {
      s.close(CLOSE.policy, 'frame rate exceeded across this token\'s sockets');
      return;
    }
    if (this.expired(s)) return;
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
    // Frames of one socket are handled in order: an unsubscribe must not overtake the
    // subscribe before it (still awaiting authorization) and leave the channel subscribed.
    const tail: Promise<void> = s.inOrder.then(() => this.handle(s, frame)).catch((err: unknown) => this.logger.warn({ err }, 'realtime frame failed')).then(() => {
      if (s.inOrder === tail) s.inOrder = RESOLVED; // idle again: hold no promise
    });
    s.inOrder = tail;
  }

  /** Takes one frame from a token bucket refilled at `rate` per second (bursts of twice that). */
  private consume(bucket: { tokens: number; last: number }, rate: number): boolean {
    const now = Date.now();
    bucket.tokens = Math.min(rate * 2, bucket.tokens + ((now - bucket.last) / 1000) * rate) - 1;
    bucket.last = now;
    return bucket.tokens >= 0;
  }

  /** Closes a socket whose token has expired (4401, as a refused token); true when it did. */
  private expired(s: GatewaySocket): boolean {
    if (s.expiresAt === null || s.expiresAt > this.container.cradle.clock.now().getTime()) return false;
    s.close(CLOSE.unauthorized, 'token expired');
    return true;
  }

  private closed(s: GatewaySocket): void {
    const { id, actor } = s;
    if (!this.sockets.delete(id)) return;
    const use = this.actors.get(s.key);
    if (use && --use.sockets <= 0) this.actors.delete(s.key);
    const onIp = (this.ips.get(s.ip) ?? 1) - 1;
    if (onIp > 0) this.ips.set(s.ip, onIp);
    else this.ips.delete(s.ip);
    for (const ch of [...s.channels]) this.unsubscribe(s, ch);
    this.metrics.sockets.dec({ kind: actor.kind });
    this.emitLocal('disconnect', s);
    if (actor.kind === 'agent') {
      void s.agentPresence
        .then(() => this.presence().disconnect('agent', actor.accountId, actor.userId, id))
        .then((last) => this.agentPresenceChanged(actor.accountId, actor.userId, actor.name, last ? 'offline' : null))
        .catch(() => undefined);
    }
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
        // `subscribe` answers `subscribed` itself (see there); a refusal is answered here.
        if (!(await this.subscribe(s, channel))) s.send({ op: 'error', code: 'forbidden', channel });
        return;
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
      if (this.expired(s)) continue;
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      try {
        s.ws.ping();
      } catch {
        s.ws.terminate();
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
