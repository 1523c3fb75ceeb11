import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import {
  AuthService,
  ComposerExtensions,
  I18nService,
  RealtimeService,
  TeamDirectory,
  TranslatePipe,
  type ComposerSuggestion,
  type Conversation,
  type Message,
  type RealtimeEvent,
} from '@charla/admin/sdk';
import { filter, switchMap } from 'rxjs';
import { InboxApi, type ConversationState, type QuickReply, type Sla } from './inbox-api';
import { formatCountdown, slaLevel, slaRemaining } from './sla-countdown';
import { type LockState, activeHolders, onAgentMessage, onTyping } from './soft-lock';
import { matchQuickReplies, quickReplyQuery } from './quick-reply-match';

const QUICK_REPLIES_TTL_MS = 30_000;

/**
 * `conversation.header` contribution: the SLA countdown, the priority badge and the soft
 * lock ("Ana is replying"). While shown it extends the reply box (ComposerExtensions):
 * `/shortcut` offers quick replies, and a reply while another agent holds the lock asks
 * for confirmation first.
 */
@Component({
  selector: 'ch-inbox-conversation-header',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'row wrap inbox-header' },
  template: `
    @if (priority() === 'high') {
      <span class="badge badge-priority" data-testid="inbox-priority" [attr.title]="state()?.priorityRule ?? ''">{{ 'inbox.priority.high' | t }}</span>
    }
    @if (level() !== 'none') {
      <span class="badge sla" data-testid="inbox-sla" [attr.data-level]="level()" role="timer" [attr.aria-label]="slaLabel()">
        @switch (level()) {
          @case ('met') { {{ 'inbox.sla.met' | t }} }
          @case ('breached') { {{ 'inbox.sla.breached' | t: { time: countdown() } }} }
          @case ('warning') { {{ 'inbox.sla.warning' | t: { time: countdown() } }} }
          @default { {{ 'inbox.sla.due' | t: { time: countdown() } }} }
        }
      </span>
    }
    @if (queuePosition(); as q) {
      <span class="badge" data-testid="inbox-queue">{{ 'inbox.queue.position' | t: { n: q } }}</span>
    }
    @if (lockHolders().length) {
      <span class="badge soft-lock" data-testid="inbox-soft-lock" role="status">
        {{ 'inbox.lock.replying' | t: { name: lockNames() } }}
      </span>
    }
  `,
  styles: `
    :host { gap: 0.4rem; margin-top: 0.4rem; }
    .sla[data-level='ok'] { background: #e7f5ec; color: #11643a; }
    .sla[data-level='warning'] { background: #fff4d6; color: #7a4b00; font-weight: 600; }
    .sla[data-level='breached'] { background: #fde2e1; color: #9b1c1c; font-weight: 700; }
    .sla[data-level='met'] { background: #eef1f5; color: #3b4654; }
    .badge-priority { background: #9b1c1c; color: #fff; }
    .soft-lock { background: #e8ecff; color: #26348b; }
  `,
})
export class InboxConversationHeader {
  readonly conversation = input<Conversation>();

  private readonly api = inject(InboxApi);
  private readonly auth = inject(AuthService);
  private readonly i18n = inject(I18nService);
  private readonly team = inject(TeamDirectory);

  protected readonly state = signal<ConversationState | null>(null);
  private readonly sla = signal<Sla | null>(null);
  private readonly lock = signal<LockState>([]);
  private readonly now = signal(Date.now());

  private readonly id = computed(() => this.conversation()?.id ?? null);
  protected readonly priority = computed(() => {
    const p = this.conversation()?.priority ?? this.state()?.priority ?? null;
    return p === 'high' ? 'high' : null;
  });
  protected readonly level = computed(() => (this.conversation()?.status === 'closed' && this.sla()?.state !== 'met' ? 'none' : slaLevel(this.sla(), this.now())));
  protected readonly countdown = computed(() => formatCountdown(Math.abs(slaRemaining(this.sla(), this.now()) ?? 0)));
  protected readonly slaLabel = computed(() => this.i18n.t('inbox.sla.label'));
  protected readonly queuePosition = computed(() => (this.conversation()?.assigneeId ? null : (this.state()?.queuePosition ?? null)));
  protected readonly lockHolders = computed(() => activeHolders(this.lock(), this.now()));
  protected readonly lockNames = computed(() =>
    this.lockHolders()
      .map((h) => this.team.name(h.userId) ?? (h.name || this.i18n.t('inbox.lock.someone')))
      .join(', '),
  );

