import type { MigrationContext } from '../migrator.js';

/** API keys (API-features.md "Webhooks and API keys"): stored as a SHA-256 hash only. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable('api_keys', {
    id: { type: T.STRING(36), primaryKey: true, allowNull: false },
    account_id: { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' },
    name: { type: T.STRING(200), allowNull: false },
    scopes: { type: T.JSON, allowNull: false },
    prefix: { type: T.STRING(20), allowNull: false },
    key_hash: { type: T.STRING(64), allowNull: false, unique: true },
    created_by: { type: T.STRING(36), allowNull: true },
    last_used_at: { type: T.DATE, allowNull: true },
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  });
  await qi.addIndex('api_keys', ['account_id']);
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable('api_keys');
}
