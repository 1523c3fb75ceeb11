import { HttpClient } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  computed,
  effect,
  inject,
  input,
  linkedSignal,
  resource,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import {
  AuthService,
  ComposerExtensions,
  DatePipe,
  I18nService,
  RealtimeService,
  SlotOutlet,
  TeamDirectory,
  TranslatePipe,
  blockViews,
  problemText,
  visitorDisplayName,
  type BlockView,
  type ComposerExtension,
  type ComposerSuggestion,
  type Conversation,
  type Message,
  type RealtimeEvent,
} from '@charla/admin/sdk';
import { firstValueFrom, switchMap } from 'rxjs';
import { InboxStore } from './inbox-store';
import { type PendingMessage, lastStoredId, lastVisitorMessage, markReadUpTo, mergeMessages } from './message-list-state';

const TYPING_IDLE_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const PAGE = 100;

function newClientId(): string {
  const c: Crypto = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x: number) => x.toString(16).padStart(2, '0')).join('');
}

/** One conversation: header actions, the thread, the reply box, and the sidebar slot. */
@Component({
  selector: 'ch-conversation-view',
  imports: [TranslatePipe, DatePipe, SlotOutlet, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'conversation' },
  template: `
    @if (conversation(); as c) {
      <div class="conv-column">
        <header class="conv-header">
          <div class="conv-title">
            <a class="conv-back btn btn-secondary btn-sm" routerLink="/inbox" queryParamsHandling="preserve">{{ 'conversations.back' | t }}</a>
            <h2>{{ visitorName() }}</h2>
            <span class="status-pill" data-testid="conversation-status" [attr.data-status]="c.status">{{ 'conversations.status.' + c.status | t }}</span>
          </div>
          <div class="row wrap conv-actions">
            <label for="assignee-select" class="visually-hidden">{{ 'conversations.assignee' | t }}</label>
            <!-- [selected] per option, not [value] on the select: the members load after the
                 conversation, and a value set before its option exists shows "Unassigned". -->
            <select id="assignee-select" (change)="assign($any($event.target).value || null)" [disabled]="busy()">
              <option value="" [selected]="!c.assigneeId">{{ 'conversations.unassigned' | t }}</option>
              @for (m of team.members(); track m.id) {
                <option [value]="m.id" [selected]="m.id === c.assigneeId">{{ m.name }}</option>
              }
            </select>
            @if (c.assigneeId !== me()) {
              <button type="button" class="btn btn-secondary btn-sm" (click)="assign(me())" [disabled]="busy()">{{ 'conversations.assignMe' | t }}</button>
            }
            @if (c.status === 'open') {
              <button type="button" class="btn btn-secondary btn-sm" (click)="setStatus('pending')" [disabled]="busy()">{{ 'conversations.markPending' | t }}</button>
            } @else if (c.status === 'pending') {
              <button type="button" class="btn btn-secondary btn-sm" (click)="setStatus('open')" [disabled]="busy()">{{ 'conversations.markOpen' | t }}</button>
            }
            @if (c.status === 'closed') {
              <button type="button" class="btn btn-secondary btn-sm" (click)="setStatus('open')" [disabled]="busy()">{{ 'conversations.reopen' | t }}</button>
            } @else {
              <button type="button" class="btn btn-primary btn-sm" (click)="setStatus('closed')" [disabled]="busy()">{{ 'conversations.close' | t }}</button>
            }
          </div>
          <ch-slot name="conversation.header" [inputs]="{ conversation: c }" />
        </header>
        @if (actionError()) {
          <p class="alert alert-error" role="alert">{{ actionError() }}</p>
        }

        <div class="thread-scroll" #scroller>
          @if (history.isLoading() && messages().length === 0) {
            <p class="muted center" role="status">{{ 'common.loading' | t }}</p>
          }
          <ol class="thread" [attr.aria-label]="'conversations.thread' | t" aria-live="polite" aria-relevant="additions">
            @for (m of messages(); track m.clientId ?? m.id) {
              <li class="msg" [attr.data-sender]="m.senderType" [class.private]="m.private" [class.mine]="m.senderType !== 'visitor'" [attr.data-message]="m.id">
                @if (m.senderType === 'system') {
                  <div class="msg-system">{{ m.content }}</div>
                } @else {
                  <div class="msg-meta">
                    <span class="msg-sender">{{ senderName(m) }}</span>
                    @if (m.private) {
                      <span class="badge badge-note">{{ 'conversations.privateNote' | t }}</span>
                    }
                    <time [attr.datetime]="m.createdAt" [attr.title]="m.createdAt | chDate: 'full'">{{ m.createdAt | chDate: 'time' }}</time>
                  </div>
                  <div class="msg-body">{{ m.content }}</div>
                  @for (b of blocksOf(m); track $index) {
                    <div class="msg-block" [attr.data-block]="b.type">
                      @for (line of b.text; track $index) {
                        <p>{{ line }}</p>
                      }
                      @for (x of b.buttons; track x.id) {
                        <span class="chip">{{ x.label }}</span>
                      }
                    </div>
                  }
                  @if (m.senderType !== 'visitor' && !m.private) {
                    <div class="msg-state" [attr.data-state]="stateOf(m)">
                      {{ 'conversations.state.' + stateOf(m) | t }}
                      @if (m.failed) {
                        <button type="button" class="link" (click)="retry(m)">{{ 'conversations.retry' | t }}</button>
                      }
                    </div>
                  }
                }
              </li>
            }
          </ol>
        </div>

        <div class="typing-line" role="status" aria-live="polite">
          @if (visitorTyping()) {
            <span data-testid="visitor-typing">{{ 'conversations.visitorTyping' | t: { name: visitorName() } }}</span>
          }
          @for (name of otherAgentsTyping(); track name) {
            <span class="soft-lock" data-testid="agent-typing">{{ 'conversations.agentTyping' | t: { name: name } }}</span>
          }
        </div>

        <form class="composer" [class.note]="isNote()" (submit)="submit($event)">
          <label for="reply-box" class="visually-hidden">{{ 'conversations.reply' | t }}</label>
          <textarea
            id="reply-box"
            #replyBox
            rows="3"
            [value]="draft()"
            (input)="onInput($event)"
            (keydown)="onKeydown($event)"
            [attr.placeholder]="(isNote() ? 'conversations.notePlaceholder' : 'conversations.replyPlaceholder') | t"
            aria-describedby="reply-hint"
            [attr.aria-expanded]="suggestions().length > 0"
            aria-controls="composer-suggestions"
            aria-autocomplete="list"
          ></textarea>
          @if (suggestions().length) {
            <ul id="composer-suggestions" class="plain-list composer-suggestions" role="listbox" [attr.aria-label]="'conversations.suggestions' | t">
              @for (s of suggestions(); track s.suggestion.id; let i = $index) {
                <li role="option" [attr.aria-selected]="i === activeSuggestion()" [class.active]="i === activeSuggestion()"
                  [attr.data-suggestion]="s.suggestion.label" (mousedown)="$event.preventDefault(); pick(i)">
                  <strong>{{ s.suggestion.label }}</strong>
                  @if (s.suggestion.detail) { <span class="muted"> {{ s.suggestion.detail }}</span> }
                </li>
              }
            </ul>
          }
          @if (confirmQuestion(); as q) {
            <div class="alert alert-warning row wrap" role="alertdialog" aria-live="assertive" data-testid="send-confirm">
              <span class="grow">{{ q }}</span>
              <button type="button" class="btn btn-primary btn-sm" (click)="confirmSend()">{{ 'conversations.sendAnyway' | t }}</button>
              <button type="button" class="btn btn-secondary btn-sm" (click)="confirmQuestion.set(null)">{{ 'conversations.cancelSend' | t }}</button>
            </div>
          }
          <div class="composer-bar">
            <label class="check">
              <input type="checkbox" [checked]="isNote()" (change)="isNote.set($any($event.target).checked)" />
              {{ 'conversations.privateNoteToggle' | t }}
            </label>
            <small id="reply-hint" class="hint">{{ 'conversations.replyHint' | t }}</small>
            <button type="submit" class="btn btn-primary" [disabled]="!draft().trim()">
              {{ (isNote() ? 'conversations.addNote' : 'conversations.send') | t }}
            </button>
          </div>
        </form>
      </div>
      <aside class="conv-sidebar" [attr.aria-label]="'conversations.sidebar' | t">
        <ch-slot name="conversation.sidebar" [inputs]="{ conversation: c, visitor: visitor() }" />
      </aside>
    } @else if (loadError()) {
      <p class="alert alert-error" role="alert">{{ loadError() }}</p>
    } @else {
      <p class="muted center" role="status">{{ 'common.loading' | t }}</p>
    }
  `,
})
export class ConversationView {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly realtime = inject(RealtimeService);
  private readonly store = inject(InboxStore);
  private readonly i18n = inject(I18nService);
  protected readonly team = inject(TeamDirectory);

