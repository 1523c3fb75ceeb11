import type { PluginDatabase } from '@charla/core';
import { analyzeQuery, indexTerms, type AnalyzedQuery } from './analyzer.js';
import type { IndexedArticle, SearchOptions, SearchProvider } from './search-provider.js';

/**
 * The built-in search provider: the database itself. Both dialects index the terms of
 * the plugin's analyzer (stemmed, folded), so they match the same articles for the same
 * query; only ranking is each engine's own (FTS5's bm25, PostgreSQL's ts_rank), with the
 * title weighted above the body on both.
 */
export class DatabaseSearch implements SearchProvider {
  constructor(private readonly db: PluginDatabase) {}

  async index(article: IndexedArticle): Promise<void> {
    const scope = this.db.scope(article.accountId);
    const terms = { id: article.id, title: indexTerms(article.title, article.locale), body: indexTerms(article.text, article.locale) };
    if (this.db.dialect === 'sqlite') {
      await this.remove(article.accountId, article.id);
      await scope.query('INSERT INTO kb_articles_fts (article_id, account_id, title, body) VALUES (:id, :accountId, :title, :body)', terms);
    } else {
      await scope.query(
        `INSERT INTO kb_search (article_id, account_id, search)
         VALUES (:id, :accountId, setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :body), 'B'))
         ON CONFLICT (article_id) DO UPDATE SET search = EXCLUDED.search WHERE kb_search.account_id = :accountId`,
        terms,
      );
    }
  }

  async remove(accountId: string, articleId: string): Promise<void> {
    const table = this.db.dialect === 'sqlite' ? 'kb_articles_fts' : 'kb_search';
    await this.db.scope(accountId).query(`DELETE FROM ${table} WHERE article_id = :id AND account_id = :accountId`, { id: articleId });
  }

  async search(accountId: string, text: string, { filter, limit, offset, match = 'all' }: SearchOptions): Promise<string[]> {
    const query = analyzeQuery(text);
    if (!query.words.length) return [];
    const replacements: Record<string, unknown> = { limit, offset, ...filter };
    const where = [
      ...(filter.status ? ['a.status = :status'] : []),
      ...(filter.locale ? ['a.locale = :locale'] : []),
      ...(filter.category ? ['a.category = :category'] : []),
      ...(filter.tag ? ['a.id IN (SELECT t.article_id FROM kb_article_tags t WHERE t.account_id = :accountId AND t.tag = :tag)'] : []),
    ].map((w) => ` AND ${w}`).join('');
    const sql = this.db.dialect === 'sqlite'
      ? `SELECT a.id FROM kb_articles_fts f JOIN kb_articles a ON a.id = f.article_id
         WHERE kb_articles_fts MATCH :match AND f.account_id = :accountId AND a.account_id = :accountId${where}
         ORDER BY bm25(kb_articles_fts, 0, 0, 8.0, 1.0), a.id LIMIT :limit OFFSET :offset`
      : `SELECT a.id FROM kb_search s JOIN kb_articles a ON a.id = s.article_id, to_tsquery('simple', :match) q
         WHERE s.search @@ q AND s.account_id = :accountId AND a.account_id = :accountId${where}
         ORDER BY ts_rank(s.search, q) DESC, a.id LIMIT :limit OFFSET :offset`;
    const rows = await this.db.scope(accountId).query<{ id: string }>(sql, { ...replacements, match: this.db.dialect === 'sqlite' ? fts5Match(query, match) : tsQuery(query, match) });
    return rows.map((r) => r.id);
  }
}

// Terms are ASCII letters and digits only (the analyzer guarantees it), so they need no
// escaping in either query language; quoting them in FTS5 keeps words like "and" or
// "near" from being read as operators.

/** `("a" OR "b") AND ("c" OR "d" OR "de"*)`: every query word (or any, with `match: 'any'`), any of its terms. */
function fts5Match(query: AnalyzedQuery, match: 'all' | 'any'): string {
  return query.words.map((alts, i) => {
    const prefix = i === query.words.length - 1 && query.prefix ? [`"${query.prefix}"*`] : [];
    return `(${[...alts.map((t) => `"${t}"`), ...prefix].join(' OR ')})`;
  }).join(match === 'all' ? ' AND ' : ' OR ');
}

/** `(a | b) & (c | d | de:*)`, the same query for PostgreSQL. */
function tsQuery(query: AnalyzedQuery, match: 'all' | 'any'): string {
  return query.words.map((alts, i) => {
    const prefix = i === query.words.length - 1 && query.prefix ? [`${query.prefix}:*`] : [];
    return `(${[...alts, ...prefix].join(' | ')})`;
  }).join(match === 'all' ? ' & ' : ' | ');
}
