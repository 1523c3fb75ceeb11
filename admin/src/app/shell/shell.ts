import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NgComponentOutlet } from '@angular/common';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import type { Locale } from '../../plugin-api';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { PluginHost } from '../../sdk/plugin-host';
import { RealtimeService } from '../../sdk/realtime.service';
import { Avatar } from '../../sdk/ui/avatar';
import { Icon } from './icon';

/** The signed-in layout: navigation (shell + plugins), the realtime connection and its banner. */
@Component({
  selector: 'ch-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NgComponentOutlet, TranslatePipe, Icon, Avatar],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'shell' },
  template: `
    <a class="skip-link" href="#main">{{ 'shell.skip' | t }}</a>
    <nav class="rail" [attr.aria-label]="'shell.nav' | t">
      <div class="brand" aria-hidden="true"><span class="brand-mark"></span></div>
      <ul class="rail-items">
        @for (item of host.nav(); track item.id) {
          <li>
            <a [routerLink]="['/', item.path]" routerLinkActive="active" ariaCurrentWhenActive="page" [attr.data-nav]="item.id" [attr.title]="item.label | t">
              <ch-icon [name]="item.icon" />
              <span>{{ item.label | t }}</span>
            </a>
          </li>
        }
        <li>
          <a routerLink="/dashboard" routerLinkActive="active" ariaCurrentWhenActive="page" data-nav="dashboard" [attr.title]="'dashboard.title' | t">
            <ch-icon name="chart" />
            <span>{{ 'dashboard.title' | t }}</span>
          </a>
        </li>
        <li>
          <a routerLink="/settings" routerLinkActive="active" ariaCurrentWhenActive="page" [attr.title]="'shell.settings' | t">
            <ch-icon name="settings" />
            <span>{{ 'shell.settings' | t }}</span>
          </a>
        </li>
      </ul>
      <div class="rail-bottom">
        <label for="shell-locale" class="visually-hidden">{{ 'shell.language' | t }}</label>
        <select id="shell-locale" class="select-sm" [value]="i18n.locale()" (change)="setLocale($event)">
          <option value="en">EN</option>
          <option value="es">ES</option>
        </select>
        <ch-avatar [name]="auth.user()?.name" [id]="auth.user()?.id ?? ''" [attr.title]="auth.user()?.name" />
        <button type="button" class="btn-icon" (click)="logout()" [attr.aria-label]="'shell.logout' | t" [attr.title]="'shell.logout' | t">
          <ch-icon name="logout" />
        </button>
      </div>
    </nav>
    <div class="shell-main">
      @if (realtime.degraded()) {
        <div class="banner banner-warning" role="status" aria-live="polite" data-testid="reconnecting">
          {{ 'shell.reconnecting' | t }}
        </div>
      }
      <main id="main" tabindex="-1" class="shell-content">
        <router-outlet />
      </main>
    </div>
    @for (part of host.background(); track part) {
      <ng-container *ngComponentOutlet="part" />
    }
  `,
})
export class Shell {
  protected readonly auth = inject(AuthService);
  protected readonly i18n = inject(I18nService);
  protected readonly host = inject(PluginHost);
  protected readonly realtime = inject(RealtimeService);

  constructor() {
    this.realtime.connect();
    void this.host.refreshAccountState();
    const off = this.auth.onLogout(() => this.realtime.disconnect());
    this.realtime.unauthorized$.pipe(takeUntilDestroyed()).subscribe(() => void this.auth.recheck());
    inject(DestroyRef).onDestroy(() => {
      off();
      this.realtime.disconnect();
    });
  }

  protected setLocale(event: Event): void {
    this.i18n.setLocale((event.target as HTMLSelectElement).value as Locale);
  }

  protected logout(): void {
    void this.auth.logout();
  }
}
