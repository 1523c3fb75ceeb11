import type { I18nService } from '@charla/admin/sdk';

/** The languages the editor offers first (stemmed for search); any other code is accepted. */
export const KNOWN_LOCALES = ['es', 'en'] as const;

export function localeLabel(i18n: I18nService, code: string): string {
  return (KNOWN_LOCALES as readonly string[]).includes(code) ? i18n.t(`kb.locale.${code}`) : i18n.t('kb.locale.other', { code });
}
