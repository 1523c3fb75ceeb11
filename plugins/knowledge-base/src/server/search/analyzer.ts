import { stemmer as english } from '@orama/stemmers/english';
import { stemmer as spanish } from '@orama/stemmers/spanish';

/**
 * The knowledge base's text analysis, shared by indexing and querying on both databases
 * (so SQLite's FTS5 and PostgreSQL's tsvector see the same terms and find the same
 * articles). Words are lowercased and stemmed with Snowball (Spanish, English; other
 * locales are not stemmed), and every term is folded to ASCII letters without accents.
 *
 * Each word gives up to three terms: the stem of the word as written, the stem of the word
 * without accents, and the folded word itself. Snowball reduces "devolución" and
 * "devoluciones" to "devolu" but leaves an unaccented "devolucion" alone, so a visitor
 * who types without accents only meets the article through the second stem; the third
 * keeps exact words (names, codes) findable whatever the stemmer does.
 */

export type Stemmer = (word: string) => string;

const STEMMERS: Record<string, Stemmer> = { es: spanish, en: english };

/** Words of at most this many characters are kept (longer runs are not words but data). */
const MAX_WORD = 40;
const WORD = /[\p{L}\p{N}]+/gu;

/** Lowercase, accents removed ("Devolución" → "devolucion", "ñ" → "n"). */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The stemmer of a locale ("es", "es-MX" → Spanish), or none. */
export function stemmerOf(locale: string | null | undefined): Stemmer | null {
  return STEMMERS[(locale ?? '').slice(0, 2).toLowerCase()] ?? null;
}

/** The words of a text, in order, with their positions (for snippets). */
export function words(text: string): Array<{ word: string; index: number }> {
  return [...text.matchAll(WORD)].filter((m) => m[0].length <= MAX_WORD).map((m) => ({ word: m[0], index: m.index }));
}

/** The search terms of one word (see the module comment), ASCII letters and digits only. */
export function termsOfWord(word: string, stem: Stemmer | null): string[] {
  const lower = word.toLowerCase();
  const folded = fold(lower);
  const out = new Set<string>([folded]);
  if (stem) {
    out.add(fold(stem(lower)));
    out.add(fold(stem(folded)));
  }
  return [...out].filter((t) => /^[a-z0-9]+$/.test(t));
}

/** What is indexed for a text in a locale: its terms, space-separated. */
export function indexTerms(text: string, locale: string | null | undefined): string {
  const stem = stemmerOf(locale);
  return words(text).flatMap(({ word }) => termsOfWord(word, stem)).join(' ');
}

/**
 * A visitor's query, analyzed: for each word, the terms any article might hold for it.
 * The query's language is unknown, so a word is stemmed with every stemmer; an article
 * matches a word when it holds any of its terms, and a query when it matches every word.
 * The last word also matches as a prefix of a folded term (suggestions while typing).
 */
export interface AnalyzedQuery {
  /** One list of alternative terms per query word. */
  words: string[][];
  /** The last word, folded, for prefix matching; null when the query ends with a space or the word is short. */
  prefix: string | null;
}

/** Queries longer than this many words are cut (a pasted paragraph is not a better query). */
const MAX_QUERY_WORDS = 12;

/**
 * Words a question is full of and an article need not contain ("¿cómo hago una
 * devolución?" asks for "devolución"), Spanish and English, folded. Dropped from queries
 * only, and only while another word remains.
 */
const STOP_WORDS = new Set((
  'a al algo como con cual cuando de del donde el ella en es esta este hay la las lo los me mi mis mucho muy no o para pero por puedo puede que quiero se si sin sobre su sus tengo un una uno unos unas y ya yo hago hacer ' +
  'a an and are as at be can do does for from have how i if in is it me my of on or so the this to was we what when where which who why will with you your'
).split(' '));

export function analyzeQuery(text: string): AnalyzedQuery {
  const all = words(text).slice(0, MAX_QUERY_WORDS);
  const meaningful = all.filter(({ word }) => !STOP_WORDS.has(fold(word)));
  const found = meaningful.length ? meaningful : all;
  const last = found.at(-1);
  const stemmers = Object.values(STEMMERS);
  const alternatives = found.map(({ word }) => [...new Set([null, ...stemmers].flatMap((s) => termsOfWord(word, s)))]).filter((alts) => alts.length > 0);
  const endsInWord = last !== undefined && last.index + last.word.length === text.length;
  const prefix = endsInWord && last.word.length >= 3 ? fold(last.word) : null;
  return { words: alternatives, prefix: prefix && /^[a-z0-9]+$/.test(prefix) ? prefix : null };
}

/** Whether a word of an article matches the query (for highlighting). */
export function matchesQuery(word: string, locale: string | null | undefined, query: AnalyzedQuery): boolean {
  const terms = termsOfWord(word, stemmerOf(locale));
  const wanted = new Set(query.words.flat());
  return terms.some((t) => wanted.has(t) || (query.prefix !== null && t.startsWith(query.prefix)));
}
