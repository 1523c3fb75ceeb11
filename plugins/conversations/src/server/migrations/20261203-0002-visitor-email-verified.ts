import type { MigrationContext } from '@charla/core';

/**
 * `visitors.email_verified`: the visitor proved its e-mail address (the site hashed it,
 * or the visitor followed a confirmation link). Only such an address is matched, merged
 * on or e-mailed; any other e-mail is contact data the visitor typed.
 */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn('visitors', 'email_verified', { type: T.BOOLEAN, allowNull: false, defaultValue: false });
  // Contacts verified by e-mail alone (no externalId) had their address hashed by the site.
  await qi.bulkUpdate('visitors', { email_verified: true }, { verified: true, external_id: null });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  await qi.removeColumn('visitors', 'email_verified');
}
