import { backoffDelay, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';

/** `connecting`: first attempt; `open`: socket up; `reconnecting`: waiting/retrying after a drop; `closed`: stopped (by `close()` or a fatal close code). */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A server push: `{"op":"event","channel":…,"event":…,"data":…}`. */
export interface RealtimeEvent<D = unknown> {
  channel: string;
  event: string;
  data: D;
}

/** The subset of the WHATWG WebSocket this client needs (the browser's, or `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface RealtimeOptions {
  /**
   * The socket URL, or a function returning it (called on every attempt, so a rotated
   * token is picked up). `http(s)://` is turned into `ws(s)://`; a relative URL is
   * resolved against `location`. Visitors: `https://host/api/v1/realtime?token=…`;
   * agents with the session cookie: `/api/v1/realtime`.
   */
  url: string | (() => string);
  /** WebSocket implementation; default the global one (pass `ws` in Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff (exponential, full jitter). Default base 500 ms, max 30 s. */
  backoff?: BackoffOptions;
  /** Keepalive ping interval (default 25 s). */
  pingIntervalMs?: number;
  /** A socket that answers nothing this long after a ping is considered dead (default 10 s). */
  pongTimeoutMs?: number;
  /** A connection that stays up this long resets the backoff (default 5 s). */
  stableAfterMs?: number;
  /** Waits at most this long for subscription acks before emitting `ready` (default 5 s). */
  ackTimeoutMs?: number;
  /**
   * Called after 3 consecutive attempts that never opened (a refused upgrade looks like
   * a network error in browsers). Resolve `false` when the credential is known to be
   * bad (e.g. a REST call answered 401): the client then stops with a fatal close.
   */
  verify?: () => Promise<boolean>;
  /** Random source for the jitter (tests). */
  random?: () => number;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** True when the client stopped for good (4401/4403 or a failed `verify`), false after `close()`. */
  fatal: boolean;
}

export type RealtimeEvents = {
  /** Every status change. */
  status: [ConnectionStatus];
  /** Every server event on a subscribed channel. */
  event: [RealtimeEvent];
  /**
   * After each (re)connection once every remembered channel was (re)subscribed (or after
   * `ackTimeoutMs`): the moment to catch up through REST. `reconnected` is false the first time.
   */
  ready: [{ reconnected: boolean }];
  /** A subscription was acknowledged. */
  subscribed: [string];
  /** A `{"op":"error"}` frame (e.g. `forbidden` for a channel). */
  error: [{ code: string; channel?: string; frame: Record<string, unknown> }];
  /** The client stopped (explicitly or fatally). */
  closed: [CloseInfo];
};

const FATAL_CODES = new Set([4401, 4403]);
const OPEN = 1;

/**
 * One realtime connection to `/api/v1/realtime`: reconnects with exponential backoff +
 * full jitter, re-subscribes its channels after every reconnect, keeps the socket alive
 * with `ping`, and stops (status `closed`, `closed` event with `fatal: true`) on close
 * code 4401/4403 instead of retrying forever.
 */
export class RealtimeClient extends Emitter<RealtimeEvents> {
  readonly #opts: RealtimeOptions;
  #status: ConnectionStatus = 'closed';
  #ws: WebSocketLike | null = null;
  #channels = new Map<string, number>();
  #pendingAcks = new Set<string>();
  #attempt = 0;
  #failuresBeforeOpen = 0;
  #hasBeenReady = false;
  #stopped = true;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #windowListeners: Array<() => void> = [];

  constructor(options: RealtimeOptions) {
    super();
    this.#opts = options;
  }

