import type { MigrationContext } from '@charla/core';

/** The contacts plugin's own table: saved segments (a name and a filter) per account. Profiles live with the conversations plugin's visitors. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('contact_segments', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: T.STRING(200), allowNull: false },
    filter: { type: T.JSON, allowNull: false },
    created_by: { type: T.STRING(36), allowNull: true },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('contact_segments', ['account_id', 'created_at'], { name: 'contact_segments_account' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('contact_segments');
}
