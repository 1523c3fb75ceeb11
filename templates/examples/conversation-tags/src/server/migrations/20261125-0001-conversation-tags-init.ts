import type { MigrationContext } from '@charla/core';

export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('conversation_tags', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: T.STRING(40), allowNull: false },
    color: { type: T.STRING(7), allowNull: false },
    keywords: { type: T.JSON, allowNull: false },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('conversation_tags', ['account_id', 'name'], { unique: true, name: 'conversation_tags_name' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('conversation_tags');
}