  /** Route parameter. */
  readonly id = input.required<string>();

  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private readonly replyBox = viewChild<ElementRef<HTMLTextAreaElement>>('replyBox');

  protected readonly me = computed(() => this.auth.user()?.id ?? null);
  protected readonly busy = signal(false);
  protected readonly actionError = signal<string | null>(null);
  protected readonly draft = signal('');
  protected readonly isNote = signal(false);
  private readonly composer = inject(ComposerExtensions);
  /** Picker entries offered by composer extensions for the current draft (e.g. quick replies for "/ref"). */
  protected readonly suggestions = linkedSignal<string, { ext: ComposerExtension; suggestion: ComposerSuggestion }[]>({ source: () => this.id(), computation: () => [] });
  protected readonly activeSuggestion = signal(0);
  /** A composer extension's question to confirm before sending (e.g. another agent is replying). */
  protected readonly confirmQuestion = linkedSignal<string, string | null>({ source: () => this.id(), computation: () => null });
  private suggestSeq = 0;

  private readonly details = resource({
    params: () => this.id(),
    loader: ({ params }) => firstValueFrom(this.http.get<Conversation>(`/api/v1/inbox/conversations/${encodeURIComponent(params)}`)),
  });
  /** The conversation, updated locally by actions and events; reset when another one is opened. */
  protected readonly conversation = linkedSignal(() => this.details.value() ?? null);
  protected readonly loadError = computed(() => (this.details.error() ? this.i18n.t('conversations.notFound') : null));

