import type { MigrationContext } from '@charla/core';

/** The billing plugin's tables: per-account daily activity (the usage meter) and the events already counted. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };
  await qi.createTable('billing_days', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: account,
    day: { type: T.STRING(10), allowNull: false },
    conversations: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    last_activity_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('billing_days', ['account_id', 'day'], { name: 'billing_days_account_day', unique: true });
  await qi.addIndex('billing_days', ['day'], { name: 'billing_days_day' });
  await qi.createTable('billing_metered_events', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: account,
    ...ts,
  });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('billing_metered_events');
  await qi.dropTable('billing_days');
}
