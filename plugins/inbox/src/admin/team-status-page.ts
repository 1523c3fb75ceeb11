import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { AuthService, I18nService, RealtimeService, TranslatePipe, visitorDisplayName } from '@charla/admin/sdk';
import { filter } from 'rxjs';
import { InboxApi, type PresenceBoard } from './inbox-api';
import { InboxMyStatus } from './my-status';

/** Events after which the board is read again (debounced). */
const BOARD_EVENTS = new Set([
  'inbox:agent-status',
  'inbox:dashboard',
  'visitor:online',
  'visitor:offline',
  'visitor:updated',
  'conversation:created',
  'conversation:updated',
]);
const REFRESH_DELAY_MS = 300;

/** The presence board (route `team-status`): agents and visitors online now, live; my own status. */
@Component({
  selector: 'ch-inbox-team-status',
  imports: [TranslatePipe, InboxMyStatus],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack narrow-wide">
      <h1 class="page-title">{{ 'inbox.board.title' | t }}</h1>
      <section class="card">
        <ch-inbox-my-status (changed)="refresh()" />
      </section>
      @if (error()) {
        <p class="alert alert-error" role="alert">{{ 'inbox.board.error' | t }}</p>
      }
      <section class="card">
        <h2>{{ 'inbox.board.agents' | t }}</h2>
        <table class="table" data-testid="inbox-agents">
          <thead>
            <tr>
              <th scope="col">{{ 'inbox.board.agent' | t }}</th>
              <th scope="col">{{ 'inbox.board.presence' | t }}</th>
              <th scope="col">{{ 'inbox.board.open' | t }}</th>
            </tr>
          </thead>
          <tbody>
            @for (a of board()?.agents ?? []; track a.userId) {
              <tr [attr.data-agent]="a.email" [attr.data-presence]="a.presence">
                <td>{{ a.name }} <span class="muted">{{ a.email }}</span></td>
                <td><span class="status-pill" [attr.data-status]="a.presence">{{ 'inbox.presence.' + a.presence | t }}</span></td>
                <td>{{ a.openCount }} / {{ a.capacity }}</td>
              </tr>
            }
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>{{ 'inbox.board.visitors' | t }}</h2>
        @for (s of board()?.sites ?? []; track s.id) {
          <h3 [attr.data-site]="s.id">{{ s.name }} · <span data-testid="site-visitors-online">{{ 'inbox.board.online' | t: { n: s.visitorsOnline } }}</span></h3>
          @if (s.visitors.length) {
            <ul class="plain-list" [attr.aria-label]="s.name">
              @for (v of s.visitors; track v.id) {
                <li [attr.data-visitor]="v.id">
                  <strong>{{ visitorName(v) }}</strong>
                  @if (v.currentUrl) {
                    — <span class="current-url" [attr.title]="v.currentTitle ?? ''">{{ v.currentUrl }}</span>
                  }
                </li>
              }
            </ul>
          } @else {
            <p class="muted">{{ 'inbox.board.noVisitors' | t }}</p>
          }
        } @empty {
          <p class="muted">{{ 'inbox.board.noSites' | t }}</p>
        }
      </section>
    </div>
  `,
})
export class InboxTeamStatusPage {
  private readonly api = inject(InboxApi);
  private readonly i18n = inject(I18nService);
  protected readonly board = signal<PresenceBoard | null>(null);
  protected readonly error = signal(false);
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    const realtime = inject(RealtimeService);
    const accountId = inject(AuthService).account()?.id;
    void this.load();
    if (accountId) {
      const channel = `account:${accountId}`;
      realtime
        .channel(channel)
        .pipe(filter((e) => BOARD_EVENTS.has(e.event)), takeUntilDestroyed())
        .subscribe(() => this.refresh());
      // Catch up on what changed between the first GET and the channel going live, and after a reconnect.
      realtime.subscribed$.pipe(filter((c) => c === channel), takeUntilDestroyed()).subscribe(() => this.refresh());
    }
    inject(DestroyRef).onDestroy(() => {
      if (this.timer) clearTimeout(this.timer);
    });
  }

  /** Reads the board again soon (several events in a burst make one request). */
  refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, REFRESH_DELAY_MS);
  }

  /** The same friendly name as in the inbox (anonymous visitors get one from their id). */
  protected visitorName(v: { id: string; name?: string | null; email?: string | null }): string {
    return visitorDisplayName(v, this.i18n.locale());
  }

  private async load(): Promise<void> {
    try {
      this.board.set(await this.api.presence());
      this.error.set(false);
    } catch {
      this.error.set(true);
    }
  }
}
