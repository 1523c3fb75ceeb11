import type { MigrationContext } from '@charla/core';

/**
 * `conversations.first_visitor_message_at`: when the visitor first wrote. Routing takes
 * only conversations a visitor wrote in (an empty one started from the widget waits
 * for its first message), and the cap on open empty conversations counts the others.
 * Filled for existing conversations from their messages.
 */
export async function up({ context: { queryInterface: qi, sequelize, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('conversations', 'first_visitor_message_at', { type: T.DATE, allowNull: true });
  await sequelize.query(`UPDATE conversations SET first_visitor_message_at = (
    SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.account_id = conversations.account_id AND m.sender_type = 'visitor')`);
  await qi.addIndex('conversations', ['account_id', 'assignee_id', 'status'], { name: 'conversations_assignee' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex('conversations', 'conversations_assignee');
  await qi.removeColumn('conversations', 'first_visitor_message_at');
}
