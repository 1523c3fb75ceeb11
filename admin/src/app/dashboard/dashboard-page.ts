import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { TranslatePipe } from '../../sdk/i18n.service';
import { PluginHost } from '../../sdk/plugin-host';
import { SitesService } from '../../sdk/sites.service';
import { SlotOutlet } from '../../sdk/slot-outlet';

/** Cards contributed by plugins to `dashboard.cards`. */
@Component({
  selector: 'ch-dashboard-page',
  imports: [TranslatePipe, SlotOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <h1 class="page-title">{{ 'dashboard.title' | t }}</h1>
    @if (empty()) {
      <p class="muted">{{ 'dashboard.empty' | t }}</p>
    }
    <ch-slot class="card-grid" name="dashboard.cards" [inputs]="{ sites: sites.sites() }" [titles]="true" />
  `,
})
export class DashboardPage {
  protected readonly sites = inject(SitesService);
  private readonly host = inject(PluginHost);
  protected readonly empty = computed(() => this.host.contributions('dashboard.cards').length === 0);

  constructor() {
    void this.sites.load();
  }
}
