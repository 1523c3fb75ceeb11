import type { KnowledgeBaseModels } from './models.js';
import type { ArticleService } from './article-service.js';

/** What the knowledge-base plugin adds to the kernel's typed extension points. */
declare module '@charla/core' {
  interface EventMap {
    /** An article was written (a draft, or published at once: then `article.published` follows). */
    'article.created': { accountId: string; articleId: string; authorId: string | null };
    /** An article's fields changed (`changes` holds their new values; a changed body is `body: true`). */
    'article.updated': { accountId: string; articleId: string; changes: Record<string, unknown>; actorId: string | null };
    /** An article became visible to visitors (the widget and the help center). */
    'article.published': { accountId: string; articleId: string; slug: string };
    /** A published article went back to draft. */
    'article.unpublished': { accountId: string; articleId: string };
    'article.deleted': { accountId: string; articleId: string };
    /** A visitor said whether an article helped (the latest answer per visitor counts). */
    'article.feedback_given': { accountId: string; articleId: string; visitorId: string; helpful: boolean };
  }
  interface Cradle {
    kbModels: KnowledgeBaseModels;
    kbArticles: ArticleService;
  }
}

export {};
