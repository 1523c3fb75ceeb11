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
  // The payment provider's customer and subscription of an account (BILLING_PROVIDER).
  await qi.createTable('billing_customers', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: account,
    provider: { type: T.STRING(20), allowNull: false },
    customer_id: { type: T.STRING(255), allowNull: false },
    subscription_id: { type: T.STRING(255), allowNull: true },
    status: { type: T.STRING(30), allowNull: true },
    ...ts,
  });
  await qi.addIndex('billing_customers', ['account_id', 'provider'], { name: 'billing_customers_account', unique: true });
  await qi.addIndex('billing_customers', ['provider', 'customer_id'], { name: 'billing_customers_customer' });
  // Provider webhook events already applied (idempotency by the provider's event id).
  await qi.createTable('billing_provider_events', {
    id: { type: T.STRING(255), primaryKey: true, allowNull: false },
    type: { type: T.STRING(100), allowNull: false },
    ...ts,
  });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('billing_provider_events');
  await qi.dropTable('billing_customers');
  await qi.dropTable('billing_metered_events');
  await qi.dropTable('billing_days');
}
