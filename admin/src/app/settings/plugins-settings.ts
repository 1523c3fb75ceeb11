import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../sdk/auth.service';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import { PluginHost } from '../../sdk/plugin-host';
import { problemText } from '../../sdk/problem';
import { type RowColumn, type SettingsField, fromInput, fromRows, settingsFields, toInput, toRows } from './settings-form';

interface PluginState {
  name: string;
  version: string;
  description: string | null;
  plan: string | null;
  required: boolean;
  available: boolean;
  enabled: boolean;
  settingsSchema: unknown;
  /** Owners and admins only: agents get none. */
  settings?: Record<string, unknown>;
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
              @let id = p.name + '-' + f.key;
              @let help = helpOf(p, f);
              @switch (f.kind) {
                @case ('boolean') {
                  <label class="switch" [attr.data-setting]="f.key">
                    <input type="checkbox" role="switch" [id]="id" [name]="f.key" [checked]="!!p.settings?.[f.key]" [disabled]="!auth.canManage()"
                      [attr.aria-describedby]="help ? id + '-d' : null" />
                    <span class="switch-track" aria-hidden="true"></span>
                    <span>{{ labelOf(p, f) }}</span>
                  </label>
                }
                @case ('select') {
                  <div class="field" [attr.data-setting]="f.key">
                    <label [for]="id">{{ labelOf(p, f) }}</label>
                    <select [id]="id" [name]="f.key" [disabled]="!auth.canManage()" [attr.aria-describedby]="help ? id + '-d' : null">
                      @for (o of f.options; track o) {
                        <option [value]="o" [selected]="value(f, p) === o">{{ optionOf(p, f, o) }}</option>
                      }
                    </select>
                  </div>
                }
                @case ('rows') {
                  <fieldset class="rows-field" [attr.data-setting]="f.key" [attr.aria-describedby]="help ? id + '-d' : null">
                    <legend>{{ labelOf(p, f) }}</legend>
                    @for (r of rowsOf(p, f); track $index; let i = $index) {
                      <div class="row wrap rows-row">
                        @for (c of f.columns; track c.key) {
                          <div class="field inline">
                            <label [for]="id + '-' + i + '-' + c.key">{{ columnOf(p, f, c) }}</label>
                            <input type="text" [id]="id + '-' + i + '-' + c.key" [value]="r[c.key] || ''" (input)="setCell(p, f, i, c.key, $event)" [readOnly]="!auth.canManage()" />
                          </div>
                        }
                        @if (auth.canManage()) {
                          <button type="button" class="btn btn-secondary btn-sm" (click)="removeRow(p, f, i)">{{ 'settings.plugins.removeRow' | t }}</button>
                        }
                      </div>
                    } @empty {
                      <p class="muted">{{ 'settings.plugins.noRows' | t }}</p>
                    }
                    @if (auth.canManage()) {
                      <button type="button" class="btn btn-secondary btn-sm" (click)="addRow(p, f)">{{ 'settings.plugins.addRow' | t }}</button>
                    }
                  </fieldset>
                }
                @case ('json') {
                  <div class="field" [attr.data-setting]="f.key">
                    <label [for]="id">{{ labelOf(p, f) }} (JSON)</label>
                    <textarea class="mono" rows="4" [id]="id" [name]="f.key" [value]="value(f, p)" [readOnly]="!auth.canManage()" [attr.aria-describedby]="help ? id + '-d' : null"></textarea>
                  </div>
                }
                @default {
                  <div class="field" [attr.data-setting]="f.key">
                    <label [for]="id">{{ labelOf(p, f) }}</label>
                    <input
                      [id]="id"
                      [name]="f.key"
                      [type]="f.kind === 'number' ? 'number' : f.kind === 'secret' ? 'password' : 'text'"
                      [attr.min]="f.min"
                      [attr.max]="f.max"
                      [attr.step]="f.integer ? 1 : null"
                      [attr.autocomplete]="f.kind === 'secret' ? 'new-password' : null"
                      [attr.placeholder]="f.kind === 'secret' ? ('settings.plugins.secretPlaceholder' | t) : null"
                      [value]="value(f, p)"
                      [readOnly]="!auth.canManage()"
                      [attr.aria-describedby]="help ? id + '-d' : null"
                    />
                    @if (f.kind === 'list') {
                      <small class="hint">{{ 'settings.plugins.listHint' | t }}</small>
                    }
                    @if (f.kind === 'secret') {
                      <small class="hint">{{ 'settings.plugins.secretHint' | t }}</small>
                    }
                  </div>
                }
              }
              @if (help) {
                <small class="hint" [id]="id + '-d'">{{ help }}</small>
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
  /** Unsaved edits of `rows` fields, by "plugin/key". */
  private readonly rows = signal<Record<string, Array<Record<string, string>>>>({});

  constructor() {
    void this.load();
  }

  protected value(f: SettingsField, p: PluginView): string {
    return toInput(f, p.settings?.[f.key]);
  }

  /**
   * A setting's label and help: the plugin's admin catalogue (`pluginSettings.<plugin>.<key>`
   * and `….help`, so they follow the language), else the schema's title and description.
   */
  protected labelOf(p: PluginView, f: SettingsField): string {
    return this.optional(`pluginSettings.${p.name}.${f.key}`) ?? f.label;
  }

  protected helpOf(p: PluginView, f: SettingsField): string | null {
    return this.optional(`pluginSettings.${p.name}.${f.key}.help`) ?? f.description;
  }

  protected optionOf(p: PluginView, f: SettingsField, option: string): string {
    return this.optional(`pluginSettings.${p.name}.${f.key}.${option}`) ?? option;
  }

  protected columnOf(p: PluginView, f: SettingsField, c: RowColumn): string {
    return this.optional(`pluginSettings.${p.name}.${f.key}.${c.key}`) ?? c.label;
  }

  /** The rows being edited of a `rows` field (from the saved value until changed). */
  protected rowsOf(p: PluginView, f: SettingsField): Array<Record<string, string>> {
    return this.rows()[`${p.name}/${f.key}`] ?? toRows(p.settings?.[f.key]);
  }

  protected setCell(p: PluginView, f: SettingsField, i: number, column: string, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.editRows(p, f, (rows) => rows.map((r, j) => (j === i ? { ...r, [column]: value } : r)));
  }

  protected addRow(p: PluginView, f: SettingsField): void {
    this.editRows(p, f, (rows) => [...rows, {}]);
  }

  protected removeRow(p: PluginView, f: SettingsField, i: number): void {
    this.editRows(p, f, (rows) => rows.filter((_, j) => j !== i));
  }

  private editRows(p: PluginView, f: SettingsField, change: (rows: Array<Record<string, string>>) => Array<Record<string, string>>): void {
    this.rows.update((all) => ({ ...all, [`${p.name}/${f.key}`]: change(this.rowsOf(p, f)) }));
  }

  private optional(key: string): string | null {
    const text = this.i18n.t(key);
    return text === key ? null : text;
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
        if (f.kind === 'rows') {
          settings[f.key] = fromRows(f, this.rowsOf(p, f));
          continue;
        }
        const el = form.elements.namedItem(f.key) as HTMLInputElement | null;
        if (!el) continue;
        const v = fromInput(f, f.kind === 'boolean' ? el.checked : el.value);
        if (v !== undefined) settings[f.key] = v;
      }
      this.replace(await firstValueFrom(this.http.patch<PluginState>(`/api/v1/plugins/${encodeURIComponent(p.name)}`, { settings })));
      this.rows.update((all) => Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(`${p.name}/`))));
      this.status.update((s) => ({ ...s, [p.name]: this.i18n.t('common.saved') }));
    } catch (err) {
      this.status.update((s) => ({ ...s, [p.name]: err instanceof Error && !('status' in err) ? err.message : problemText(err, this.i18n.t('errors.generic')) }));
    }
  }
}
