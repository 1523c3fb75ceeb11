import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, OnDestroy, computed, inject, signal } from '@angular/core';
import { RealtimeClient, type ConnectionStatus } from '@charla/client';
import { Observable, Subject, filter, firstValueFrom, share } from 'rxjs';

export interface RealtimeEvent<T = Record<string, unknown>> {
  channel: string;
  event: string;
  data: T;
}

export type RealtimeStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

/**
 * The agent's realtime connection (API.md "Realtime"), as rxjs streams and signals over
 * the shared `@charla/client` RealtimeClient (reconnect with backoff and jitter, keepalive,
 * resubscribe after reconnect, stop on 4401/4403). One socket, authenticated by the
 * session cookie; channel subscriptions are reference-counted; `reconnected$` tells open
 * views to catch up through REST (`after=<lastId>`).
 */
@Injectable({ providedIn: 'root' })
export class RealtimeService implements OnDestroy {
  private readonly http = inject(HttpClient);
  private client: RealtimeClient | null = null;
  private readonly offs: Array<() => void> = [];
  private readonly events = new Subject<RealtimeEvent>();
  private readonly reconnects = new Subject<void>();
  private readonly acks = new Subject<string>();
  private readonly forbidden = new Subject<string>();
  private readonly unauthorized = new Subject<void>();
  private readonly state = signal<RealtimeStatus>('idle');

  readonly status = this.state.asReadonly();
  /** True while the socket is down after having been up (the banner shows then). */
  readonly degraded = computed(() => this.state() === 'reconnecting');
  readonly events$ = this.events.asObservable();
  /** Emits after the socket came back and the subscriptions were renewed. */
  readonly reconnected$ = this.reconnects.asObservable();
  /**
   * The name of each channel whose subscription the server acknowledged (the first time
   * and after every reconnect). A view that loaded its state through REST before its
   * channel was acknowledged reloads on it, so nothing published in between is missed.
   */
  readonly subscribed$ = this.acks.asObservable();
  readonly forbidden$ = this.forbidden.asObservable();
  /** The server refused the session (4401/4403, or the session probe answered 401). */
  readonly unauthorized$ = this.unauthorized.asObservable();

  /** Open the connection (idempotent). */
  connect(): void {
    this.ensureClient().connect();
  }

  /** Close for good (logout). */
  disconnect(): void {
    this.client?.close();
    for (const off of this.offs.splice(0)) off();
    this.client = null;
    this.state.set('idle');
  }

  /** Events of one channel; the subscription lives as long as someone listens. */
  channel<T = Record<string, unknown>>(name: string): Observable<RealtimeEvent<T>> {
    return new Observable<RealtimeEvent<T>>((subscriber) => {
      const release = this.ensureClient().subscribe(name);
      const sub = this.events.pipe(filter((e) => e.channel === name)).subscribe((e) => subscriber.next(e as RealtimeEvent<T>));
      return () => {
        sub.unsubscribe();
        release();
      };
    }).pipe(share());
  }

  typing(conversationId: string, typing: boolean): void {
    this.send({ op: 'typing', conversationId, typing });
  }

  read(conversationId: string, messageId: string): void {
    this.send({ op: 'read', conversationId, messageId });
  }

  send(frame: Record<string, unknown>): boolean {
    return this.client?.send(frame) ?? false;
  }

  ngOnDestroy(): void {
    this.disconnect();
  }

  private ensureClient(): RealtimeClient {
    if (this.client) return this.client;
    const client = new RealtimeClient({
      url: '/api/v1/realtime',
      // A refused upgrade looks like a network error in browsers: ask REST whether the session is still good.
      verify: async () => {
        try {
          await firstValueFrom(this.http.get('/api/v1/auth/me'));
          return true;
        } catch (err) {
          return !(err instanceof HttpErrorResponse && err.status === 401);
        }
      },
    });
    this.offs.push(
      client.on('status', (s: ConnectionStatus) => this.state.set(s === 'closed' ? 'idle' : s)),
      client.on('event', (e) => this.events.next({ channel: e.channel, event: e.event, data: (e.data ?? {}) as Record<string, unknown> })),
      client.on('ready', ({ reconnected }) => {
        if (reconnected) this.reconnects.next();
      }),
      client.on('subscribed', (channel) => this.acks.next(channel)),
      client.on('error', (e) => {
        if (e.code === 'forbidden' && e.channel) this.forbidden.next(e.channel);
      }),
      client.on('closed', (info) => {
        if (info.fatal) this.unauthorized.next();
      }),
    );
    this.client = client;
    return client;
  }
}
