import { Injectable, Pipe, PipeTransform, computed, inject, signal } from '@angular/core';
import type { Locale, MessageCatalogue } from '../plugin-api';
import { LOCALES } from '../plugin-api';
import { formatMessage } from './message-format';

const STORAGE_KEY = 'charla.locale';

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    /* storage may be unavailable */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

/**
 * Runtime message catalogue. The shell registers its strings at start; each plugin's
 * admin module ships its own (`messages` in defineAdminPlugin) and they are merged in.
 * Missing keys fall back to English, then to the key itself.
 */
@Injectable({ providedIn: 'root' })
export class I18nService {
  readonly locales = LOCALES;
  private readonly current = signal<Locale>(initialLocale());
  private readonly catalogues = signal<Record<Locale, MessageCatalogue>>({ en: {}, es: {} });
  readonly locale = this.current.asReadonly();
  /** A snapshot that changes whenever the locale or the catalogue changes. */
  readonly messages = computed(() => {
    const all = this.catalogues();
    return { ...all.en, ...all[this.current()] };
  });

  constructor() {
    this.applyLang(this.current());
  }

  register(catalogues: Partial<Record<Locale, MessageCatalogue>>): void {
    this.catalogues.update((all) => {
      const next = { ...all };
      for (const locale of LOCALES) {
        if (catalogues[locale]) next[locale] = { ...next[locale], ...catalogues[locale] };
      }
      return next;
    });
  }

  setLocale(locale: Locale): void {
    this.current.set(locale);
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      /* ignore */
    }
    this.applyLang(locale);
  }

  /**
   * Translate `key`, replacing `{name}` placeholders with `params`; counts use ICU plurals,
   * `{n, plural, one {# item} other {# items}}`, chosen by the current locale's rules.
   */
  t(key: string, params?: Record<string, unknown>): string {
    const text = this.messages()[key] ?? key;
    return formatMessage(text, params, this.current());
  }

  private applyLang(locale: Locale): void {
    if (typeof document !== 'undefined') document.documentElement.lang = locale;
  }
}

/** `{{ 'key' | t }}` / `{{ 'key' | t: {name: value} }}` — re-evaluates when the locale changes. */
@Pipe({ name: 't', pure: false })
export class TranslatePipe implements PipeTransform {
  private readonly i18n = inject(I18nService);
  transform(key: string, params?: Record<string, unknown>): string {
    return this.i18n.t(key, params);
  }
}