  protected readonly history = resource({
    params: () => this.id(),
    loader: ({ params }) => this.fetchMessages(params, null),
  });
  protected readonly messages = linkedSignal<PendingMessage[]>(() => this.history.value() ?? []);

  protected readonly visitor = computed(() => this.store.visitor(this.conversation()?.visitor));
  protected readonly visitorName = computed(() => {
    const v = this.visitor();
    return visitorDisplayName(v ?? { id: this.conversation()?.visitorId }, this.i18n.locale(), this.i18n.t('conversations.visitor'));
  });

  protected readonly visitorTyping = linkedSignal<string, boolean>({ source: () => this.id(), computation: () => false });
  private readonly agentsTyping = linkedSignal<string, ReadonlyMap<string, number>>({ source: () => this.id(), computation: () => new Map() });
  protected readonly otherAgentsTyping = computed(() =>
    [...this.agentsTyping().keys()].filter((u) => u !== this.me()).map((u) => this.team.name(u) ?? this.i18n.t('conversations.anotherAgent')),
  );

  private visitorTypingTimer: ReturnType<typeof setTimeout> | null = null;
  private typingSentFor: string | null = null;
  private typingIdleTimer: ReturnType<typeof setTimeout> | null = null;
  private lastReadSent: string | null = null;

  constructor() {
    void this.team.load();
    const destroyRef = inject(DestroyRef);

    // Live events of the open conversation; resubscribes when another one is opened.
    toObservable(this.id)
      .pipe(
        switchMap((id) => {
          this.stopTyping();
          this.store.selectedId.set(id);
          this.store.markRead(id);
          return this.realtime.channel(`conversation:${id}`);
        }),
        takeUntilDestroyed(),
      )
      .subscribe((e) => this.onEvent(e));

    // After a reconnect: fetch what was missed.
    this.realtime.reconnected$.pipe(takeUntilDestroyed()).subscribe(() => void this.catchUp());

    // Push read receipts to the server for the last visitor message seen.
    effect(() => {
      const last = lastVisitorMessage(this.messages());
      const id = this.id();
      if (!last || last.id === this.lastReadSent || last.conversationId !== id) return;
      if (this.realtime.status() !== 'open') return;
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      this.lastReadSent = last.id;
      this.realtime.read(id, last.id);
      this.store.markRead(id);
    });

    // Keep the newest message in view (DOM side effect).
    effect(() => {
      this.messages();
      const el = this.scroller()?.nativeElement;
      if (el) queueMicrotask(() => (el.scrollTop = el.scrollHeight));
    });

    destroyRef.onDestroy(() => {
      this.stopTyping();
      if (this.visitorTypingTimer) clearTimeout(this.visitorTypingTimer);
      this.store.selectedId.set(null);
    });
  }

  /** The message's blocks (buttons, cards) as text, as the widget shows them (docs/plugins.md "Message blocks"). */
  protected blocksOf(m: Message): BlockView[] {
    return blockViews(m.metadata) ?? [];
  }

  protected senderName(m: Message): string {
    switch (m.senderType) {
      case 'visitor':
        return this.visitorName();
      case 'agent':
        return m.senderId === this.me() ? this.i18n.t('conversations.you') : (this.team.name(m.senderId) ?? this.i18n.t('conversations.agent'));
      case 'bot':
        return this.i18n.t('conversations.bot');
      default:
        return '';
    }
  }

