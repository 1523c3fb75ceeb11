import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

export type ArticleStatus = 'draft' | 'published';

export interface ArticleRow {
  id: string; accountId: string; slug: string; title: string; body: string; locale: string; category: string | null;
  /** Also kept one row per tag in kb_article_tags, for the `tag` filter. */
  tags: string[] | string; status: ArticleStatus; authorId: string | null; publishedAt: Date | null; createdAt: Date; updatedAt: Date;
}

export interface ArticleTagRow { id: string; accountId: string; articleId: string; tag: string }

export interface FeedbackRow { id: string; accountId: string; articleId: string; visitorId: string; helpful: boolean; createdAt: Date; updatedAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface KnowledgeBaseModels {
  Article: ModelStatic<Row<ArticleRow>>;
  ArticleTag: ModelStatic<Row<ArticleTagRow>>;
  Feedback: ModelStatic<Row<FeedbackRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

export function defineModels(db: PluginDatabase): KnowledgeBaseModels {
  return {
    Article: db.define<Row<ArticleRow>>('KbArticle', {
      id, accountId: str(36), slug: str(100), title: str(200), body: DataTypes.TEXT, locale: str(16), category: str(80),
      tags: DataTypes.JSON, status: str(12), authorId: str(36), publishedAt: DataTypes.DATE,
    }, { tableName: 'kb_articles' }),
    ArticleTag: db.define<Row<ArticleTagRow>>('KbArticleTag', {
      id, accountId: str(36), articleId: str(36), tag: str(40),
    }, { tableName: 'kb_article_tags', timestamps: false }),
    Feedback: db.define<Row<FeedbackRow>>('KbFeedback', {
      id, accountId: str(36), articleId: str(36), visitorId: str(36), helpful: DataTypes.BOOLEAN,
    }, { tableName: 'kb_feedback' }),
  };
}
