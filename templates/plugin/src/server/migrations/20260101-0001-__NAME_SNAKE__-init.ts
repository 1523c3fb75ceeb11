import type { MigrationContext } from '@charla/core';

/** One table of this plugin. Every tenant table has account_id: the kernel's tenant guard relies on it. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('__NAME_SNAKE___notes', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    text: { type: T.STRING(500), allowNull: false },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('__NAME_SNAKE___notes', ['account_id', 'created_at']);
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('__NAME_SNAKE___notes');
}
