import type { MigrationContext } from '../migrator.js';

export async function up({ context: { queryInterface: qi, DataTypes: T } }: { context: MigrationContext }): Promise<void> {
  const id = { type: T.STRING(36), primaryKey: true, allowNull: false };
  const ts = {
    created_at: { type: T.DATE, allowNull: false },
    updated_at: { type: T.DATE, allowNull: false },
  };
  const account = { type: T.STRING(36), allowNull: false, references: { model: 'accounts', key: 'id' }, onDelete: 'CASCADE' };

  await qi.createTable('instance_settings', {
    key: { type: T.STRING(100), primaryKey: true },
    value: { type: T.TEXT, allowNull: false },
  });

  await qi.createTable('accounts', {
    id, name: { type: T.STRING(200), allowNull: false },
    plan: { type: T.STRING(30), allowNull: false, defaultValue: 'basic' },
    ...ts,
  });

  await qi.createTable('users', {
    id, account_id: account,
    name: { type: T.STRING(200), allowNull: false },
    email: { type: T.STRING(320), allowNull: false },
    role: { type: T.STRING(20), allowNull: false },
    password_hash: { type: T.STRING(300), allowNull: false },
    ...ts,
  });
  await qi.addIndex('users', ['email'], { unique: true, name: 'users_email_unique' });
  await qi.addIndex('users', ['account_id']);

  await qi.createTable('sessions', {
    id, account_id: account,
    user_id: { type: T.STRING(36), allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    expires_at: { type: T.DATE, allowNull: false },
    revoked_at: { type: T.DATE, allowNull: true },
    user_agent: { type: T.STRING(300), allowNull: true },
    ...ts,
  });
  await qi.addIndex('sessions', ['user_id']);

  await qi.createTable('password_resets', {
    id, account_id: account,
    user_id: { type: T.STRING(36), allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    token_hash: { type: T.STRING(64), allowNull: false, unique: true },
    expires_at: { type: T.DATE, allowNull: false },
    used_at: { type: T.DATE, allowNull: true },
    ...ts,
  });

  await qi.createTable('invitations', {
    id, account_id: account,
    email: { type: T.STRING(320), allowNull: false },
    role: { type: T.STRING(20), allowNull: false },
    token_hash: { type: T.STRING(64), allowNull: false, unique: true },
    invited_by: { type: T.STRING(36), allowNull: true },
    expires_at: { type: T.DATE, allowNull: false },
    accepted_at: { type: T.DATE, allowNull: true },
    ...ts,
  });
  await qi.addIndex('invitations', ['account_id']);

  await qi.createTable('sites', {
    id, account_id: account,
    name: { type: T.STRING(200), allowNull: false },
    app_id: { type: T.STRING(40), allowNull: false, unique: true },
    domain: { type: T.STRING(253), allowNull: true },
    widget: { type: T.JSON, allowNull: false },
    identity_secret: { type: T.STRING(100), allowNull: false },
    identity_required: { type: T.BOOLEAN, allowNull: false, defaultValue: false },
    ...ts,
  });
  await qi.addIndex('sites', ['account_id']);

  await qi.createTable('jobs', {
    id,
    account_id: { type: T.STRING(36), allowNull: true },
    type: { type: T.STRING(100), allowNull: false },
    payload: { type: T.JSON, allowNull: false },
    status: { type: T.STRING(20), allowNull: false, defaultValue: 'pending' },
    attempts: { type: T.INTEGER, allowNull: false, defaultValue: 0 },
    max_attempts: { type: T.INTEGER, allowNull: false, defaultValue: 8 },
    run_at: { type: T.DATE, allowNull: false },
    locked_until: { type: T.DATE, allowNull: true },
    locked_by: { type: T.STRING(100), allowNull: true },
    last_error: { type: T.TEXT, allowNull: true },
    ...ts,
  });
  await qi.addIndex('jobs', ['status', 'run_at'], { name: 'jobs_claim' });

  await qi.createTable('plugin_settings', {
    id, account_id: account,
    plugin: { type: T.STRING(100), allowNull: false },
    enabled: { type: T.BOOLEAN, allowNull: false, defaultValue: true },
    settings: { type: T.JSON, allowNull: false },
    ...ts,
  });
  await qi.addIndex('plugin_settings', ['account_id', 'plugin'], { unique: true, name: 'plugin_settings_unique' });
}

export async function down({ context: { queryInterface: qi } }: { context: MigrationContext }): Promise<void> {
  for (const t of ['plugin_settings', 'jobs', 'sites', 'invitations', 'password_resets', 'sessions', 'users', 'accounts', 'instance_settings']) {
    await qi.dropTable(t);
  }
}
