import type { MigrationContext } from '@charla/core';

export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const site = { type: T.STRING(36), allowNull: false, references: { model: 'sites', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('visitors', {
    id, account_id: account, site_id: site,
    external_id: { type: T.STRING(200), allowNull: true },
    email: { type: T.STRING(320), allowNull: true },
    name: { type: T.STRING(200), allowNull: true },
    verified: { type: T.BOOLEAN, allowNull: false, defaultValue: false },
    attributes: { type: T.JSON, allowNull: false },
    country: { type: T.STRING(2), allowNull: true },
    language: { type: T.STRING(35), allowNull: true },
    first_seen_at: { type: T.DATE, allowNull: false },
    last_seen_at: { type: T.DATE, allowNull: false },
    visit_count: { type: T.INTEGER, allowNull: false, defaultValue: 1 },
    current_url: { type: T.STRING(2000), allowNull: true },
    current_title: { type: T.STRING(300), allowNull: true },
    user_agent: { type: T.STRING(300), allowNull: true },
    token_version: { type: T.INTEGER, allowNull: false, defaultValue: 1 },
    ...ts,
  });
  await qi.addIndex('visitors', ['account_id', 'site_id', 'last_seen_at'], { name: 'visitors_site_seen' });
  await qi.addIndex('visitors', ['site_id', 'external_id'], { name: 'visitors_site_external' });
  await qi.addIndex('visitors', ['site_id', 'email'], { name: 'visitors_site_email' });

  await qi.createTable('conversations', {
    id, account_id: account, site_id: site,
    visitor_id: { type: T.STRING(36), allowNull: false, references: { model: 'visitors', key: 'id' }, onDelete: 'CASCADE' },
    status: { type: T.STRING(10), allowNull: false },
    assignee_id: { type: T.STRING(36), allowNull: true },
    priority: { type: T.STRING(10), allowNull: false, defaultValue: 'normal' },
    channel: { type: T.STRING(20), allowNull: false, defaultValue: 'web' },
    tags: { type: T.JSON, allowNull: false },
    last_seq: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    last_message: { type: T.JSON, allowNull: true },
    last_public_message: { type: T.JSON, allowNull: true },
    last_activity_at: { type: T.DATE, allowNull: false },
    first_response_at: { type: T.DATE, allowNull: true },
    resolved_at: { type: T.DATE, allowNull: true },
    unread_by_agents: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    unread_by_visitor: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    agent_read_seq: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    visitor_read_seq: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    emailed_seq: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    ...ts,
  });
  await qi.addIndex('conversations', ['account_id', 'status', 'last_activity_at'], { name: 'conversations_inbox' });
  await qi.addIndex('conversations', ['visitor_id', 'status'], { name: 'conversations_visitor' });

  await qi.createTable('messages', {
    id, account_id: account,
    conversation_id: { type: T.STRING(36), allowNull: false, references: { model: 'conversations', key: 'id' }, onDelete: 'CASCADE' },
    seq: { type: T.INTEGER, allowNull: false },
    sender_type: { type: T.STRING(10), allowNull: false },
    sender_id: { type: T.STRING(36), allowNull: true },
    content: { type: T.TEXT, allowNull: false },
    private: { type: T.BOOLEAN, allowNull: false, defaultValue: false },
    client_id: { type: T.STRING(100), allowNull: true },
    metadata: { type: T.JSON, allowNull: true },
    read_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('messages', ['conversation_id', 'seq'], { unique: true, name: 'messages_conversation_seq' });
  await qi.addIndex('messages', ['account_id', 'sender_type', 'sender_id', 'client_id'], { unique: true, name: 'messages_client_id' });

  await qi.createTable('page_views', {
    id, account_id: account, site_id: site,
    visitor_id: { type: T.STRING(36), allowNull: false, references: { model: 'visitors', key: 'id' }, onDelete: 'CASCADE' },
    url: { type: T.STRING(2000), allowNull: false },
    title: { type: T.STRING(300), allowNull: true },
    referrer: { type: T.STRING(2000), allowNull: true },
    ...ts,
  });
  await qi.addIndex('page_views', ['visitor_id', 'created_at'], { name: 'page_views_visitor' });

  await qi.createTable('tracked_events', {
    id, account_id: account, site_id: site,
    visitor_id: { type: T.STRING(36), allowNull: false, references: { model: 'visitors', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: T.STRING(100), allowNull: false },
    properties: { type: T.JSON, allowNull: false },
    ...ts,
  });
  await qi.addIndex('tracked_events', ['account_id', 'name', 'created_at'], { name: 'tracked_events_name' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  for (const t of ['tracked_events', 'page_views', 'messages', 'conversations', 'visitors']) await qi.dropTable(t);
}
