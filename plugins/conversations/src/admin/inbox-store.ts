import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import {
  AuthService,
  BrowserNotifications,
  I18nService,
  RealtimeService,
  type Conversation,
  type Message,
  type RealtimeEvent,
  type Visitor,
} from '@charla/admin/sdk';
import { Router } from '@angular/router';
import { Subscription, firstValueFrom, merge } from 'rxjs';
import { DEFAULT_FILTER, type InboxFilter, type StatusTab, filterQuery, mergeConversation } from './inbox-filter';

interface ListResponse {
  conversations: Conversation[];
  nextCursor?: string | null;
}

export interface TabCount {
  n: number;
  more: boolean;
}

/**
 * The inbox lists: the current filter, its conversations (newest activity first), the
 * counts per status, live updates from the `account:<id>` channel, and the visitors'
 * live data (current page). One instance for the app; `attach()`/`detach()` follow
 * the inbox screen.
 */
@Injectable({ providedIn: 'root' })
export class InboxStore {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly realtime = inject(RealtimeService);
  private readonly notifications = inject(BrowserNotifications);
  private readonly i18n = inject(I18nService);
  private readonly router = inject(Router);

  private readonly items = signal<readonly Conversation[]>([]);
  private readonly cursor = signal<string | null>(null);
  private readonly visitorOverrides = signal<ReadonlyMap<string, Visitor>>(new Map());
  private readonly online = signal<ReadonlySet<string>>(new Set());
  private subscription: Subscription | null = null;
  private users = 0;
  private countTimer: ReturnType<typeof setTimeout> | null = null;
  private loadSeq = 0;

  readonly filter = signal<InboxFilter>(DEFAULT_FILTER);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  readonly counts = signal<Record<StatusTab, TabCount | null>>({ active: null, open: null, pending: null, closed: null });
  /** The conversation open in the view (its unread marker stays at zero). */
  readonly selectedId = signal<string | null>(null);

  readonly conversations = computed(() => {
    const overrides = this.visitorOverrides();
    const online = this.online();
    return this.items().map((c) => {
      const id = c.visitor?.id ?? c.visitorId;
      const o = id ? overrides.get(id) : undefined;
      const isOnline = id ? online.has(id) : false;
      if (!o && !isOnline) return c;
      return { ...c, visitor: { ...(c.visitor ?? { id: id! }), ...(o ?? {}), online: isOnline || c.visitor?.online } };
    });
  });
  readonly hasMore = computed(() => this.cursor() !== null);

  private get meId(): string | null {
    return this.auth.user()?.id ?? null;
  }

  /** The latest known data of a visitor (live current page included). */
  visitor(base: Visitor | null | undefined): Visitor | null {
    if (!base) return null;
    const o = this.visitorOverrides().get(base.id);
    const merged = o ? { ...base, ...o } : base;
    return this.online().has(base.id) ? { ...merged, online: true } : merged;
  }

  attach(): void {
    this.users++;
    if (this.subscription) return;
    const account = this.auth.account();
    if (!account) return;
    this.subscription = new Subscription();
    this.subscription.add(this.realtime.channel(`account:${account.id}`).subscribe((e) => this.onEvent(e)));
    this.subscription.add(merge(this.realtime.reconnected$).subscribe(() => void this.reload()));
    this.notifications.askOnce();
    void this.reload();
  }

