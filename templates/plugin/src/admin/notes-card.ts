import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { TranslatePipe } from '@charla/admin/sdk';
import { NotesApi } from './notes-api';

/** `dashboard.cards` contribution: how many notes the account has. */
@Component({
  selector: 'ch-__NAME__-notes-card',
  imports: [TranslatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'card stat-card' },
  template: `<p class="stat">{{ '__NAME__.count' | t: { n: api.notes().length } }}</p><a routerLink="/__NAME__">{{ '__NAME__.nav' | t }}</a>`,
})
export class NotesCard {
  protected readonly api = inject(NotesApi);

  constructor() {
    void this.api.load();
  }
}