  private quickReplies: { at: number; list: QuickReply[] } | null = null;
  private slaEvents = 0;

  constructor() {
    const realtime = inject(RealtimeService);
    const composer = inject(ComposerExtensions);
    void this.team.load();

    const timer = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));

    // State of the shown conversation, then its live events.
    toObservable(this.id)
      .pipe(
        filter((id): id is string => !!id),
        switchMap((id) => {
          this.state.set(null);
          this.sla.set(null);
          this.lock.set([]);
          void this.loadState(id);
          return realtime.channel(`conversation:${id}`);
        }),
        takeUntilDestroyed(),
      )
      .subscribe((e) => this.onEvent(e));
    realtime.reconnected$.pipe(takeUntilDestroyed()).subscribe(() => {
      const id = this.id();
      if (id) void this.loadState(id);
    });

    // The reply box extension for this conversation.
    effect((onCleanup) => {
      const conversationId = this.id();
      if (!conversationId) return;
      const off = composer.register({
        id: 'inbox/composer',
        conversationId,
        suggest: (draft) => this.suggest(draft),
        insert: (s, ctx) => this.insert(s, ctx.conversationId),
        confirmBeforeSend: () => {
          const names = this.lockNames();
          return this.lockHolders().length ? this.i18n.t('inbox.lock.confirm', { name: names }) : null;
        },
      });
      onCleanup(off);
    });
  }

  private async loadState(id: string): Promise<void> {
    const seq = this.slaEvents;
    try {
      const st = await this.api.state(id);
      if (id !== this.id()) return;
      this.state.set(st);
      // A live event that arrived meanwhile is newer than this answer.
      if (seq === this.slaEvents) this.sla.set(st.sla);
    } catch {
      /* no inbox state (plugin off, or not found): show nothing */
    }
  }

  private onEvent(e: RealtimeEvent): void {
    const data = e.data as Record<string, unknown>;
    switch (e.event) {
      case 'inbox:sla':
        if (data['conversationId'] === this.id()) {
          this.slaEvents++;
          this.sla.set(data as unknown as Sla);
        }
        break;
      case 'inbox:queue':
        if (data['conversationId'] === this.id()) {
          this.state.update((s) => (s ? { ...s, queuePosition: (data['position'] as number | null) ?? null, queueLength: (data['queueLength'] as number | null) ?? null } : s));
        }
        break;
      case 'agent:typing':
        if (data['conversationId'] === this.id()) this.lock.update((l) => onTyping(l, data, this.auth.user()?.id ?? null, Date.now()));
        break;
      case 'message:new': {
        const m = data['message'] as Message | undefined;
        if (m?.senderType === 'agent' && !m.private) this.lock.update((l) => onAgentMessage(l, m.senderId));
        break;
      }
    }
  }

  private async suggest(draft: string): Promise<readonly ComposerSuggestion[]> {
    const q = quickReplyQuery(draft);
    if (q === null) return [];
    if (!this.quickReplies || Date.now() - this.quickReplies.at > QUICK_REPLIES_TTL_MS) {
      this.quickReplies = { at: Date.now(), list: await this.api.quickReplies() };
    }
    return matchQuickReplies(this.quickReplies.list, q).map((r) => ({ id: r.id, label: r.shortcut, detail: r.title || r.content.slice(0, 60) }));
  }

  private async insert(s: ComposerSuggestion, conversationId: string): Promise<string> {
    return (await this.api.render(conversationId, s.id)).content;
  }
}
