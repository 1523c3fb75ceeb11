import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslatePipe } from '@charla/admin/sdk';
import { InboxStore } from './inbox-store';

/** `dashboard.cards` contribution: open and pending conversation counts. */
@Component({
  selector: 'ch-open-conversations-card',
  imports: [TranslatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'card stat-card' },
  template: `
    <p class="stat">
      <span class="stat-number">{{ store.counts().open?.n ?? '…' }}</span> {{ 'conversations.status.open' | t }}
      · <span class="stat-number">{{ store.counts().pending?.n ?? '…' }}</span> {{ 'conversations.status.pending' | t }}
    </p>
    <a routerLink="/inbox">{{ 'conversations.card.go' | t }}</a>
  `,
})
export class OpenConversationsCard {
  protected readonly store = inject(InboxStore);

  constructor() {
    void this.store.refreshCounts();
  }
}