  /** The current connection status. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Channels this client keeps subscribed (and re-subscribes after a reconnect). */
  get channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** Starts connecting (no-op when already started). */
  connect(): this {
    if (!this.#stopped) return this;
    this.#stopped = false;
    this.#attempt = 0;
    this.#failuresBeforeOpen = 0;
    this.#hasBeenReady = false;
    this.#listenToWindow();
    this.#open('connecting');
    return this;
  }

  /** Drops the current socket and connects again right away (e.g. after the token changed). */
  reconnect(): void {
    if (this.#stopped) {
      this.connect();
      return;
    }
    this.#attempt = 0;
    this.#teardownSocket(1000, 'reconnect');
    clearTimeout(this.#retryTimer);
    this.#open('reconnecting');
  }

  /** Stops for good: closes the socket, no reconnect. Channels are remembered for a later `connect()`. */
  close(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#shutdown();
    this.#teardownSocket(1000, 'client closed');
    this.#setStatus('closed');
    this.emit('closed', { code: 1000, reason: 'client closed', fatal: false });
  }

  /**
   * Subscribes to a channel (`visitor:<id>`, `conversation:<id>`, `account:<id>`) now and
   * after every reconnect. Reference-counted; returns the function that unsubscribes.
   */
  subscribe(channel: string): () => void {
    const n = this.#channels.get(channel) ?? 0;
    this.#channels.set(channel, n + 1);
    if (n === 0 && this.#isOpen()) this.#rawSend({ op: 'subscribe', channel });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#channels.get(channel) ?? 1) - 1;
      if (left > 0) {
        this.#channels.set(channel, left);
        return;
      }
      this.#channels.delete(channel);
      if (this.#isOpen()) this.#rawSend({ op: 'unsubscribe', channel });
    };
  }

  /**
   * Sends a frame (`typing`, `read`, …) when the socket is open. Returns false when it
   * could not be sent (ephemeral frames are dropped, not queued).
   */
  send(frame: Record<string, unknown>): boolean {
    if (!this.#isOpen()) return false;
    return this.#rawSend(frame);
  }

  // ---------------------------------------------------------------- internals

  #isOpen(): boolean {
    return this.#status === 'open' && this.#ws !== null && this.#ws.readyState === OPEN;
  }

  #rawSend(frame: Record<string, unknown>): boolean {
    try {
      this.#ws?.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.emit('status', status);
  }

  #resolveUrl(): string {
    const raw = typeof this.#opts.url === 'function' ? this.#opts.url() : this.#opts.url;
    const loc = (globalThis as { location?: { href: string } }).location;
    const u = new URL(raw, loc?.href);
    if (u.protocol === 'http:') u.protocol = 'ws:';
    else if (u.protocol === 'https:') u.protocol = 'wss:';
    return u.toString();
  }

  #open(status: ConnectionStatus): void {
    this.#setStatus(status);
    const Ctor = this.#opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error('@charla/client: no WebSocket implementation (pass options.WebSocket)');
    let ws: WebSocketLike;
    try {
      ws = new Ctor(this.#resolveUrl());
    } catch {
      this.#scheduleRetry(false);
      return;
    }
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      opened = true;
      this.#failuresBeforeOpen = 0;
      this.#setStatus('open');
      this.#startKeepalive();
      this.#stableTimer = setTimeout(() => {
        this.#attempt = 0;
      }, this.#opts.stableAfterMs ?? 5000);
      this.#resubscribe();
    };
    ws.onmessage = (ev) => {
      if (this.#ws !== ws) return;
      clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      this.#onFrame(ev.data);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#stopKeepalive();
      if (this.#stopped) return;
      if (FATAL_CODES.has(ev.code)) {
        this.#fatal(ev.code, ev.reason || 'unauthorized');
        return;
      }
      this.#scheduleRetry(opened, ev.code === 1012);
    };
  }

  #fatal(code: number, reason: string): void {
    this.#stopped = true;
    this.#shutdown();
    this.#teardownSocket(1000, reason);
    this.#setStatus('closed');
    this.emit('closed', { code, reason, fatal: true });
  }

  #scheduleRetry(wasOpen: boolean, serverRestart = false): void {
    this.#setStatus('reconnecting');
    if (!wasOpen) this.#failuresBeforeOpen++;
    const attempt = serverRestart ? 0 : this.#attempt++;
    const delay = backoffDelay(attempt, this.#opts.backoff, this.#opts.random);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#stopped) return;
      if (this.#opts.verify && this.#failuresBeforeOpen >= 3 && this.#failuresBeforeOpen % 3 === 0) {
        this.#opts.verify().then(
          (ok) => {
            if (this.#stopped) return;
            if (ok) this.#open('reconnecting');
            else this.#fatal(4401, 'unauthorized');
          },
          () => !this.#stopped && this.#open('reconnecting'),
        );
        return;
      }
      this.#open('reconnecting');
    }, delay);
  }

  #resubscribe(): void {
    clearTimeout(this.#ackTimer);
    this.#pendingAcks = new Set(this.#channels.keys());
    for (const channel of this.#pendingAcks) this.#rawSend({ op: 'subscribe', channel });
    if (this.#pendingAcks.size === 0) {
      this.#emitReady();
      return;
    }
    this.#ackTimer = setTimeout(() => this.#emitReady(), this.#opts.ackTimeoutMs ?? 5000);
  }

  #ack(channel: string | undefined): void {
    if (channel === undefined || !this.#pendingAcks.delete(channel)) return;
    if (this.#pendingAcks.size === 0) this.#emitReady();
  }

  #emitReady(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#pendingAcks.clear();
    const reconnected = this.#hasBeenReady;
    this.#hasBeenReady = true;
    this.emit('ready', { reconnected });
  }

  #onFrame(raw: unknown): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as Record<string, unknown>;
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    const channel = typeof frame.channel === 'string' ? frame.channel : undefined;
    switch (frame.op) {
      case 'event':
        if (channel && typeof frame.event === 'string') this.emit('event', { channel, event: frame.event, data: frame.data });
        break;
      case 'subscribed':
        this.#ack(channel);
        if (channel) this.emit('subscribed', channel);
        break;
      case 'error':
        this.#ack(channel);
        this.emit('error', { code: String(frame.code ?? 'error'), channel, frame });
        break;
      default:
        break; // pong and unknown ops
    }
  }

  #startKeepalive(): void {
    this.#stopKeepalive();
    this.#pingTimer = setInterval(() => this.#probe(), this.#opts.pingIntervalMs ?? 25_000);
  }

  /** Sends a ping; a socket that answers nothing within pongTimeoutMs is dropped and replaced. */
  #probe(): void {
    if (!this.#isOpen() || this.#pongTimer) return;
    this.#rawSend({ op: 'ping' });
    this.#pongTimer = setTimeout(() => {
      this.#pongTimer = undefined;
      const ws = this.#ws;
      if (!ws || this.#stopped) return;
      // Dead socket (e.g. after a laptop sleep): don't wait for a close handshake.
      this.#teardownSocket(4000, 'keepalive timeout');
      this.#scheduleRetry(true);
    }, this.#opts.pongTimeoutMs ?? 10_000);
  }

  #stopKeepalive(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#ackTimer);
    this.#pingTimer = this.#pongTimer = this.#stableTimer = this.#ackTimer = undefined;
  }

  #teardownSocket(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopKeepalive();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  #shutdown(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const off of this.#windowListeners) off();
    this.#windowListeners = [];
  }

  /** In browsers: retry at once when the network comes back, probe when the tab becomes visible. */
  #listenToWindow(): void {
    const w = globalThis as unknown as {
      addEventListener?: (t: string, h: () => void) => void;
      removeEventListener?: (t: string, h: () => void) => void;
      document?: { visibilityState?: string; addEventListener?: (t: string, h: () => void) => void; removeEventListener?: (t: string, h: () => void) => void };
    };
    if (typeof w.addEventListener !== 'function') return;
    const onOnline = () => {
      if (this.#status === 'reconnecting' && this.#retryTimer) {
        this.#attempt = 0;
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        this.#open('reconnecting');
      } else this.#probe();
    };
    const onVisible = () => {
      if (w.document?.visibilityState === 'visible') onOnline();
    };
    w.addEventListener('online', onOnline);
    w.document?.addEventListener?.('visibilitychange', onVisible);
    this.#windowListeners.push(
      () => w.removeEventListener?.('online', onOnline),
      () => w.document?.removeEventListener?.('visibilitychange', onVisible),
    );
  }
}
