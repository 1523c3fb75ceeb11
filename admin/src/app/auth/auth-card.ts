import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { I18nService } from '../../sdk/i18n.service';
import type { Locale } from '../../plugin-api';

/** The frame of the signed-out screens: logo, heading, the form, a language switch. */
@Component({
  selector: 'ch-auth-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'auth-screen' },
  template: `
    <main class="auth-card">
      <div class="brand" aria-hidden="true"><span class="brand-mark"></span> Charla</div>
      <h1>{{ heading() }}</h1>
      <ng-content />
    </main>
    <footer class="auth-footer">
      <label for="auth-locale" class="visually-hidden">Language / Idioma</label>
      <select id="auth-locale" class="select-sm" [value]="i18n.locale()" (change)="setLocale($event)">
        <option value="en">English</option>
        <option value="es">Español</option>
      </select>
    </footer>
  `,
})
export class AuthCard {
  protected readonly i18n = inject(I18nService);
  readonly heading = input.required<string>();

  protected setLocale(event: Event): void {
    this.i18n.setLocale((event.target as HTMLSelectElement).value as Locale);
  }
}

/** The values of a submitted form, by field name. */
export function formValues(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const out: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    out[key] = typeof value === 'string' ? value : '';
  });
  return out;
}
