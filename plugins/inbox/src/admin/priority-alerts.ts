import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import { AuthService, BrowserNotifications, I18nService, RealtimeService, TranslatePipe } from '@charla/admin/sdk';
import { InboxApi } from './inbox-api';

interface PriorityEvent {
  conversationId: string;
  rule: string;
  visitor?: { id: string; name: string | null; email: string | null };
  lastMessage?: { content?: string } | null;
}

interface Alert {
  conversationId: string;
  who: string;
  rule: string;
  text: string;
}

const MAX_ALERTS = 3;
const ALERT_MS = 30_000;

/**
 * The inbox plugin's `background` part: whatever screen an agent is on, a conversation
 * that a priority rule marks high priority (`inbox:priority`) raises an alert in the page
 * (with a link to it) and, when the tab is hidden and the agent's "High-priority
 * conversations" browser preference is on, a browser notification.
 */
@Component({
  selector: 'ch-inbox-priority-alerts',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="priority-alerts" aria-live="assertive">
      @for (a of alerts(); track a.conversationId) {
        <div class="priority-alert" role="alert" data-testid="inbox-priority-alert" [attr.data-conversation]="a.conversationId">
          <strong>{{ 'inbox.alert.title' | t: { name: a.who } }}</strong>
          <span class="muted">{{ 'inbox.alert.rule' | t: { rule: a.rule } }}</span>
          @if (a.text) {
            <span class="priority-text">{{ a.text }}</span>
          }
          <span class="priority-actions">
            <button type="button" class="btn btn-primary btn-sm" (click)="open(a)">{{ 'inbox.alert.open' | t }}</button>
            <button type="button" class="btn btn-sm" (click)="dismiss(a.conversationId)" [attr.aria-label]="'inbox.alert.dismiss' | t">×</button>
          </span>
        </div>
      }
    </div>
  `,
  styles: `
    .priority-alerts { position: fixed; right: 1rem; bottom: 1rem; z-index: 50; display: flex; flex-direction: column; gap: 0.5rem; max-width: 22rem; }
    .priority-alert { display: flex; flex-direction: column; gap: 0.25rem; padding: 0.75rem 1rem; border-radius: 8px; background: var(--surface, #fff); border-left: 4px solid #9b1c1c; box-shadow: 0 4px 16px rgb(0 0 0 / 18%); }
    .priority-text { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .priority-actions { display: flex; gap: 0.5rem; justify-content: flex-end; }
  `,
})
export class InboxPriorityAlerts {
  private readonly i18n = inject(I18nService);
  private readonly router = inject(Router);
  private readonly notifications = inject(BrowserNotifications);
  private readonly api = inject(InboxApi);
  protected readonly alerts = signal<readonly Alert[]>([]);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    const accountId = inject(AuthService).account()?.id;
    if (accountId) {
      inject(RealtimeService)
        .channel(`account:${accountId}`)
        .pipe(takeUntilDestroyed())
        .subscribe((e) => {
          if (e.event === 'inbox:priority') void this.raise(e.data as unknown as PriorityEvent);
        });
    }
    inject(DestroyRef).onDestroy(() => this.timers.forEach((t) => clearTimeout(t)));
  }

  private async raise(e: PriorityEvent): Promise<void> {
    if (!e?.conversationId) return;
    const who = e.visitor?.name || e.visitor?.email || this.i18n.t('inbox.alert.visitor');
    const alert: Alert = { conversationId: e.conversationId, who, rule: e.rule, text: e.lastMessage?.content ?? '' };
    this.alerts.update((list) => [alert, ...list.filter((a) => a.conversationId !== alert.conversationId)].slice(0, MAX_ALERTS));
    clearTimeout(this.timers.get(alert.conversationId));
    this.timers.set(alert.conversationId, setTimeout(() => this.dismiss(alert.conversationId), ALERT_MS));
    // Browser notification only when the agent wants it (checked at the time: preferences may change).
    const prefs = await this.api.preferences().catch(() => null);
    if (prefs?.browser.priority === false) return;
    this.notifications.notify(this.i18n.t('inbox.alert.title', { name: who }), alert.text || this.i18n.t('inbox.alert.rule', { rule: alert.rule }), `charla-priority-${alert.conversationId}`, () =>
      void this.router.navigate(['/inbox', alert.conversationId]),
    );
  }

  protected open(a: Alert): void {
    this.dismiss(a.conversationId);
    void this.router.navigate(['/inbox', a.conversationId]);
  }

  protected dismiss(conversationId: string): void {
    clearTimeout(this.timers.get(conversationId));
    this.timers.delete(conversationId);
    this.alerts.update((list) => list.filter((a) => a.conversationId !== conversationId));
  }
}
