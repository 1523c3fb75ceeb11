import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../sdk/auth.service';
import { DatePipe } from '../../sdk/format';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import type { ApiKey, ApiKeyScope } from '../../sdk/models';
import { CopyButton } from '../../sdk/ui/copy-button';
import { StatusLine } from './status-line';

/** Every scope, checked both ways against the generated `ApiKeyScope` (a new scope fails to compile until listed). */
const SCOPES = Object.keys({
  'conversations:read': true, 'conversations:write': true, 'contacts:read': true, 'contacts:write': true, 'events:write': true, 'webhooks:write': true,
} satisfies Record<ApiKeyScope, true>) as ApiKeyScope[];

/** Settings → API keys (API-features.md "Webhooks and API keys"): the key is shown once, at creation. */
@Component({
  selector: 'ch-api-keys-settings',
  imports: [TranslatePipe, DatePipe, CopyButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>{{ 'settings.apiKeys.title' | t }}</h2>
      <p class="muted">{{ 'settings.apiKeys.help' | t }}</p>
      @if (status.text()) {
        <p role="status" class="alert" [class.alert-error]="status.isError()">{{ status.text() }}</p>
      }
      @if (created(); as c) {
        <div class="alert" data-testid="new-api-key">
          <p><strong>{{ 'settings.apiKeys.once' | t: { name: c.name } }}</strong></p>
          <p class="row wrap"><code data-testid="new-api-key-value">{{ c.key }}</code> <ch-copy-button [text]="c.key" /></p>
          <button type="button" class="btn btn-secondary btn-sm" (click)="created.set(null)">{{ 'settings.apiKeys.done' | t }}</button>
        </div>
      }
      @if (keys().length === 0) {
        <p class="muted">{{ 'settings.apiKeys.none' | t }}</p>
      } @else {
        <table class="table">
          <caption class="visually-hidden">{{ 'settings.apiKeys.title' | t }}</caption>
          <thead>
            <tr>
              <th scope="col">{{ 'auth.name' | t }}</th>
              <th scope="col">{{ 'settings.apiKeys.scopes' | t }}</th>
              <th scope="col">{{ 'settings.apiKeys.created' | t }}</th>
              <th scope="col">{{ 'settings.apiKeys.lastUsed' | t }}</th>
              <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
            </tr>
          </thead>
          <tbody>
            @for (k of keys(); track k.id) {
              <tr [attr.data-api-key]="k.name">
                <td>{{ k.name }} <code class="muted">{{ k.prefix }}…</code></td>
                <td>{{ k.scopes.join(', ') }}</td>
                <td>{{ k.createdAt | chDate }}</td>
                <td data-field="lastUsed">{{ k.lastUsedAt ? (k.lastUsedAt | chDate: 'relative') : ('settings.apiKeys.never' | t) }}</td>
                <td class="actions">
                  <button type="button" class="btn btn-danger btn-sm" (click)="revoke(k)">
                    {{ 'settings.apiKeys.revoke' | t }}<span class="visually-hidden"> {{ k.name }}</span>
                  </button>
                </td>
              </tr>
            }
          </tbody>
        </table>
      }
    </section>

    <section class="card">
      <h2>{{ 'settings.apiKeys.create' | t }}</h2>
      <form (submit)="create($event)">
        <div class="field">
          <label for="api-key-name">{{ 'auth.name' | t }}</label>
          <input id="api-key-name" name="name" required maxlength="200" autocomplete="off" />
        </div>
        <fieldset class="fieldset">
          <legend>{{ 'settings.apiKeys.scopes' | t }}</legend>
          @for (s of scopes; track s) {
            <label class="row"><input type="checkbox" name="scope" [value]="s" /> <code>{{ s }}</code></label>
          }
        </fieldset>
        <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'settings.apiKeys.create' | t }}</button>
      </form>
    </section>
  `,
})
export class ApiKeysSettings {
  protected readonly auth = inject(AuthService);
  private readonly http = inject(HttpClient);
  private readonly i18n = inject(I18nService);
  protected readonly scopes = SCOPES;
  protected readonly keys = signal<ApiKey[]>([]);
  protected readonly created = signal<(ApiKey & { key: string }) | null>(null);
  protected readonly busy = signal(false);
  protected readonly status = new StatusLine(this.i18n);

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.keys.set((await firstValueFrom(this.http.get<{ apiKeys: ApiKey[] }>('/api/v1/api-keys'))).apiKeys);
    } catch (err) {
      this.status.fail(err);
    }
  }

  protected async create(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const scopes = data.getAll('scope').map(String);
    if (!scopes.length) {
      this.status.say(this.i18n.t('settings.apiKeys.pickScope'), true);
      return;
    }
    this.busy.set(true);
    try {
      const key = await firstValueFrom(this.http.post<ApiKey & { key: string }>('/api/v1/api-keys', { name, scopes }));
      form.reset();
      this.status.say('');
      this.created.set(key);
      await this.load();
    } catch (err) {
      this.status.fail(err);
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(k: ApiKey): Promise<void> {
    if (!confirm(this.i18n.t('settings.apiKeys.confirmRevoke', { name: k.name }))) return;
    try {
      await firstValueFrom(this.http.delete(`/api/v1/api-keys/${encodeURIComponent(k.id)}`));
      this.keys.update((l) => l.filter((x) => x.id !== k.id));
      if (this.created()?.id === k.id) this.created.set(null);
      this.status.say(this.i18n.t('settings.apiKeys.revoked', { name: k.name }));
    } catch (err) {
      this.status.fail(err);
    }
  }
}
