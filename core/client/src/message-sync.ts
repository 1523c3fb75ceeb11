import type { RealtimeClient, RealtimeEvent } from './realtime.js';

/** What the sync needs from a message (API.md Message has all of these). */
export interface SyncMessage {
  id: string;
  conversationId: string;
  seq: number;
}

export interface MessageSyncOptions<M extends SyncMessage> {
  /**
   * Fetches the messages of a conversation after `afterId` (all of them when undefined),
   * oldest first, e.g. `GET /api/v1/widget/conversations/:id/messages?after=…&limit=…`.
   */
  fetchAfter: (conversationId: string, afterId: string | undefined, limit: number) => Promise<M[]>;
  /** Receives new messages, exactly once each, in `seq` order per conversation. */
  onMessages: (conversationId: string, messages: M[]) => void;
  /** Optional: listens to `message:new` events and catches up after every reconnect. */
  realtime?: RealtimeClient;
  /** Start watching a conversation when a `message:new` arrives for one that is not watched (default false). */
  autoWatch?: boolean;
  /** Page size for catch-up requests (default 100); a full page triggers another request. */
  pageSize?: number;
  /** Reports a failed catch-up (it is retried once after `retryMs`, and again on the next reconnect). */
  onError?: (err: unknown, conversationId: string) => void;
  retryMs?: number;
}

interface ConversationState<M> {
  lastId?: string;
  lastSeq: number;
  known: Set<string>;
  buffer: Map<string, M>;
  fetching: Promise<void> | null;
  again: boolean;
}

const MAX_KNOWN = 1000;

/**
 * Conversation catch-up: remembers the last message per watched conversation, delivers
 * live messages in `seq` order, and fills any gap (a reconnect, a `seq` that jumps) with
 * `fetchAfter(lastId)`; every message is delivered exactly once, de-duplicated by id.
 */
export class MessageSync<M extends SyncMessage> {
  readonly #opts: MessageSyncOptions<M>;
  #convs = new Map<string, ConversationState<M>>();
  #offs: Array<() => void> = [];
  #retryTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: MessageSyncOptions<M>) {
    this.#opts = options;
    const rt = options.realtime;
    if (rt) {
      this.#offs.push(
        rt.on('event', (ev: RealtimeEvent) => {
          if (ev.event !== 'message:new') return;
          const msg = (ev.data as { message?: M } | undefined)?.message;
          if (msg && typeof msg.id === 'string' && typeof msg.seq === 'number') this.ingest(msg);
        }),
        rt.on('ready', ({ reconnected }) => {
          if (reconnected) void this.catchUpAll();
        }),
      );
    }
  }

  /**
   * Watches a conversation. `last` is the newest message already shown (from the history
   * you loaded); omit it to accept the next message whatever its seq.
   */
  watch(conversationId: string, last?: { id: string; seq: number } | null): void {
    const st = this.#convs.get(conversationId);
    if (st) {
      if (last && last.seq > st.lastSeq) {
        st.lastSeq = last.seq;
        st.lastId = last.id;
        st.known.add(last.id);
      }
      return;
    }
    this.#convs.set(conversationId, {
      lastId: last?.id,
      lastSeq: last ? last.seq : Number.NEGATIVE_INFINITY,
      known: new Set(last ? [last.id] : []),
      buffer: new Map(),
      fetching: null,
      again: false,
    });
  }

  unwatch(conversationId: string): void {
    this.#convs.delete(conversationId);
  }

  isWatching(conversationId: string): boolean {
    return this.#convs.has(conversationId);
  }

  /** The newest delivered message of a conversation. */
  last(conversationId: string): { id: string; seq: number } | undefined {
    const st = this.#convs.get(conversationId);
    return st?.lastId === undefined ? undefined : { id: st.lastId, seq: st.lastSeq };
  }

  /** Feeds a message from any source (socket event, the response to your own send, …). */
  ingest(message: M): void {
    let st = this.#convs.get(message.conversationId);
    if (!st) {
      if (!this.#opts.autoWatch) return;
      this.watch(message.conversationId);
      st = this.#convs.get(message.conversationId)!;
    }
    if (this.#isKnown(st, message)) return;
    if (st.fetching) {
      st.buffer.set(message.id, message);
      return;
    }
    if (st.lastSeq === Number.NEGATIVE_INFINITY || message.seq === st.lastSeq + 1) {
      this.#deliver(message.conversationId, st, [message]);
      return;
    }
    // A gap: something in between was missed. Keep this one and fetch what is missing.
    st.buffer.set(message.id, message);
    void this.catchUp(message.conversationId);
  }

  /** Fetches everything after the last delivered message of one conversation and delivers it. */
  catchUp(conversationId: string): Promise<void> {
    const st = this.#convs.get(conversationId);
    if (!st) return Promise.resolve();
    if (st.fetching) {
      st.again = true;
      return st.fetching;
    }
    const run = async (): Promise<void> => {
      const limit = this.#opts.pageSize ?? 100;
      try {
        do {
          st.again = false;
          let after = st.lastId;
          for (;;) {
            const page = await this.#opts.fetchAfter(conversationId, after, limit);
            if (this.#convs.get(conversationId) !== st) return;
            const fresh = page.filter((m) => !this.#isKnown(st, m));
            for (const m of page) st.buffer.delete(m.id);
            if (fresh.length) this.#deliver(conversationId, st, fresh);
            if (page.length < limit || page.length === 0) break;
            after = page[page.length - 1].id;
          }
        } while (st.again);
        // Whatever arrived live meanwhile (or a jump the server did not explain) goes out in order.
        this.#flushBuffer(conversationId, st);
      } catch (err) {
        this.#opts.onError?.(err, conversationId);
        const t = setTimeout(() => {
          this.#retryTimers.delete(t);
          if (this.#convs.get(conversationId) === st) void this.catchUp(conversationId);
        }, this.#opts.retryMs ?? 3000);
        this.#retryTimers.add(t);
      }
    };
    st.fetching = run().finally(() => {
      st.fetching = null;
    });
    return st.fetching;
  }

  /** Catches up every watched conversation (done automatically after a reconnect). */
  async catchUpAll(): Promise<void> {
    await Promise.all([...this.#convs.keys()].map((id) => this.catchUp(id)));
  }

  /** Stops listening to the realtime client and forgets every conversation. */
  dispose(): void {
    for (const off of this.#offs) off();
    for (const t of this.#retryTimers) clearTimeout(t);
    this.#offs = [];
    this.#retryTimers.clear();
    this.#convs.clear();
  }

  #isKnown(st: ConversationState<M>, m: M): boolean {
    return st.known.has(m.id) || m.seq <= st.lastSeq;
  }

  #flushBuffer(conversationId: string, st: ConversationState<M>): void {
    const rest = [...st.buffer.values()].filter((m) => !this.#isKnown(st, m));
    st.buffer.clear();
    if (rest.length) this.#deliver(conversationId, st, rest);
  }

  #deliver(conversationId: string, st: ConversationState<M>, messages: M[]): void {
    const seen = new Set<string>();
    const list = messages
      .filter((m) => !seen.has(m.id) && (seen.add(m.id), true))
      .sort((a, b) => a.seq - b.seq);
    for (const m of list) {
      st.known.add(m.id);
      if (m.seq > st.lastSeq) {
        st.lastSeq = m.seq;
        st.lastId = m.id;
      }
    }
    if (st.known.size > MAX_KNOWN) {
      const keep = [...st.known].slice(-MAX_KNOWN / 2);
      st.known = new Set(keep);
    }
    this.#opts.onMessages(conversationId, list);
  }
}
