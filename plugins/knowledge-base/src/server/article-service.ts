import { Op, fn, col, isId, newId, type PluginContext } from '@charla/core';
import { KnowledgeBaseErrors } from './errors.js';
import { plainText } from './markdown.js';
import type { ArticleRow, ArticleStatus } from './models.js';
import { analyzeQuery, fold } from './search/analyzer.js';
import { snippet } from './search/snippet.js';
import type { SearchFilter, SearchProvider } from './search/search-provider.js';

export interface ArticleView {
  id: string; slug: string; title: string; body: string; tags: string[]; category: string | null; locale: string;
  status: ArticleStatus; authorId: string | null; createdAt: string; updatedAt: string; publishedAt: string | null;
}
export interface ArticleInput { title: string; body: string; tags?: string[]; category?: string | null; locale?: string; status?: ArticleStatus }
export type ArticlePatch = Partial<ArticleInput> & { slug?: string };
export interface ListQuery extends SearchFilter { q?: string; limit?: number; cursor?: string }
export interface SearchHit { article: ArticleRow; snippet: string }

const DEFAULT_LOCALE = 'es';
/** Search pages reach this deep at most (a ranked list is read from the top; a forged cursor cannot ask for more). */
const MAX_SEARCH_OFFSET = 10_000;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const tagsOf = (row: Pick<ArticleRow, 'tags'>): string[] => (typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : row.tags) ?? [];

/** "¿Cómo pido una devolución?" → "como-pido-una-devolucion". */
export function slugify(title: string): string {
  return fold(title).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80).replace(/-+$/, '') || 'article';
}

/** Tags are compared case-insensitively: trimmed, lowercased, without repeats. */
function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

const encodeCursor = (c: Record<string, unknown>) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(raw: string, kind: 'list' | 'search'): Record<string, unknown> {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    c = null;
  }
  const ok = typeof c === 'object' && c !== null && (kind === 'search' ? Number.isInteger((c as { o?: unknown }).o) && (c as { o: number }).o >= 0 && (c as { o: number }).o <= MAX_SEARCH_OFFSET : typeof (c as { c?: unknown }).c === 'string' && isId(String((c as { i?: unknown }).i)));
  if (!ok) throw KnowledgeBaseErrors.badCursor(`This cursor does not belong to this list${kind === 'search' ? ' with q=' : ''}: pass the nextCursor of the previous page of the same query.`);
  return c as Record<string, unknown>;
}

/**
 * Articles of one account: writes (each in a transaction with its search-index update
 * and its events), reads, the filtered and paged list, and search.
 */
export class ArticleService {
  constructor(private readonly ctx: PluginContext, private readonly search: () => SearchProvider) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  view(r: ArticleRow): ArticleView {
    return {
      id: r.id, slug: r.slug, title: r.title, body: r.body, tags: tagsOf(r), category: r.category, locale: r.locale, status: r.status,
      authorId: r.authorId, createdAt: iso(r.createdAt)!, updatedAt: iso(r.updatedAt)!, publishedAt: iso(r.publishedAt),
    };
  }

  async get(accountId: string, id: string): Promise<ArticleRow> {
    const row = isId(id) ? await this.c.db.scope(accountId).findById(this.c.kbModels.Article, id) : null;
    if (!row) throw KnowledgeBaseErrors.articleNotFound('No article with this id.');
    return row.get({ plain: true });
  }

  /** A published article, or the same 404 as a missing one (visitors never learn that a draft exists). */
  async getPublished(accountId: string, where: { id: string } | { slug: string }): Promise<ArticleRow> {
    const valid = 'id' in where ? isId(where.id) : typeof where.slug === 'string' && where.slug.length <= 100;
    const row = valid ? await this.c.db.scope(accountId).findOne(this.c.kbModels.Article, { where: { ...where, status: 'published' } }) : null;
    if (!row) throw KnowledgeBaseErrors.articleNotFound('No published article here.');
    return row.get({ plain: true });
  }

