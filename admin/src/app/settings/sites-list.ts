import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { problemText } from '../../sdk/problem';
import { SitesService } from '../../sdk/sites.service';
import { ListNav } from '../../sdk/ui/list-nav';
import { formValues } from '../auth/auth-card';

@Component({
  selector: 'ch-sites-list',
  imports: [TranslatePipe, RouterLink, ListNav],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (welcome()) {
      <p class="alert alert-success" role="status">{{ 'settings.sites.welcome' | t }}</p>
    }
    <section class="card">
      <h2>{{ 'settings.sites.title' | t }}</h2>
      @if (sites.loaded() && sites.sites().length === 0) {
        <p class="muted">{{ 'settings.sites.empty' | t }}</p>
      }
      <ul class="plain-list link-list" chListNav>
        @for (s of sites.sites(); track s.id) {
          <li>
            <a [routerLink]="[s.id]" data-nav-item>
              <strong>{{ s.name }}</strong>
              <span class="muted">{{ s.domain || ('settings.sites.anyDomain' | t) }} · {{ s.appId }}</span>
            </a>
          </li>
        }
      </ul>
    </section>
    @if (auth.canManage()) {
      <section class="card">
        <h2>{{ 'settings.sites.create' | t }}</h2>
        <form class="row wrap align-end" (submit)="create($event)">
          <div class="field grow">
            <label for="site-name">{{ 'settings.sites.name' | t }}</label>
            <input id="site-name" name="name" required maxlength="120" />
          </div>
          <div class="field grow">
            <label for="site-domain">{{ 'settings.sites.domain' | t }}</label>
            <input id="site-domain" name="domain" placeholder="example.com" aria-describedby="site-domain-hint" />
          </div>
          <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'settings.sites.createSubmit' | t }}</button>
        </form>
        <small id="site-domain-hint" class="hint">{{ 'settings.sites.domainHint' | t }}</small>
        @if (error()) {
          <p class="alert alert-error" role="alert">{{ error() }}</p>
        }
      </section>
    }
  `,
})
export class SitesList {
  protected readonly sites = inject(SitesService);
  protected readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18nService);
  readonly welcome = input<string>();
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.sites.load(true);
  }

  protected async create(event: Event): Promise<void> {
    const v = formValues(event);
    this.busy.set(true);
    this.error.set(null);
    try {
      const domain = v['domain'].trim();
      const site = await this.sites.create({ name: v['name'].trim(), ...(domain ? { domain } : {}) });
      await this.router.navigate(['/settings/sites', site.id]);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }
}
