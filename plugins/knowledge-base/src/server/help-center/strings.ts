/** The help center's own words, in the languages the admin speaks. */
export const HELP_STRINGS = {
  en: {
    helpCenter: 'Help center', search: 'Search articles', searchButton: 'Search', results: (n: number, q: string) => `${n} result${n === 1 ? '' : 's'} for “${q}”`,
    noResults: 'No article matches your search. Try other words.', empty: 'No articles yet.', uncategorized: 'General', back: 'All articles', updated: 'Updated',
  },
  es: {
    helpCenter: 'Centro de ayuda', search: 'Buscar artículos', searchButton: 'Buscar', results: (n: number, q: string) => `${n} resultado${n === 1 ? '' : 's'} para «${q}»`,
    noResults: 'Ningún artículo coincide con tu búsqueda. Prueba con otras palabras.', empty: 'Todavía no hay artículos.', uncategorized: 'General', back: 'Todos los artículos', updated: 'Actualizado',
  },
} as const;

export type HelpLanguage = keyof typeof HELP_STRINGS;

/** `?lang=` first, then the browser's Accept-Language, then English. */
export function helpLanguage(lang: string | undefined, acceptLanguage: string | undefined): HelpLanguage {
  const wanted = [lang, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0])];
  for (const w of wanted) {
    const code = w?.trim().slice(0, 2).toLowerCase();
    if (code === 'es' || code === 'en') return code;
  }
  return 'en';
}
