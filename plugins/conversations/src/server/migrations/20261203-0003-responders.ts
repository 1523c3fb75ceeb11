import type { MigrationContext } from '@charla/core';

/**
 * Automated responders: `responder_turns` holds one row per visitor message a responder
 * turn ran for (its primary key is the message id: a redelivered or concurrent turn
 * fails to insert and does nothing); `conversations.responder` is the responder that
 * claimed the conversation, `handed_off_at` when it was handed to the team.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('responder_turns', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    conversation_id: { type: T.STRING(36), allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addColumn('conversations', 'responder', { type: T.STRING(100), allowNull: true });
  await qi.addColumn('conversations', 'handed_off_at', { type: T.DATE, allowNull: true });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeColumn('conversations', 'handed_off_at');
  await qi.removeColumn('conversations', 'responder');
  await qi.dropTable('responder_turns');
}
