import type { MigrationContext } from '@charla/core';

/** The AI plugin's tables: article chunks with their vectors, usage (tokens, answers, hand-offs) and visitors' feedback. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const created = { created_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('ai_chunks', {
    id, account_id: account,
    article_id: { type: T.STRING(36), allowNull: false },
    position: { type: T.INTEGER, allowNull: false },
    model: { type: T.STRING(200), allowNull: false },
    title: { type: T.STRING(200), allowNull: false },
    slug: { type: T.STRING(100), allowNull: false },
    text: { type: T.TEXT, allowNull: false },
    vector: { type: T.JSON, allowNull: false },
    ...created,
  });
  await qi.addIndex('ai_chunks', ['account_id', 'model'], { name: 'ai_chunks_account_model' });
  await qi.addIndex('ai_chunks', ['account_id', 'article_id'], { name: 'ai_chunks_account_article' });

  await qi.createTable('ai_usage', {
    id, account_id: account,
    kind: { type: T.STRING(12), allowNull: false },
    conversation_id: { type: T.STRING(36), allowNull: true },
    reason: { type: T.STRING(40), allowNull: true },
    prompt_tokens: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    completion_tokens: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    ...created,
  });
  await qi.addIndex('ai_usage', ['account_id', 'created_at'], { name: 'ai_usage_account_created' });

  await qi.createTable('ai_feedback', {
    id, account_id: account,
    conversation_id: { type: T.STRING(36), allowNull: false },
    helpful: { type: T.BOOLEAN, allowNull: false },
    ...created,
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('ai_feedback', ['account_id', 'created_at'], { name: 'ai_feedback_account_created' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('ai_feedback');
  await qi.dropTable('ai_usage');
  await qi.dropTable('ai_chunks');
}