  /** A published article with its body as plain text, or null (a draft, a deleted article, a malformed id). */
  async publishedText(accountId: string, id: string): Promise<{ id: string; slug: string; title: string; text: string; locale: string; updatedAt: string } | null> {
    const row = isId(id) ? await this.c.db.scope(accountId).findOne(this.c.kbModels.Article, { where: { id, status: 'published' } }) : null;
    if (!row) return null;
    return { id: row.id, slug: row.slug, title: row.title, text: plainText(row.body), locale: row.locale, updatedAt: iso(row.updatedAt)! };
  }

  /** Ids of the published articles in id order, after `afterId`. */
  async publishedIds(accountId: string, options: { afterId?: string; limit: number }): Promise<string[]> {
    const limit = Math.min(500, Math.max(1, Math.trunc(options.limit)));
    const where: Record<string, unknown> = { status: 'published' };
    if (options.afterId) where.id = { [Op.gt]: options.afterId };
    const rows = await this.c.db.scope(accountId).findAll(this.c.kbModels.Article, { where: where as never, attributes: ['id'], order: [['id', 'ASC']], limit });
    return rows.map((r) => r.id);
  }

  async create(accountId: string, authorId: string | null, input: ArticleInput): Promise<ArticleRow> {
    const { db, kbModels, clock } = this.c;
    const title = this.title(input.title);
    const status = input.status ?? 'draft';
    const tags = normalizeTags(input.tags ?? []);
    const id = newId();
    const now = clock.now();
    await uniqueSlug(() => db.transaction(async () => {
      const slug = await this.freeSlug(accountId, slugify(title));
      await db.scope(accountId).create(kbModels.Article, {
        id, slug, title, body: input.body, locale: input.locale ?? DEFAULT_LOCALE, category: this.category(input.category),
        tags, status, authorId, publishedAt: status === 'published' ? now : null,
      });
      await this.writeTags(accountId, id, tags);
      const row = await this.get(accountId, id);
      await this.search().index(this.indexed(row));
      this.ctx.events.emit('article.created', { accountId, articleId: id, authorId });
      if (status === 'published') this.ctx.events.emit('article.published', { accountId, articleId: id, slug });
    }));
    return this.get(accountId, id);
  }

  async update(accountId: string, actorId: string | null, id: string, patch: ArticlePatch): Promise<ArticleRow> {
    const { db, kbModels, clock } = this.c;
    await uniqueSlug(() => db.transaction(async () => {
      const before = await this.get(accountId, id);
      const changes: Partial<ArticleRow> = {};
      if (patch.title !== undefined) changes.title = this.title(patch.title);
      if (patch.body !== undefined) changes.body = patch.body;
      if (patch.locale !== undefined) changes.locale = patch.locale;
      if (patch.category !== undefined) changes.category = this.category(patch.category);
      if (patch.tags !== undefined) changes.tags = normalizeTags(patch.tags);
      if (patch.slug !== undefined && patch.slug !== before.slug) changes.slug = await this.freeSlug(accountId, patch.slug, { exact: true });
      if (patch.status !== undefined && patch.status !== before.status) {
        changes.status = patch.status;
        changes.publishedAt = patch.status === 'published' ? clock.now() : null;
      }
      if (!Object.keys(changes).length) return;
      await db.scope(accountId).update(kbModels.Article, changes, { id });
      if (changes.tags) await this.writeTags(accountId, id, changes.tags as string[]);
      const after = await this.get(accountId, id);
      await this.search().index(this.indexed(after));
      // A changed body is flagged, not copied: events stay small whatever the article's size.
      const { body, ...visible } = changes;
      this.ctx.events.emit('article.updated', { accountId, articleId: id, changes: { ...visible, ...(body !== undefined ? { body: true } : {}) }, actorId });
      if (changes.status === 'published') this.ctx.events.emit('article.published', { accountId, articleId: id, slug: after.slug });
      if (changes.status === 'draft') this.ctx.events.emit('article.unpublished', { accountId, articleId: id });
    }));
    return this.get(accountId, id);
  }

