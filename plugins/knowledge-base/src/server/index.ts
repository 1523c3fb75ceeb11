import { Type, asFunction, asValue, defineService, definePlugin, type CharlaPlugin } from '@charla/core';
import './extension.js';
import { ArticleService } from './article-service.js';
import { defineModels } from './models.js';
import { articleRoutes } from './routes/article-routes.js';
import { helpCenterRoutes } from './routes/help-center-routes.js';
import { widgetRoutes } from './routes/widget-routes.js';
import { DatabaseSearch } from './search/database-search.js';
import { KnowledgeBaseSearchProvider, type SearchProvider } from './search/search-provider.js';

export { KnowledgeBaseSearchProvider } from './search/search-provider.js';
export type { SearchProvider, IndexedArticle, SearchFilter, SearchOptions } from './search/search-provider.js';
export { analyzeQuery, indexTerms, fold } from './search/analyzer.js';
export { renderMarkdown } from './markdown.js';
export type { ArticleService, ArticleView } from './article-service.js';
export type { ArticleStatus } from './models.js';

/** What other plugins (a bot suggesting articles) read from the knowledge base. */
export interface KnowledgeBase {
  /** The best published articles of the account for a visitor's words (any word when none has all), with snippets. */
  suggest(accountId: string, text: string, limit: number): Promise<Array<{ id: string; slug: string; title: string; snippet: string }>>;
  /** The published articles among `ids`, in that order; drafts, deleted ones and other accounts' ids are left out. */
  published(accountId: string, ids: string[]): Promise<Array<{ id: string; slug: string; title: string }>>;
  /** A published article with its body as plain text (Markdown removed); null for a draft, a deleted article or another account's. */
  publishedArticle(accountId: string, id: string): Promise<PublishedArticle | null>;
  /** Ids of the account's published articles in id order, `limit` (1…500) after `afterId` (paging through all of them). */
  publishedIds(accountId: string, options: { afterId?: string; limit: number }): Promise<string[]>;
}

/** A published article as other plugins read it (`KnowledgeBase.publishedArticle`). */
export interface PublishedArticle { id: string; slug: string; title: string; text: string; locale: string; updatedAt: string }
export const KnowledgeBaseService = defineService<KnowledgeBase>('knowledge-base.articles');

/**
 * An article card in a message (`metadata.blocks`), e.g. a bot suggesting an article: the
 * widget shows it as a card whose button opens the article in the Help tab (the plugin's
 * widget module renders it); anywhere else the text fallback shows its title and description.
 */
export const ArticleBlock = Type.Object({
  type: Type.Literal('article'),
  id: Type.String({ minLength: 1, maxLength: 36 }),
  title: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.Optional(Type.String({ maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 300 })),
}, { additionalProperties: false });

/**
 * The knowledge base: articles in Markdown per account, Spanish/English full-text search
 * on the database (or an operator's search engine through `KnowledgeBaseSearchProvider`),
 * the widget's article API and the public help center at /help/:appId.
 */
const knowledgeBase: CharlaPlugin = definePlugin({
  name: 'knowledge-base',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Help articles, full-text search in Spanish and English, the widget\'s article search and the public help center',
  migrations: new URL('./migrations/', import.meta.url),
  provides: [KnowledgeBaseService],
  optionalUses: [KnowledgeBaseSearchProvider],
  blocks: { article: ArticleBlock },
  // The "Help" tab and the suggestions while the visitor types (src/widget, built by
  // `npm run build`); loaded when the messenger first opens.
  widget: { script: new URL('../../dist/widget/index.js', import.meta.url) },

  models(ctx) {
    ctx.container.register({ kbModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    const builtIn = new DatabaseSearch(ctx.db);
    const search = (): SearchProvider => ctx.services.optional(KnowledgeBaseSearchProvider) ?? builtIn;
    ctx.container.register({ kbArticles: asFunction(() => new ArticleService(ctx, search)).singleton() });
    ctx.services.provide(KnowledgeBaseService, {
      suggest: async (accountId, text, limit) =>
        (await ctx.container.cradle.kbArticles.searchPublished(accountId, text, limit)).map(({ article, snippet }) => ({ id: article.id, slug: article.slug, title: article.title, snippet })),
      published: async (accountId, ids) => {
        const found = await Promise.all(ids.map((id) => ctx.container.cradle.kbArticles.getPublished(accountId, { id }).catch(() => null)));
        return found.filter((a) => a !== null).map((a) => ({ id: a.id, slug: a.slug, title: a.title }));
      },
      publishedArticle: (accountId, id) => ctx.container.cradle.kbArticles.publishedText(accountId, id),
      publishedIds: (accountId, options) => ctx.container.cradle.kbArticles.publishedIds(accountId, options),
    });
  },

  async routes(app, ctx) {
    await articleRoutes(app, ctx);
    await widgetRoutes(app, ctx);
    await helpCenterRoutes(app, ctx);
  },
});

export default knowledgeBase;
