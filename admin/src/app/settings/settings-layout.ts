import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { TranslatePipe } from '../../sdk/i18n.service';
import { PluginHost } from '../../sdk/plugin-host';

@Component({
  selector: 'ch-settings-layout',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'settings' },
  template: `
    <nav class="subnav" [attr.aria-label]="'shell.settings' | t">
      <h1 class="subnav-title">{{ 'shell.settings' | t }}</h1>
      <a routerLink="account" routerLinkActive="active" ariaCurrentWhenActive="page">{{ 'settings.account.nav' | t }}</a>
      <a routerLink="team" routerLinkActive="active" ariaCurrentWhenActive="page">{{ 'settings.team.nav' | t }}</a>
      <a routerLink="sites" routerLinkActive="active" ariaCurrentWhenActive="page">{{ 'settings.sites.nav' | t }}</a>
      <a routerLink="plugins" routerLinkActive="active" ariaCurrentWhenActive="page">{{ 'settings.plugins.nav' | t }}</a>
      @if (auth.canManage()) {
        <a routerLink="api-keys" routerLinkActive="active" ariaCurrentWhenActive="page">{{ 'settings.apiKeys.nav' | t }}</a>
      }
      @for (page of host.settingsPages(); track page.id) {
        @if (!page.managersOnly || auth.canManage()) {
          <a [routerLink]="page.path" routerLinkActive="active" ariaCurrentWhenActive="page">{{ page.label | t }}</a>
        }
      }
    </nav>
    <div class="settings-body">
      <router-outlet />
    </div>
  `,
})
export class SettingsLayout {
  protected readonly auth = inject(AuthService);
  protected readonly host = inject(PluginHost);
}
