import type { MigrationContext } from '@charla/core';

/**
 * The knowledge base's tables: articles, their tags (one row each, for the tag filter),
 * visitors' feedback, and the built-in search index — an FTS5 table on SQLite, a
 * tsvector table with a GIN index on PostgreSQL. Both hold the terms the plugin's
 * analyzer computes (search/analyzer.ts) and are written by the plugin with each article.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T, dialect, sequelize } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const article = { type: T.STRING(36), allowNull: false, references: { model: 'kb_articles', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('kb_articles', {
    id, account_id: account,
    slug: { type: T.STRING(100), allowNull: false },
    title: { type: T.STRING(200), allowNull: false },
    body: { type: T.TEXT, allowNull: false },
    locale: { type: T.STRING(16), allowNull: false },
    category: { type: T.STRING(80), allowNull: true },
    tags: { type: T.JSON, allowNull: false },
    status: { type: T.STRING(12), allowNull: false },
    author_id: { type: T.STRING(36), allowNull: true, references: { model: 'users', key: 'id' }, onDelete: 'SET NULL' },
    published_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('kb_articles', ['account_id', 'slug'], { unique: true, name: 'kb_articles_slug' });
  await qi.addIndex('kb_articles', ['account_id', 'created_at', 'id'], { name: 'kb_articles_recent' });

  await qi.createTable('kb_article_tags', {
    id, account_id: account, article_id: article,
    tag: { type: T.STRING(40), allowNull: false },
  });
  await qi.addIndex('kb_article_tags', ['account_id', 'tag'], { name: 'kb_article_tags_tag' });
  await qi.addIndex('kb_article_tags', ['article_id'], { name: 'kb_article_tags_article' });

  await qi.createTable('kb_feedback', {
    id, account_id: account, article_id: article,
    visitor_id: { type: T.STRING(36), allowNull: false },
    helpful: { type: T.BOOLEAN, allowNull: false },
    ...ts,
  });
  await qi.addIndex('kb_feedback', ['article_id', 'visitor_id'], { unique: true, name: 'kb_feedback_visitor' });

  if (dialect === 'sqlite') {
    // remove_diacritics 2 folds what the analyzer may have left (it already folds terms).
    await sequelize.query(`CREATE VIRTUAL TABLE kb_articles_fts USING fts5(article_id UNINDEXED, account_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')`);
  } else {
    await qi.createTable('kb_search', {
      article_id: { ...article, primaryKey: true },
      account_id: account,
    });
    await sequelize.query('ALTER TABLE kb_search ADD COLUMN search tsvector NOT NULL');
    await sequelize.query('CREATE INDEX kb_search_terms ON kb_search USING GIN (search)');
  }
}

export async function down({ context: { queryInterface: qi, dialect, sequelize } }: { context: MigrationContext }): Promise<void> {
  if (dialect === 'sqlite') await sequelize.query('DROP TABLE IF EXISTS kb_articles_fts');
  else await qi.dropTable('kb_search');
  for (const t of ['kb_feedback', 'kb_article_tags', 'kb_articles']) await qi.dropTable(t);
}
