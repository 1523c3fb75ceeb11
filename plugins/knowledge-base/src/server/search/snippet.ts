import { escapeHtml } from '../html.js';
import { matchesQuery, words, type AnalyzedQuery } from './analyzer.js';

/** Words shown in a snippet. */
const WINDOW = 24;


/**
 * A short passage of `text` around the densest run of matched words, HTML-escaped, with
 * the matched words in `<mark>` (the same on every database and every search provider:
 * it is computed from the article, not by the index). Without a match, the text's start.
 */
export function snippet(text: string, locale: string | null | undefined, query: AnalyzedQuery): string {
  const all = words(text);
  if (!all.length) return '';
  const hit = all.map(({ word }) => matchesQuery(word, locale, query));
  let best = 0;
  let bestCount = -1;
  for (let start = 0, count = 0; start < all.length; start++) {
    if (start === 0) for (let i = 0; i < Math.min(WINDOW, all.length); i++) count += hit[i] ? 1 : 0;
    else count += (hit[start + WINDOW - 1] ? 1 : 0) - (hit[start - 1] ? 1 : 0);
    if (count > bestCount) [best, bestCount] = [start, count];
  }
  // Start a little before the first match of the window, so it reads in context.
  const firstHit = hit.indexOf(true, best);
  const from = bestCount > 0 && firstHit >= 0 ? Math.max(0, firstHit - 4) : 0;
  const to = Math.min(all.length, from + WINDOW);
  let out = from > 0 ? '… ' : '';
  for (let i = from; i < to; i++) {
    const { word, index } = all[i];
    const end = i + 1 < to ? all[i + 1].index : index + word.length;
    const tail = escapeHtml(text.slice(index + word.length, end));
    out += (hit[i] ? `<mark>${escapeHtml(word)}</mark>` : escapeHtml(word)) + tail;
  }
  return out.trimEnd() + (to < all.length ? ' …' : '');
}
