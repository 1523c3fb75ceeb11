import type { MigrationContext } from '@charla/core';

/**
 * Contact profiles (the contacts plugin filters them through `ConversationsData.visitors.search`):
 * `visitors.page_view_count`, kept with each page view (backfilled from `page_views`), and
 * indexes for the filter fields and sort keys of a contact search, per account.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T, sequelize } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('visitors', 'page_view_count', { type: T.INTEGER, allowNull: false, defaultValue: 0 });
  await sequelize.query('UPDATE visitors SET page_view_count = (SELECT COUNT(*) FROM page_views p WHERE p.visitor_id = visitors.id)');
  for (const col of ['last_seen_at', 'first_seen_at', 'created_at', 'visit_count', 'page_view_count', 'email', 'external_id', 'country', 'language', 'name']) {
    await qi.addIndex('visitors', ['account_id', col, 'id'], { name: `visitors_account_${col}` });
  }
  await qi.addIndex('tracked_events', ['visitor_id', 'name', 'created_at'], { name: 'tracked_events_visitor' });
  await qi.addIndex('page_views', ['account_id', 'url'], { name: 'page_views_account_url' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex('page_views', 'page_views_account_url');
  await qi.removeIndex('tracked_events', 'tracked_events_visitor');
  for (const col of ['last_seen_at', 'first_seen_at', 'created_at', 'visit_count', 'page_view_count', 'email', 'external_id', 'country', 'language', 'name']) {
    await qi.removeIndex('visitors', `visitors_account_${col}`);
  }
  await qi.removeColumn('visitors', 'page_view_count');
}
