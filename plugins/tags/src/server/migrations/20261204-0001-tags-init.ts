import type { MigrationContext } from '@charla/core';

export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('tags', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: T.STRING(40), allowNull: false },
    name_key: { type: T.STRING(40), allowNull: false },
    color: { type: T.STRING(7), allowNull: false },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('tags', ['account_id', 'name_key'], { unique: true, name: 'tags_account_name' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('tags');
}
