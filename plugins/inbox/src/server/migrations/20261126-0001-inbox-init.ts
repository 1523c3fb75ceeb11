import type { MigrationContext } from '@charla/core';

/** The inbox plugin's tables: agent state, per-conversation routing/SLA state, e-mail notification outbox, quick replies. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const user = { type: T.STRING(36), allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('inbox_agents', {
    id, account_id: account, user_id: user,
    status: { type: T.STRING(12), allowNull: false, defaultValue: 'available' },
    capacity: { type: T.INTEGER, allowNull: true },
    last_active_at: { type: T.DATE, allowNull: true },
    offline_since: { type: T.DATE, allowNull: true },
    notifications: { type: T.JSON, allowNull: true },
    digest_scheduled_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('inbox_agents', ['account_id', 'user_id'], { unique: true, name: 'inbox_agents_user' });

  await qi.createTable('inbox_conversations', {
    id, account_id: account,
    conversation_id: { type: T.STRING(36), allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    queued_at: { type: T.DATE, allowNull: true },
    queue_position: { type: T.INTEGER, allowNull: true },
    excluded_user_id: { type: T.STRING(36), allowNull: true },
    priority_rule: { type: T.STRING(300), allowNull: true },
    sla_started_at: { type: T.DATE, allowNull: true },
    sla_due_at: { type: T.DATE, allowNull: true },
    sla_warned_at: { type: T.DATE, allowNull: true },
    sla_breached_at: { type: T.DATE, allowNull: true },
    sla_met_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('inbox_conversations', ['conversation_id'], { unique: true, name: 'inbox_conversations_conversation' });
  await qi.addIndex('inbox_conversations', ['account_id', 'sla_started_at'], { name: 'inbox_conversations_sla' });

  await qi.createTable('inbox_notifications', {
    id, account_id: account, user_id: user,
    kind: { type: T.STRING(20), allowNull: false },
    conversation_id: { type: T.STRING(36), allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    message_id: { type: T.STRING(36), allowNull: true },
    summary: { type: T.STRING(300), allowNull: false },
    sent_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('inbox_notifications', ['account_id', 'user_id', 'sent_at'], { name: 'inbox_notifications_pending' });

  await qi.createTable('inbox_quick_replies', {
    id, account_id: account,
    shortcut: { type: T.STRING(40), allowNull: false },
    title: { type: T.STRING(100), allowNull: false },
    content: { type: T.TEXT, allowNull: false },
    created_by: { type: T.STRING(36), allowNull: true },
    ...ts,
  });
  await qi.addIndex('inbox_quick_replies', ['account_id', 'shortcut'], { unique: true, name: 'inbox_quick_replies_shortcut' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  for (const t of ['inbox_quick_replies', 'inbox_notifications', 'inbox_conversations', 'inbox_agents']) await qi.dropTable(t);
}
