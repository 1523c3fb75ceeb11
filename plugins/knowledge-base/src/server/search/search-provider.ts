import { defineService } from '@charla/core';
import type { ArticleStatus } from '../models.js';

/** An article as a search index sees it. */
export interface IndexedArticle {
  id: string;
  accountId: string;
  title: string;
  /** The body as plain text (Markdown removed). */
  text: string;
  locale: string;
  status: ArticleStatus;
  category: string | null;
  tags: string[];
}

/** Filters a search honours (each one optional, all of them combined). */
export interface SearchFilter {
  status?: ArticleStatus;
  locale?: string;
  category?: string;
  tag?: string;
}

export interface SearchOptions {
  filter: SearchFilter;
  limit: number;
  offset: number;
  /** `all` (default): an article must match every word of the query; `any`: one is enough (ranked by how well it matches). */
  match?: 'all' | 'any';
}

/**
 * Where the knowledge base keeps and searches its articles. The plugin's built-in
 * provider uses the database (FTS5 on SQLite, tsvector on PostgreSQL); a plugin can
 * provide this ref to use an external engine (OpenSearch, Meilisearch) instead — see
 * docs/knowledge-base.md "Search at scale".
 *
 * `index` and `remove` run inside the transaction that writes the article, so a
 * database-backed index never disagrees with the articles; a remote provider should
 * enqueue its HTTP work as a job there (`ctx.jobs.enqueue` is transactional) rather
 * than call the remote service inline.
 */
export interface SearchProvider {
  /** Adds or replaces an article. */
  index(article: IndexedArticle): Promise<void>;
  /** Drops an article (deleted). */
  remove(accountId: string, articleId: string): Promise<void>;
  /**
   * Ids of the account's articles matching `text`, best first. Matching must be
   * case- and accent-insensitive and stemmed for the article's language; `offset`
   * and `limit` page through the ranked list.
   */
  search(accountId: string, text: string, options: SearchOptions): Promise<string[]>;
}

export const KnowledgeBaseSearchProvider = defineService<SearchProvider>('knowledge-base.search-provider');
