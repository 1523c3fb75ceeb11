import type { MigrationContext } from '@charla/core';

/** The bot's tables: rules (ordered per account), flows (decision trees) and firings (one per visitor message a rule acted on). */
export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };
  const ts = { created_at: { type: T.DATE, allowNull: false }, updated_at: { type: T.DATE, allowNull: false } };

  await qi.createTable('bot_rules', {
    id, account_id: account,
    name: { type: T.STRING(100), allowNull: false },
    enabled: { type: T.BOOLEAN, allowNull: false, defaultValue: true },
    site_id: { type: T.STRING(36), allowNull: true },
    position: { type: T.INTEGER, allowNull: false },
    trigger: { type: T.STRING(30), allowNull: false },
    conditions: { type: T.JSON, allowNull: false },
    actions: { type: T.JSON, allowNull: false },
    ...ts,
  });
  await qi.addIndex('bot_rules', ['account_id', 'position'], { name: 'bot_rules_account_position' });

  await qi.createTable('bot_flows', {
    id, account_id: account,
    name: { type: T.STRING(100), allowNull: false },
    start_node_id: { type: T.STRING(40), allowNull: false },
    nodes: { type: T.JSON, allowNull: false },
    ...ts,
  });
  await qi.addIndex('bot_flows', ['account_id'], { name: 'bot_flows_account' });

  await qi.createTable('bot_firings', {
    id, account_id: account,
    rule_id: { type: T.STRING(36), allowNull: false },
    conversation_id: { type: T.STRING(36), allowNull: false },
    handed_off: { type: T.BOOLEAN, allowNull: false, defaultValue: false },
    ...ts,
  });
  await qi.addIndex('bot_firings', ['account_id', 'rule_id', 'created_at'], { name: 'bot_firings_rule' });
  await qi.addIndex('bot_firings', ['account_id', 'conversation_id'], { name: 'bot_firings_conversation' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  for (const t of ['bot_firings', 'bot_flows', 'bot_rules']) await qi.dropTable(t);
}