  protected stateOf(m: PendingMessage): 'failed' | 'sending' | 'seen' | 'sent' {
    return m.failed ? 'failed' : m.pending ? 'sending' : m.readAt ? 'seen' : 'sent';
  }

  protected onInput(event: Event): void {
    this.draft.set((event.target as HTMLTextAreaElement).value);
    void this.refreshSuggestions();
    if (this.isNote()) return;
    const id = this.id();
    if (this.typingSentFor !== id) {
      this.typingSentFor = id;
      this.realtime.typing(id, true);
    }
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  protected onKeydown(event: KeyboardEvent): void {
    const n = this.suggestions().length;
    if (n && !event.isComposing) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.activeSuggestion.update((i) => (i + (event.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        this.suggestions.set([]);
        return;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        void this.pick(this.activeSuggestion());
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      void this.send();
    }
  }

  protected submit(event: Event): void {
    event.preventDefault();
    void this.send();
  }

  protected retry(m: PendingMessage): void {
    void this.post({ ...m, failed: false, pending: true });
  }

  /** Asks the composer extensions for picker entries for the current draft (latest answer wins). */
  private async refreshSuggestions(): Promise<void> {
    const seq = ++this.suggestSeq;
    const id = this.id();
    const draft = this.draft();
    const exts = this.composer.for(id).filter((e) => e.suggest);
    if (!exts.length || !draft) {
      this.suggestions.set([]);
      return;
    }
    const lists = await Promise.all(
      exts.map(async (ext) => {
        try {
          return (await ext.suggest!(draft, { conversationId: id })).map((suggestion) => ({ ext, suggestion }));
        } catch {
          return [];
        }
      }),
    );
    if (seq !== this.suggestSeq || id !== this.id()) return;
    this.suggestions.set(lists.flat());
    this.activeSuggestion.set(0);
  }

  /** Replaces the draft with what the chosen suggestion's extension renders. */
  protected async pick(index: number): Promise<void> {
    const chosen = this.suggestions()[index];
    this.suggestSeq++;
    this.suggestions.set([]);
    if (!chosen?.ext.insert) return;
    const id = this.id();
    try {
      const text = await chosen.ext.insert(chosen.suggestion, { conversationId: id });
      if (id !== this.id()) return;
      this.draft.set(text);
      const box = this.replyBox()?.nativeElement;
      if (box) {
        box.value = text;
        box.focus();
      }
    } catch (err) {
      this.actionError.set(problemText(err, this.i18n.t('errors.generic')));
    }
  }

  protected confirmSend(): void {
    this.confirmQuestion.set(null);
    void this.send(true);
  }

  private async send(confirmed = false): Promise<void> {
    const content = this.draft().trim();
    if (!content) return;
    const id = this.id();
    if (!confirmed && !this.isNote()) {
      for (const ext of this.composer.for(id)) {
        const question = ext.confirmBeforeSend?.({ conversationId: id }) ?? null;
        if (question) {
          this.confirmQuestion.set(question);
          return;
        }
      }
    }
    this.confirmQuestion.set(null);
    const clientId = newClientId();
    const optimistic: PendingMessage = {
      id: `pending-${clientId}`,
      clientId,
      conversationId: id,
      seq: Number.MAX_SAFE_INTEGER,
      senderType: 'agent',
      senderId: this.me(),
      content,
      private: this.isNote(),
      createdAt: new Date().toISOString(),
      pending: true,
    };
    this.draft.set('');
    this.stopTyping();
    this.replyBox()?.nativeElement.focus();
    await this.post(optimistic);
  }

  private async post(m: PendingMessage): Promise<void> {
    this.messages.update((l) => mergeMessages(l, [m]));
    try {
      const res = await firstValueFrom(
        this.http.post<{ message: Message }>(`/api/v1/inbox/conversations/${encodeURIComponent(m.conversationId)}/messages`, {
          content: m.content,
          clientId: m.clientId,
          private: m.private,
        }),
      );
      const stored = res.message ?? (res as unknown as Message);
      if (stored.conversationId === this.id()) this.messages.update((l) => mergeMessages(l, [{ ...stored, pending: false }]));
    } catch (err) {
      this.messages.update((l) => mergeMessages(l, [{ ...m, pending: true, failed: true }]));
      this.actionError.set(problemText(err, this.i18n.t('conversations.sendFailed')));
    }
  }

  protected async assign(assigneeId: string | null): Promise<void> {
    await this.patch({ assigneeId });
  }

  protected async setStatus(status: 'open' | 'pending' | 'closed'): Promise<void> {
    await this.patch({ status });
  }

  private async patch(body: Record<string, unknown>): Promise<void> {
    this.busy.set(true);
    this.actionError.set(null);
    try {
      const updated = await firstValueFrom(
        this.http.patch<Conversation>(`/api/v1/inbox/conversations/${encodeURIComponent(this.id())}`, body),
      );
      this.applyConversation(updated);
    } catch (err) {
      this.actionError.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }

  private applyConversation(updated: Conversation): void {
    const merged = { ...(this.conversation() ?? {}), ...updated, visitor: updated.visitor ?? this.conversation()?.visitor } as Conversation;
    this.conversation.set(merged);
    this.store.upsert(merged);
  }

  private stopTyping(): void {
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = null;
    if (this.typingSentFor) {
      this.realtime.typing(this.typingSentFor, false);
      this.typingSentFor = null;
    }
  }

  private onEvent(e: RealtimeEvent): void {
    const id = this.id();
    const data = e.data as Record<string, unknown>;
    switch (e.event) {
      case 'message:new': {
        const message = data['message'] as Message | undefined;
        if (message?.conversationId === id) {
          this.messages.update((l) => mergeMessages(l, [message]));
          if (message.senderType === 'visitor') this.visitorTyping.set(false);
        }
        const conversation = data['conversation'] as Conversation | undefined;
        if (conversation?.id === id) this.conversation.update((c) => (c ? { ...c, ...conversation, visitor: conversation.visitor ?? c.visitor } : c));
        break;
      }
      case 'conversation:updated': {
        const conversation = data['conversation'] as Conversation | undefined;
        if (conversation?.id === id) this.conversation.update((c) => (c ? { ...c, ...conversation, visitor: conversation.visitor ?? c.visitor } : c));
        break;
      }
      case 'visitor:typing': {
        if (data['conversationId'] !== id) return;
        const typing = !!data['typing'];
        this.visitorTyping.set(typing);
        if (this.visitorTypingTimer) clearTimeout(this.visitorTypingTimer);
        if (typing) this.visitorTypingTimer = setTimeout(() => this.visitorTyping.set(false), TYPING_SHOWN_MS);
        break;
      }
      case 'agent:typing': {
        if (data['conversationId'] !== id) return;
        const userId = String(data['userId'] ?? '');
        if (!userId || userId === this.me()) return;
        const typing = !!data['typing'];
        this.agentsTyping.update((m) => {
          const next = new Map(m);
          const old = next.get(userId);
          if (old) clearTimeout(old);
          if (typing) {
            next.set(
              userId,
              setTimeout(() => this.agentsTyping.update((x) => {
                const y = new Map(x);
                y.delete(userId);
                return y;
              }), TYPING_SHOWN_MS) as unknown as number,
            );
          } else {
            next.delete(userId);
          }
          return next;
        });
        break;
      }
      case 'message:read': {
        if (data['conversationId'] !== id) return;
        const by = data['by'] as string | { type?: string } | undefined;
        const byVisitor = by === 'visitor' || (typeof by === 'object' && by?.type === 'visitor');
        if (byVisitor || by === undefined) {
          this.messages.update((l) => markReadUpTo(l, String(data['messageId']), new Date().toISOString()));
        }
        break;
      }
    }
  }

  private async catchUp(): Promise<void> {
    const id = this.id();
    try {
      const missed = await this.fetchMessages(id, lastStoredId(this.messages()));
      if (id === this.id() && missed.length) this.messages.update((l) => mergeMessages(l, missed));
      const fresh = await firstValueFrom(this.http.get<Conversation>(`/api/v1/inbox/conversations/${encodeURIComponent(id)}`));
      if (id === this.id()) this.conversation.set(fresh);
    } catch {
      /* the next reconnect tries again */
    }
  }

  /** Every message after `after` (all when null), oldest first, following pages. */
  private async fetchMessages(id: string, after: string | null): Promise<PendingMessage[]> {
    const out: Message[] = [];
    let cursor = after;
    for (let page = 0; page < 50; page++) {
      const params: Record<string, string> = { limit: String(PAGE) };
      if (cursor) params['after'] = cursor;
      const res = await firstValueFrom(
        this.http.get<{ messages: Message[] }>(`/api/v1/inbox/conversations/${encodeURIComponent(id)}/messages`, { params }),
      );
      const batch = res.messages ?? [];
      out.push(...batch);
      if (batch.length < PAGE) break;
      cursor = batch[batch.length - 1].id;
    }
    return mergeMessages([], out);
  }
}
