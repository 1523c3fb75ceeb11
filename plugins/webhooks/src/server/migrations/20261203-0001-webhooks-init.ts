import type { MigrationContext } from '@charla/core';

/** The webhooks plugin's tables: endpoints per account and their delivery log. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('webhook_endpoints', {
    id, account_id: account,
    url: { type: T.STRING(2048), allowNull: false },
    description: { type: T.STRING(500), allowNull: true },
    events: { type: T.JSON, allowNull: false },
    enabled: { type: T.BOOLEAN, allowNull: false, defaultValue: true },
    include_private: { type: T.BOOLEAN, allowNull: false, defaultValue: false },
    secret: { type: T.STRING(100), allowNull: false },
    previous_secret: { type: T.STRING(100), allowNull: true },
    previous_secret_until: { type: T.DATE, allowNull: true },
    disabled_reason: { type: T.STRING(300), allowNull: true },
    ...ts,
  });
  await qi.addIndex('webhook_endpoints', ['account_id'], { name: 'webhook_endpoints_account' });

  await qi.createTable('webhook_deliveries', {
    id, account_id: account,
    endpoint_id: { type: T.STRING(36), allowNull: false, references: { model: 'webhook_endpoints', key: 'id' }, onDelete: 'CASCADE' },
    event_id: { type: T.STRING(36), allowNull: false },
    type: { type: T.STRING(100), allowNull: false },
    body: { type: T.TEXT, allowNull: false },
    status: { type: T.STRING(12), allowNull: false, defaultValue: 'pending' },
    attempts: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    last_status: { type: T.INTEGER, allowNull: true },
    last_error: { type: T.STRING(500), allowNull: true },
    duration_ms: { type: T.INTEGER, allowNull: true },
    next_attempt_at: { type: T.DATE, allowNull: true },
    delivered_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  // One delivery per event and endpoint: a redelivered outbox event adds nothing.
  await qi.addIndex('webhook_deliveries', ['endpoint_id', 'event_id'], { unique: true, name: 'webhook_deliveries_event' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  for (const t of ['webhook_deliveries', 'webhook_endpoints']) await qi.dropTable(t);
}
