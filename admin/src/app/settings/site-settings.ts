import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal, resource, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import type { OfficeHours, OfficeHoursDay, Site, WidgetLook } from '../../sdk/models';
import { problemText } from '../../sdk/problem';
import { SitesService } from '../../sdk/sites.service';
import { CopyButton } from '../../sdk/ui/copy-button';
import { RealWidgetPreview } from './real-widget-preview';
import { DEFAULT_LOOK } from './widget-preview';

type LookField = 'primaryColor' | 'backgroundColor' | 'textColor' | 'logoUrl' | 'greeting' | 'position';

const DAY_ORDER = [1, 2, 3, 4, 5, 6, 0];

function defaultTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function defaultOfficeHours(): OfficeHours {
  return {
    timezone: defaultTimezone(),
    days: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
  };
}

@Component({
  selector: 'ch-site-settings',
  imports: [TranslatePipe, RouterLink, CopyButton, RealWidgetPreview],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p><a routerLink="/settings/sites">← {{ 'settings.sites.title' | t }}</a></p>
    @if (site.error()) {
      <p class="alert alert-error" role="alert">{{ 'settings.sites.notFound' | t }}</p>
    } @else if (site.value(); as s) {
      <section class="card">
        <h2>{{ s.name }}</h2>
        <form class="row wrap align-end" (submit)="saveGeneral($event)">
          <div class="field grow">
            <label for="site-edit-name">{{ 'settings.sites.name' | t }}</label>
            <input id="site-edit-name" name="name" required maxlength="120" [value]="s.name" [readOnly]="!canManage()" />
          </div>
          <div class="field grow">
            <label for="site-edit-domain">{{ 'settings.sites.domain' | t }}</label>
            <input id="site-edit-domain" name="domain" [value]="s.domain ?? ''" placeholder="example.com" [readOnly]="!canManage()" />
          </div>
          @if (canManage()) {
            <button class="btn btn-secondary" type="submit">{{ 'common.save' | t }}</button>
          }
        </form>
        @if (!s.domain) {
          <p class="alert alert-warning" role="note">{{ 'settings.sites.noDomainWarning' | t }}</p>
        }
        <p class="muted">App ID: <code data-testid="app-id">{{ s.appId }}</code></p>
      </section>

      <section class="card">
        <h2>{{ 'settings.sites.install' | t }}</h2>
        <p class="muted">{{ 'settings.sites.installHelp' | t }}</p>
        <pre class="snippet" data-testid="snippet" tabindex="0" [attr.aria-label]="'settings.sites.snippet' | t">{{ s.snippet }}</pre>
        <div class="row wrap">
          <ch-copy-button [text]="s.snippet ?? ''" label="settings.sites.copySnippet" />
          <a class="btn" [href]="'/demo?appId=' + s.appId" target="_blank" rel="noopener" data-testid="demo-link">{{ 'settings.sites.tryDemo' | t }}</a>
        </div>
      </section>

      <section class="card">
        <h2>{{ 'settings.widget.title' | t }}</h2>
        <div class="widget-editor">
          <div class="stack">
            <div class="row wrap">
              @for (f of colorFields; track f.key) {
                <div class="field color-field">
                  <label [for]="'look-' + f.key">{{ f.label | t }}</label>
                  <div class="row">
                    <input type="color" [id]="'look-' + f.key" [value]="colorOf(f.key)" (input)="setLook(f.key, $event)" [disabled]="!canManage()" />
                    <input class="color-text" [attr.aria-label]="(f.label | t) + ' (hex)'" [value]="colorOf(f.key)" (change)="setLook(f.key, $event)" maxlength="7" [readOnly]="!canManage()" />
                  </div>
                </div>
              }
            </div>
            <div class="field">
              <label for="look-logo">{{ 'settings.widget.logoUrl' | t }}</label>
              <input id="look-logo" type="url" placeholder="https://…" [value]="draft().logoUrl ?? ''" (input)="setLook('logoUrl', $event)" [readOnly]="!canManage()" />
            </div>
            <div class="field">
              <label for="look-greeting">{{ 'settings.widget.greeting' | t }}</label>
              <textarea id="look-greeting" rows="2" maxlength="500" [value]="draft().greeting ?? ''" (input)="setLook('greeting', $event)" [readOnly]="!canManage()"></textarea>
            </div>
            <div class="field">
              <label for="look-position">{{ 'settings.widget.position' | t }}</label>
              <select id="look-position" [value]="draft().position || 'right'" (change)="setLook('position', $event)" [disabled]="!canManage()">
                <option value="right">{{ 'settings.widget.right' | t }}</option>
                <option value="left">{{ 'settings.widget.left' | t }}</option>
              </select>
            </div>

            <fieldset class="fieldset">
              <legend>{{ 'settings.hours.title' | t }}</legend>
              <label class="check">
                <input type="checkbox" [checked]="!!draft().officeHours" (change)="toggleHours($event)" [disabled]="!canManage()" />
                {{ 'settings.hours.enable' | t }}
              </label>
              @if (draft().officeHours; as hours) {
                <div class="field">
                  <label for="hours-tz">{{ 'settings.hours.timezone' | t }}</label>
                  <input id="hours-tz" [value]="hours.timezone" (change)="setTimezone($event)" [readOnly]="!canManage()" />
                </div>
                <table class="table compact">
                  <caption class="visually-hidden">{{ 'settings.hours.title' | t }}</caption>
                  <tbody>
                    @for (d of dayOrder; track d) {
                      <tr>
                        <th scope="row">
                          <label class="check">
                            <input type="checkbox" [checked]="!!dayOf(hours, d)" (change)="toggleDay(d, $event)" [disabled]="!canManage()" />
                            {{ 'days.' + d | t }}
                          </label>
                        </th>
                        <td>
                          @if (dayOf(hours, d); as day) {
                            <label class="visually-hidden" [for]="'open-' + d">{{ 'settings.hours.opens' | t: { day: ('days.' + d | t) } }}</label>
                            <input type="time" [id]="'open-' + d" [value]="day.open" (change)="setDayTime(d, 'open', $event)" [readOnly]="!canManage()" />
                            –
                            <label class="visually-hidden" [for]="'close-' + d">{{ 'settings.hours.closes' | t: { day: ('days.' + d | t) } }}</label>
                            <input type="time" [id]="'close-' + d" [value]="day.close" (change)="setDayTime(d, 'close', $event)" [readOnly]="!canManage()" />
                          } @else {
                            <span class="muted">{{ 'settings.hours.closed' | t }}</span>
                          }
                        </td>
                      </tr>
                    }
                  </tbody>
                </table>
              }
            </fieldset>
            @if (canManage()) {
              <div class="row">
                <button type="button" class="btn btn-primary" (click)="saveLook()" [disabled]="busy() || !dirty()">{{ 'settings.widget.save' | t }}</button>
                <span role="status" class="muted">{{ lookStatus() }}</span>
              </div>
            }
          </div>
          <div class="preview-col">
            <h3 class="visually-hidden">{{ 'settings.widget.preview' | t }}</h3>
            <ch-real-widget-preview [look]="draft()" [siteName]="s.name" />
          </div>
        </div>
      </section>

      <section class="card">
        <h2>{{ 'settings.identity.title' | t }}</h2>
        <p class="muted">{{ 'settings.identity.help' | t }}</p>
        <label class="check">
          <input type="checkbox" [checked]="!!s.identityVerification?.required" (change)="toggleIdentity($event)" [disabled]="!canManage()" />
          {{ 'settings.identity.required' | t }}
        </label>
        @if (s.identityVerification?.secret; as secret) {
          <div class="field">
            <label for="identity-secret">{{ 'settings.identity.secret' | t }}</label>
            <div class="row">
              <input id="identity-secret" class="grow mono" [type]="showSecret() ? 'text' : 'password'" [value]="secret" readonly />
              <button type="button" class="btn btn-secondary btn-sm" (click)="showSecret.set(!showSecret())" [attr.aria-pressed]="showSecret()">
                {{ (showSecret() ? 'common.hide' : 'common.show') | t }}
              </button>
              <ch-copy-button [text]="secret" label="settings.identity.copy" />
            </div>
          </div>
        }
        <span role="status" class="muted">{{ identityStatus() }}</span>
      </section>

      @if (canManage()) {
        <section class="card danger-zone">
          <h2>{{ 'settings.sites.danger' | t }}</h2>
          <button type="button" class="btn btn-danger" (click)="remove(s)">{{ 'settings.sites.delete' | t }}</button>
        </section>
      }
    } @else {
      <p class="muted" role="status">{{ 'common.loading' | t }}</p>
    }
  `,
})
export class SiteSettings {
  private readonly sites = inject(SitesService);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly i18n = inject(I18nService);
  /** Route parameter. */
  readonly id = input.required<string>();

  protected readonly colorFields: { key: 'primaryColor' | 'backgroundColor' | 'textColor'; label: string }[] = [
    { key: 'primaryColor', label: 'settings.widget.primaryColor' },
    { key: 'backgroundColor', label: 'settings.widget.backgroundColor' },
    { key: 'textColor', label: 'settings.widget.textColor' },
  ];
  protected readonly dayOrder = DAY_ORDER;
  protected readonly canManage = this.auth.canManage;
  protected readonly busy = signal(false);
  protected readonly showSecret = signal(false);
  protected readonly lookStatus = signal('');
  protected readonly identityStatus = signal('');

  protected readonly site = resource({
    params: () => this.id(),
    loader: ({ params }) => this.sites.get(params),
  });

  /** The widget look being edited; resets whenever the loaded site changes. */
  protected readonly draft = linkedSignal<WidgetLook>(() => ({ ...(this.site.value()?.widget ?? {}) }));
  protected readonly dirty = computed(() => JSON.stringify(this.draft()) !== JSON.stringify(this.site.value()?.widget ?? {}));

  protected colorOf(key: 'primaryColor' | 'backgroundColor' | 'textColor'): string {
    return this.draft()[key] || DEFAULT_LOOK[key];
  }

  protected setLook(key: LookField, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    if ((key === 'primaryColor' || key === 'backgroundColor' || key === 'textColor') && !/^#[0-9a-fA-F]{6}$/.test(value)) return;
    this.draft.update((d) => ({ ...d, [key]: key === 'logoUrl' && !value ? null : value }));
  }

  protected toggleHours(event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    this.draft.update((d) => ({ ...d, officeHours: on ? defaultOfficeHours() : null }));
  }

  protected setTimezone(event: Event): void {
    const timezone = (event.target as HTMLInputElement).value.trim();
    this.draft.update((d) => (d.officeHours ? { ...d, officeHours: { ...d.officeHours, timezone } } : d));
  }

  protected dayOf(hours: OfficeHours, day: number): OfficeHoursDay | undefined {
    return hours.days.find((d) => d.day === day);
  }

  protected toggleDay(day: number, event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    this.draft.update((d) => {
      if (!d.officeHours) return d;
      const days = d.officeHours.days.filter((x) => x.day !== day);
      if (on) days.push({ day, open: '09:00', close: '18:00' });
      days.sort((a, b) => DAY_ORDER.indexOf(a.day) - DAY_ORDER.indexOf(b.day));
      return { ...d, officeHours: { ...d.officeHours, days } };
    });
  }

  protected setDayTime(day: number, which: 'open' | 'close', event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    if (!/^\d{2}:\d{2}$/.test(value)) return;
    this.draft.update((d) =>
      d.officeHours
        ? { ...d, officeHours: { ...d.officeHours, days: d.officeHours.days.map((x) => (x.day === day ? { ...x, [which]: value } : x)) } }
        : d,
    );
  }

  protected async saveGeneral(event: Event): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    const domain = String(data.get('domain') ?? '').trim();
    await this.patch({ name, domain: domain || null }, this.lookStatus);
  }

  protected async saveLook(): Promise<void> {
    const d = this.draft();
    const widget: WidgetLook = {
      primaryColor: d.primaryColor || DEFAULT_LOOK.primaryColor,
      backgroundColor: d.backgroundColor || DEFAULT_LOOK.backgroundColor,
      textColor: d.textColor || DEFAULT_LOOK.textColor,
      logoUrl: d.logoUrl || null,
      greeting: d.greeting ?? '',
      position: d.position || 'right',
      officeHours: d.officeHours ?? null,
    };
    await this.patch({ widget }, this.lookStatus);
  }

  protected async toggleIdentity(event: Event): Promise<void> {
    const required = (event.target as HTMLInputElement).checked;
    await this.patch({ identityVerification: { required } }, this.identityStatus);
  }

  private async patch(body: Record<string, unknown>, status: ReturnType<typeof signal<string>>): Promise<void> {
    this.busy.set(true);
    try {
      const updated: Site = await this.sites.update(this.id(), body);
      this.site.set(updated);
      status.set(this.i18n.t('common.saved'));
    } catch (err) {
      status.set(problemText(err, this.i18n.t('errors.generic')));
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(site: Site): Promise<void> {
    if (!confirm(this.i18n.t('settings.sites.confirmDelete', { name: site.name }))) return;
    try {
      await this.sites.remove(site.id);
      await this.router.navigateByUrl('/settings/sites');
    } catch (err) {
      this.identityStatus.set(problemText(err, this.i18n.t('errors.generic')));
    }
  }
}
