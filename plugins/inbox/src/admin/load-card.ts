import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { AuthService, RealtimeService, TranslatePipe, type RealtimeEvent } from '@charla/admin/sdk';
import { filter } from 'rxjs';
import { InboxApi, type DashboardFigures } from './inbox-api';

/** `dashboard.cards` contribution: the account's live load (GET once, then `inbox:dashboard`). */
@Component({
  selector: 'ch-inbox-load-card',
  imports: [TranslatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'card stat-card', 'data-testid': 'inbox-load-card' },
  template: `
    @if (figures(); as f) {
      <dl class="facts inbox-figures">
        <dt>{{ 'inbox.load.visitors' | t }}</dt>
        <dd><span class="stat-number" data-figure="visitorsOnline">{{ f.visitorsOnline }}</span></dd>
        <dt>{{ 'inbox.load.active' | t }}</dt>
        <dd><span class="stat-number" data-figure="activeConversations">{{ f.activeConversations }}</span></dd>
        <dt>{{ 'inbox.load.agents' | t }}</dt>
        <dd>
          <span data-figure="agentsAvailable">{{ 'inbox.load.available' | t: { n: f.agentsAvailable } }}</span> ·
          <span data-figure="agentsBusy">{{ 'inbox.load.busy' | t: { n: f.agentsBusy } }}</span> ·
          <span data-figure="agentsAway">{{ 'inbox.load.away' | t: { n: f.agentsAway } }}</span>
        </dd>
        <dt>{{ 'inbox.load.queue' | t }}</dt>
        <dd><span class="stat-number" data-figure="queueLength">{{ f.queueLength }}</span></dd>
        <dt>{{ 'inbox.load.sla' | t }}</dt>
        <dd>
          <span data-figure="slaAtRisk">{{ 'inbox.load.atRisk' | t: { n: f.slaAtRisk } }}</span> ·
          <span data-figure="slaBreachedToday">{{ 'inbox.load.breachedToday' | t: { n: f.slaBreachedToday } }}</span>
        </dd>
      </dl>
      <a routerLink="/team-status">{{ 'inbox.load.board' | t }}</a>
    } @else if (error()) {
      <p class="alert alert-error" role="alert">{{ 'inbox.load.error' | t }}</p>
    } @else {
      <p class="muted" role="status">{{ 'common.loading' | t }}</p>
    }
  `,
})
export class InboxLoadCard {
  private readonly api = inject(InboxApi);
  protected readonly figures = signal<DashboardFigures | null>(null);
  protected readonly error = signal(false);

  constructor() {
    const auth = inject(AuthService);
    const realtime = inject(RealtimeService);
    void this.load();
    const accountId = auth.account()?.id;
    if (accountId) {
      const channel = `account:${accountId}`;
      realtime
        .channel(channel)
        .pipe(filter((e: RealtimeEvent) => e.event === 'inbox:dashboard'), takeUntilDestroyed())
        .subscribe((e) => this.figures.set(e.data as unknown as DashboardFigures));
      // The first GET may answer before the channel is live (a push in between would be
      // lost): load again once the server acknowledged it, and after every reconnect.
      realtime.subscribed$.pipe(filter((c) => c === channel), takeUntilDestroyed()).subscribe(() => void this.load());
    }
  }

  private async load(): Promise<void> {
    try {
      const fresh = await this.api.dashboard();
      // A live push newer than this answer wins.
      const current = this.figures();
      if (!current?.at || !fresh.at || fresh.at >= current.at) this.figures.set(fresh);
      this.error.set(false);
    } catch {
      this.error.set(true);
    }
  }
}
