import { DataTypes, type Model, type ModelStatic } from 'sequelize';
import type { Database } from './database.js';
import type { Role } from '../auth/actor.js';

export interface AccountAttrs { id: string; name: string; plan: string; entitlementOverrides?: Record<string, unknown> | null; suspendedAt?: Date | null; createdAt?: Date; updatedAt?: Date }
export interface UserAttrs { id: string; accountId: string; name: string; email: string; role: Role; passwordHash: string; createdAt?: Date; updatedAt?: Date }
export interface SessionAttrs { id: string; accountId: string; userId: string; expiresAt: Date; revokedAt: Date | null; userAgent: string | null; createdAt?: Date }
export interface PasswordResetAttrs { id: string; accountId: string; userId: string; tokenHash: string; expiresAt: Date; usedAt: Date | null; createdAt?: Date }
export interface InvitationAttrs { id: string; accountId: string; email: string; role: Role; tokenHash: string; invitedBy: string | null; expiresAt: Date; acceptedAt: Date | null; createdAt?: Date }
export interface SiteAttrs { id: string; accountId: string; name: string; appId: string; domain: string | null; widget: Record<string, unknown>; identitySecret: string; identityRequired: boolean; createdAt?: Date; updatedAt?: Date }
export interface PluginSettingAttrs { id: string; accountId: string; plugin: string; enabled: boolean; settings: Record<string, unknown> }

export interface ApiKeyAttrs { id: string; accountId: string; name: string; scopes: string[]; prefix: string; keyHash: string; createdBy: string | null; lastUsedAt: Date | null; createdAt?: Date; updatedAt?: Date }

export interface OperatorAuditAttrs { id: string; userId: string; email: string; action: string; detail: Record<string, unknown>; createdAt?: Date }

export type Row<A extends object> = Model<A, Partial<A>> & A;

export interface CoreModels {
  Account: ModelStatic<Row<AccountAttrs>>;
  User: ModelStatic<Row<UserAttrs>>;
  Session: ModelStatic<Row<SessionAttrs>>;
  PasswordReset: ModelStatic<Row<PasswordResetAttrs>>;
  Invitation: ModelStatic<Row<InvitationAttrs>>;
  Site: ModelStatic<Row<SiteAttrs>>;
  PluginSetting: ModelStatic<Row<PluginSettingAttrs>>;
  InstanceSetting: ModelStatic<Row<{ key: string; value: string }>>;
  ApiKey: ModelStatic<Row<ApiKeyAttrs>>;
  OperatorAudit: ModelStatic<Row<OperatorAuditAttrs>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const accountId = { type: DataTypes.STRING(36), allowNull: false };

export function defineCoreModels(db: Database): CoreModels {
  return {
    Account: db.define<Row<AccountAttrs>>('Account', { id, name: DataTypes.STRING(200), plan: DataTypes.STRING(30), entitlementOverrides: DataTypes.JSON, suspendedAt: DataTypes.DATE }, { tableName: 'accounts', tenant: false }),
    User: db.define<Row<UserAttrs>>('User', {
      id, accountId, name: DataTypes.STRING(200), email: DataTypes.STRING(320), role: DataTypes.STRING(20), passwordHash: DataTypes.STRING(300),
    }, { tableName: 'users' }),
    Session: db.define<Row<SessionAttrs>>('Session', {
      id, accountId, userId: DataTypes.STRING(36), expiresAt: DataTypes.DATE, revokedAt: DataTypes.DATE, userAgent: DataTypes.STRING(300),
    }, { tableName: 'sessions' }),
    PasswordReset: db.define<Row<PasswordResetAttrs>>('PasswordReset', {
      id, accountId, userId: DataTypes.STRING(36), tokenHash: DataTypes.STRING(64), expiresAt: DataTypes.DATE, usedAt: DataTypes.DATE,
    }, { tableName: 'password_resets' }),
    Invitation: db.define<Row<InvitationAttrs>>('Invitation', {
      id, accountId, email: DataTypes.STRING(320), role: DataTypes.STRING(20), tokenHash: DataTypes.STRING(64), invitedBy: DataTypes.STRING(36), expiresAt: DataTypes.DATE, acceptedAt: DataTypes.DATE,
    }, { tableName: 'invitations' }),
    Site: db.define<Row<SiteAttrs>>('Site', {
      id, accountId, name: DataTypes.STRING(200), appId: DataTypes.STRING(40), domain: DataTypes.STRING(253), widget: DataTypes.JSON, identitySecret: DataTypes.STRING(100), identityRequired: DataTypes.BOOLEAN,
    }, { tableName: 'sites' }),
    PluginSetting: db.define<Row<PluginSettingAttrs>>('PluginSetting', {
      id, accountId, plugin: DataTypes.STRING(100), enabled: DataTypes.BOOLEAN, settings: DataTypes.JSON,
    }, { tableName: 'plugin_settings' }),
    InstanceSetting: db.define<Row<{ key: string; value: string }>>('InstanceSetting', {
      key: { type: DataTypes.STRING(100), primaryKey: true }, value: DataTypes.TEXT,
    }, { tableName: 'instance_settings', tenant: false, timestamps: false }),
    ApiKey: db.define<Row<ApiKeyAttrs>>('ApiKey', {
      id, accountId, name: DataTypes.STRING(200), scopes: DataTypes.JSON, prefix: DataTypes.STRING(20), keyHash: DataTypes.STRING(64), createdBy: DataTypes.STRING(36), lastUsedAt: DataTypes.DATE,
    }, { tableName: 'api_keys' }),
    OperatorAudit: db.define<Row<OperatorAuditAttrs>>('OperatorAudit', {
      id, userId: DataTypes.STRING(36), email: DataTypes.STRING(320), action: DataTypes.STRING(200), detail: DataTypes.JSON,
    }, { tableName: 'operator_audit', tenant: false, updatedAt: false }),
  };
}

/**
 * Reads an instance-wide secret, creating it once if absent. Concurrent first starts of
 * several instances converge on the same value (insert-if-absent, then read).
 */
export async function ensureInstanceSecret(models: CoreModels, key: string, make: () => string): Promise<string> {
  const existing = await models.InstanceSetting.findByPk(key);
  if (existing) return existing.value;
  await models.InstanceSetting.findOrCreate({ where: { key }, defaults: { key, value: make() } }).catch(() => undefined);
  const row = await models.InstanceSetting.findByPk(key);
  if (!row) throw new Error(`could not create instance setting ${key}`);
  return row.value;
}
