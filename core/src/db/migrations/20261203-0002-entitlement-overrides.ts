import type { MigrationContext } from '../migrator.js';

/** Per-account entitlement overrides on top of the plan (docs/configuration.md "Plans"), set by an operator. */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('accounts', 'entitlement_overrides', { type: T.JSON, allowNull: true });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeColumn('accounts', 'entitlement_overrides');
}
