import type { MigrationContext } from '@charla/core';

/**
 * Daily rollups: one row per account, time zone, day and site with that day's figures
 * (`stats`, the mergeable form in stats.ts), written by the `reports.rollup` job.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('report_daily_rollups', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    timezone: { type: T.STRING(64), allowNull: false },
    day: { type: T.STRING(10), allowNull: false },
    site_id: { type: T.STRING(36), allowNull: false },
    stats: { type: T.JSON, allowNull: false },
    computed_at: { type: T.DATE, allowNull: false },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('report_daily_rollups', ['account_id', 'timezone', 'day', 'site_id'], { unique: true, name: 'report_daily_rollups_day' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('report_daily_rollups');
}