  async remove(accountId: string, id: string): Promise<void> {
    const { db, kbModels } = this.c;
    await db.transaction(async () => {
      const row = await this.get(accountId, id);
      await this.search().remove(accountId, row.id);
      await db.scope(accountId).destroy(kbModels.ArticleTag, { articleId: row.id });
      await db.scope(accountId).destroy(kbModels.Feedback, { articleId: row.id });
      await db.scope(accountId).destroy(kbModels.Article, { id: row.id });
      this.ctx.events.emit('article.deleted', { accountId, articleId: row.id });
    });
  }

  /** The list of the contract: filters, newest first with keyset paging; with `q`, ranked search hits with snippets. */
  async list(accountId: string, query: ListQuery): Promise<{ articles: Array<ArticleRow & { snippet?: string }>; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const filter: SearchFilter = { status: query.status, locale: query.locale, category: query.category, tag: query.tag?.trim().toLowerCase() };
    if (query.q !== undefined && query.q.trim()) {
      const offset = query.cursor ? (decodeCursor(query.cursor, 'search').o as number) : 0;
      const hits = await this.searchHits(accountId, query.q, { filter, limit: limit + 1, offset });
      const page = hits.slice(0, limit);
      return { articles: page.map((h) => ({ ...h.article, snippet: h.snippet })), nextCursor: hits.length > limit ? encodeCursor({ o: offset + limit }) : null };
    }
    const { db, kbModels } = this.c;
    const where: Record<string | symbol, unknown> = {};
    if (filter.status) where.status = filter.status;
    if (filter.locale) where.locale = filter.locale;
    if (filter.category) where.category = filter.category;
    if (filter.tag) {
      const tagged = await db.scope(accountId).findAll(kbModels.ArticleTag, { where: { tag: filter.tag }, attributes: ['articleId'] });
      where.id = tagged.map((t) => t.articleId);
    }
    if (query.cursor) {
      const c = decodeCursor(query.cursor, 'list');
      const at = new Date(c.c as string);
      if (Number.isNaN(at.getTime())) throw KnowledgeBaseErrors.badCursor('This cursor is damaged: pass the nextCursor of the previous page.');
      where[Op.or] = [{ createdAt: { [Op.lt]: at } }, { createdAt: at, id: { [Op.lt]: c.i } }];
    }
    const rows = await db.scope(accountId).findAll(kbModels.Article, { where: where as never, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: limit + 1 });
    const page = rows.slice(0, limit).map((r) => r.get({ plain: true }));
    const last = page.at(-1);
    return { articles: page, nextCursor: rows.length > limit && last ? encodeCursor({ c: iso(last.createdAt), i: last.id }) : null };
  }

  /** Ranked hits for `text` with snippets (the provider ranks; the snippet comes from the article). */
  async searchHits(accountId: string, text: string, options: { filter: SearchFilter; limit: number; offset?: number; match?: 'all' | 'any' }): Promise<SearchHit[]> {
    const ids = await this.search().search(accountId, text, { offset: 0, ...options });
    if (!ids.length) return [];
    const rows = await this.c.db.scope(accountId).findAll(this.c.kbModels.Article, { where: { id: ids } });
    const byId = new Map(rows.map((r) => [r.id, r.get({ plain: true })]));
    const query = analyzeQuery(text);
    return ids.flatMap((id) => {
      const article = byId.get(id);
      // A remote index may lag behind a deletion or an unpublish: trust the database.
      if (!article || (options.filter.status && article.status !== options.filter.status)) return [];
      const passage = snippet(plainText(article.body), article.locale, query);
      return [{ article, snippet: passage.includes('<mark>') ? passage : snippet(article.title, article.locale, query) || passage }];
    });
  }

