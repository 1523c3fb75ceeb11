import type { MigrationContext } from '../migrator.js';

/** An operator's suspension of an account (API-features.md "Plans, billing and the operator"): null = active. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('accounts', 'suspended_at', { type: T.DATE, allowNull: true });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeColumn('accounts', 'suspended_at');
}