  detach(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) {
      this.subscription?.unsubscribe();
      this.subscription = null;
    }
  }

  setFilter(patch: Partial<InboxFilter>): void {
    this.filter.update((f) => ({ ...f, ...patch }));
    void this.reload();
  }

  async reload(): Promise<void> {
    const seq = ++this.loadSeq;
    const filter = this.filter();
    this.loading.set(true);
    this.error.set(null);
    try {
      const res = await firstValueFrom(this.http.get<ListResponse>('/api/v1/inbox/conversations', { params: filterQuery(filter) }));
      if (seq !== this.loadSeq) return;
      this.items.set(res.conversations ?? []);
      this.cursor.set(res.nextCursor ?? null);
    } catch {
      if (seq === this.loadSeq) this.error.set(this.i18n.t('conversations.list.error'));
    } finally {
      if (seq === this.loadSeq) this.loading.set(false);
    }
    void this.refreshCounts();
  }

  async loadMore(): Promise<void> {
    const cursor = this.cursor();
    if (!cursor) return;
    const res = await firstValueFrom(
      this.http.get<ListResponse>('/api/v1/inbox/conversations', { params: { ...filterQuery(this.filter()), cursor } }),
    );
    const known = new Set(this.items().map((c) => c.id));
    this.items.update((l) => [...l, ...(res.conversations ?? []).filter((c) => !known.has(c.id))]);
    this.cursor.set(res.nextCursor ?? null);
  }

  /** Counts of each status under the current assignee/site filter (capped at 100, shown as "99+"). */
  async refreshCounts(): Promise<void> {
    const filter = this.filter();
    const tabs: StatusTab[] = ['open', 'pending', 'closed'];
    try {
      const results = await Promise.all(
        tabs.map((status) =>
          firstValueFrom(this.http.get<ListResponse>('/api/v1/inbox/conversations', { params: filterQuery(filter, status, 100) })),
        ),
      );
      const counts: Record<StatusTab, TabCount | null> = { active: null, open: null, pending: null, closed: null };
      tabs.forEach((t, i) => (counts[t] = { n: results[i].conversations?.length ?? 0, more: !!results[i].nextCursor }));
      counts.active = { n: counts.open!.n + counts.pending!.n, more: counts.open!.more || counts.pending!.more };
      this.counts.set(counts);
    } catch {
      /* counts are a nicety */
    }
  }

  /** Apply a conversation returned by the API (after an assign/close in the view). */
  upsert(conversation: Conversation): void {
    this.items.update((l) => mergeConversation(l, conversation, this.filter(), this.meId));
    this.scheduleCounts();
  }

  markRead(conversationId: string): void {
    this.items.update((l) => l.map((c) => (c.id === conversationId && c.unreadCount ? { ...c, unreadCount: 0 } : c)));
  }

  private scheduleCounts(): void {
    if (this.countTimer) clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => {
      this.countTimer = null;
      void this.refreshCounts();
    }, 400);
  }

  private onEvent(e: RealtimeEvent): void {
    switch (e.event) {
      case 'message:new': {
        const { message, conversation } = e.data as { message: Message; conversation: Conversation };
        if (!conversation) return;
        const existing = this.items().find((c) => c.id === conversation.id);
        const fromVisitor = message?.senderType === 'visitor';
        let unread = conversation.unreadCount ?? existing?.unreadCount ?? 0;
        if (conversation.unreadCount === undefined && fromVisitor) unread++;
        if (this.selectedId() === conversation.id) unread = 0;
        const next: Conversation = { ...conversation, lastMessage: message ?? conversation.lastMessage, unreadCount: unread };
        if (!next.visitor && !existing?.visitor) void this.fetchAndMerge(next);
        else this.upsert(next);
        if (fromVisitor && !message.private) {
          const who = existing?.visitor?.name || conversation.visitor?.name || this.i18n.t('conversations.visitor');
          this.notifications.notify(
            this.i18n.t('conversations.notify.title', { name: who }),
            message.content,
            `charla-${conversation.id}`,
            () => void this.router.navigate(['/inbox', conversation.id]),
            { kind: message.seq === 1 ? 'newConversation' : 'newMessage', conversation: { id: conversation.id, assigneeId: conversation.assigneeId ?? null } },
          );
        }
        break;
      }
      case 'conversation:updated': {
        const { conversation } = e.data as { conversation: Conversation };
        if (conversation) this.upsert(conversation);
        break;
      }
      case 'visitor:updated': {
        const { visitor } = e.data as { visitor: Visitor };
        if (visitor?.id) this.visitorOverrides.update((m) => new Map(m).set(visitor.id, { ...(m.get(visitor.id) ?? {}), ...visitor }));
        break;
      }
      case 'visitor:online':
      case 'visitor:offline': {
        const { visitor } = e.data as { visitor: Visitor };
        if (!visitor?.id) return;
        const on = e.event === 'visitor:online';
        this.online.update((s) => {
          const next = new Set(s);
          if (on) next.add(visitor.id);
          else next.delete(visitor.id);
          return next;
        });
        this.visitorOverrides.update((m) => new Map(m).set(visitor.id, { ...(m.get(visitor.id) ?? {}), ...visitor, online: on }));
        break;
      }
    }
  }

  private async fetchAndMerge(partial: Conversation): Promise<void> {
    try {
      const full = await firstValueFrom(this.http.get<Conversation>(`/api/v1/inbox/conversations/${encodeURIComponent(partial.id)}`));
      this.upsert({ ...full, lastMessage: partial.lastMessage ?? full.lastMessage, unreadCount: partial.unreadCount ?? full.unreadCount });
    } catch {
      this.upsert(partial);
    }
  }
}
