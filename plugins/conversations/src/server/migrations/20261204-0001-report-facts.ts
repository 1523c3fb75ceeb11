import type { MigrationContext } from '@charla/core';

/**
 * What reports need: the channel a visitor's session came from (`visitors.channel`:
 * `web` for the widget, `app` for a mobile SDK; sent at widget init), the page a
 * conversation started on (`conversations.start_url`, the visitor's current page when it
 * was opened), and indexes for date ranges of conversations and messages per account.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('visitors', 'channel', { type: T.STRING(20), allowNull: false, defaultValue: 'web' });
  await qi.addColumn('conversations', 'start_url', { type: T.STRING(2000), allowNull: true });
  await qi.addIndex('conversations', ['account_id', 'created_at'], { name: 'conversations_created' });
  await qi.addIndex('messages', ['account_id', 'created_at'], { name: 'messages_created' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex('messages', 'messages_created');
  await qi.removeIndex('conversations', 'conversations_created');
  await qi.removeColumn('conversations', 'start_url');
  await qi.removeColumn('visitors', 'channel');
}
