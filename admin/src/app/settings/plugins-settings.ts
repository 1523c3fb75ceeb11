import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { PluginHost } from '../../sdk/plugin-host';
import { problemText } from '../../sdk/problem';
import { type SettingsField, fromInput, settingsFields, toInput } from './settings-form';

interface PluginState {
  name: string;
  version: string;
  description: string | null;
  plan: string | null;
  required: boolean;
  available: boolean;
  enabled: boolean;
  settingsSchema: unknown;
  settings: Record<string, unknown>;
}

interface PluginView extends PluginState {
  fields: SettingsField[];
}

/** Settings → Plugins: what is installed, on/off for this account, and each plugin's settings form. */
@Component({
  selector: 'ch-plugins-settings',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 class="page-title">{{ 'settings.plugins.title' | t }}</h2>
    @if (error()) {
      <p class="alert alert-error" role="alert">{{ error() }}</p>
    }
    @for (p of plugins(); track p.name) {
      <section class="card" [attr.data-plugin]="p.name">
        <div class="row between wrap">
          <div>
            <h3>{{ p.name }} <span class="muted">{{ p.version }}</span></h3>
            @if (p.description) {
              <p class="muted">{{ p.description }}</p>
            }
          </div>
          <label class="check">
            <input
              type="checkbox"
              [checked]="p.enabled"
              [disabled]="p.required || !p.available || !auth.canManage()"
              (change)="toggle(p, $event)"
            />
            {{ 'settings.plugins.enabled' | t }}
          </label>
        </div>
        @if (p.required) {
          <p class="hint">{{ 'settings.plugins.required' | t }}</p>
        } @else if (!p.available) {
          <p class="hint">{{ 'settings.plugins.notInPlan' | t: { plan: p.plan ?? '' } }}</p>
        }
        @if (p.fields.length) {
          <form class="stack narrow" (submit)="save(p, $event)">
            @for (f of p.fields; track f.key) {
              @switch (f.kind) {
                @case ('boolean') {
                  <label class="check">
                    <input type="checkbox" [name]="f.key" [checked]="!!p.settings[f.key]" [disabled]="!auth.canManage()" />
                    {{ f.label }}
                  </label>
                }
                @case ('select') {
                  <div class="field">
                    <label [for]="p.name + '-' + f.key">{{ f.label }}</label>
                    <select [id]="p.name + '-' + f.key" [name]="f.key" [value]="value(f, p)" [disabled]="!auth.canManage()">
                      @for (o of f.options; track o) {
                        <option [value]="o">{{ o }}</option>
                      }
                    </select>
                  </div>
                }
                @case ('json') {
                  <div class="field">
                    <label [for]="p.name + '-' + f.key">{{ f.label }} (JSON)</label>
                    <textarea class="mono" rows="4" [id]="p.name + '-' + f.key" [name]="f.key" [value]="value(f, p)" [readOnly]="!auth.canManage()"></textarea>
                  </div>
                }
                @default {
                  <div class="field">
                    <label [for]="p.name + '-' + f.key">{{ f.label }}</label>
                    <input
                      [id]="p.name + '-' + f.key"
                      [name]="f.key"
                      [type]="f.kind === 'number' ? 'number' : 'text'"
                      [value]="value(f, p)"
                      [readOnly]="!auth.canManage()"
                      [attr.aria-describedby]="f.description ? p.name + '-' + f.key + '-d' : null"
                    />
                    @if (f.kind === 'list') {
                      <small class="hint">{{ 'settings.plugins.listHint' | t }}</small>
                    }
                  </div>
                }
              }
              @if (f.description && f.kind !== 'boolean') {
                <small class="hint" [id]="p.name + '-' + f.key + '-d'">{{ f.description }}</small>
              }
            }
            @if (auth.canManage()) {
              <div class="row">
                <button class="btn btn-primary" type="submit">{{ 'common.save' | t }}</button>
                <span role="status" class="muted">{{ status()[p.name] || '' }}</span>
              </div>
            }
          </form>
        }
      </section>
    } @empty {
      <p class="muted" role="status">{{ 'common.loading' | t }}</p>
    }
  `,
})
export class PluginsSettings {
  protected readonly auth = inject(AuthService);
  private readonly http = inject(HttpClient);
  private readonly i18n = inject(I18nService);
  private readonly host = inject(PluginHost);
  protected readonly plugins = signal<PluginView[]>([]);
  protected readonly status = signal<Record<string, string>>({});
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.load();
  }

  protected value(f: SettingsField, p: PluginView): string {
    return toInput(f, p.settings[f.key]);
  }

  private async load(): Promise<void> {
    try {
      const res = await firstValueFrom(this.http.get<{ plugins: PluginState[] }>('/api/v1/plugins'));
      this.plugins.set(res.plugins.map((p) => ({ ...p, fields: settingsFields(p.settingsSchema) })));
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    }
  }

  private replace(updated: PluginState): void {
    this.plugins.update((l) => l.map((p) => (p.name === updated.name ? { ...updated, fields: settingsFields(updated.settingsSchema) } : p)));
  }

  protected async toggle(p: PluginView, event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    try {
      this.replace(await firstValueFrom(this.http.patch<PluginState>(`/api/v1/plugins/${encodeURIComponent(p.name)}`, { enabled: input.checked })));
      await this.host.refreshAccountState();
    } catch (err) {
      input.checked = p.enabled;
      this.error.set(problemText(err, this.i18n.t('errors.generic')));
    }
  }

  protected async save(p: PluginView, event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const settings: Record<string, unknown> = {};
    try {
      for (const f of p.fields) {
        const el = form.elements.namedItem(f.key) as HTMLInputElement | null;
        if (!el) continue;
        const v = fromInput(f, f.kind === 'boolean' ? el.checked : el.value);
        if (v !== undefined) settings[f.key] = v;
      }
      this.replace(await firstValueFrom(this.http.patch<PluginState>(`/api/v1/plugins/${encodeURIComponent(p.name)}`, { settings })));
      this.status.update((s) => ({ ...s, [p.name]: this.i18n.t('common.saved') }));
    } catch (err) {
      this.status.update((s) => ({ ...s, [p.name]: err instanceof Error && !('status' in err) ? err.message : problemText(err, this.i18n.t('errors.generic')) }));
    }
  }
}
