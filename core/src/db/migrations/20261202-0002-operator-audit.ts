import type { MigrationContext } from '../migrator.js';

/** Every cross-account use by an operator (OPERATOR_EMAILS): who, what, when. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('operator_audit', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    user_id: { type: T.STRING(36), allowNull: false },
    email: { type: T.STRING(320), allowNull: false },
    action: { type: T.STRING(200), allowNull: false },
    detail: { type: T.JSON, allowNull: false },
    created_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('operator_audit', ['created_at']);
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('operator_audit');
}