  /** Search for visitors: published articles only; when no article has every word, the ones with any. */
  async searchPublished(accountId: string, text: string, limit: number): Promise<SearchHit[]> {
    const filter: SearchFilter = { status: 'published' };
    const all = await this.searchHits(accountId, text, { filter, limit });
    return all.length ? all : this.searchHits(accountId, text, { filter, limit, match: 'any' });
  }

  async categories(accountId: string, status?: ArticleStatus): Promise<Array<{ name: string; count: number }>> {
    const rows = await this.c.db.scope(accountId).findAll(this.c.kbModels.Article, {
      attributes: ['category', [fn('COUNT', col('id')), 'count']],
      where: { category: { [Op.ne]: null }, ...(status ? { status } : {}) } as never,
      group: ['category'], order: [['category', 'ASC']], raw: true,
    }) as unknown as Array<{ category: string; count: number | string }>;
    return rows.map((r) => ({ name: r.category, count: Number(r.count) }));
  }

  /** Records a visitor's answer to "Did this help?" (one per visitor and article; the latest wins). */
  async feedback(accountId: string, articleId: string, visitorId: string, helpful: boolean): Promise<void> {
    const { db, kbModels } = this.c;
    const article = await this.getPublished(accountId, { id: articleId });
    await db.transaction(async () => {
      const scope = db.scope(accountId);
      const updated = await scope.update(kbModels.Feedback, { helpful }, { articleId: article.id, visitorId });
      if (!updated) await scope.create(kbModels.Feedback, { id: newId(), articleId: article.id, visitorId, helpful });
      this.ctx.events.emit('article.feedback_given', { accountId, articleId: article.id, visitorId, helpful });
    });
  }

  /** How many visitors found each article helpful or not. */
  async feedbackCounts(accountId: string, articleId: string): Promise<{ helpful: number; notHelpful: number }> {
    const { db, kbModels } = this.c;
    const [helpful, notHelpful] = await Promise.all([true, false].map((h) => db.scope(accountId).count(kbModels.Feedback, { where: { articleId, helpful: h } })));
    return { helpful, notHelpful };
  }

  private indexed(row: ArticleRow) {
    return { id: row.id, accountId: row.accountId, title: row.title, text: plainText(row.body), locale: row.locale, status: row.status, category: row.category, tags: tagsOf(row) };
  }

  private title(raw: string): string {
    const title = raw.trim();
    if (!title) throw KnowledgeBaseErrors.invalid('title must not be empty.');
    return title;
  }

  private category(raw: string | null | undefined): string | null {
    return raw?.trim() || null;
  }

  private async writeTags(accountId: string, articleId: string, tags: string[]): Promise<void> {
    const scope = this.c.db.scope(accountId);
    await scope.destroy(this.c.kbModels.ArticleTag, { articleId });
    for (const tag of tags) await scope.create(this.c.kbModels.ArticleTag, { id: newId(), articleId, tag });
  }

  /** `base`, or `base-2`, `base-3`… — the first slug no other article of the account has; `exact` refuses a taken one instead. */
  private async freeSlug(accountId: string, base: string, { exact = false } = {}): Promise<string> {
    const taken = new Set((await this.c.db.scope(accountId).findAll(this.c.kbModels.Article, { where: { slug: { [Op.like]: `${base.replace(/[%_\\]/g, '')}%` } }, attributes: ['slug'] })).map((r) => r.slug));
    if (!taken.has(base)) return base;
    if (exact) throw KnowledgeBaseErrors.duplicateSlug(`Another article already uses the slug "${base}".`);
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }
}

/** Two writers picking the same free slug at once: the second gets a clear 409, not a 500. */
async function uniqueSlug<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if ((err as Error).name === 'SequelizeUniqueConstraintError') throw KnowledgeBaseErrors.duplicateSlug('Another article took this slug at the same moment; try again.');
    throw err;
  }
}
