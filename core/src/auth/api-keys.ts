import { randomBytes } from 'node:crypto';
import type { Cradle } from '../container.js';
import { CoreErrors } from '../errors.js';
import { newId } from '../db/ids.js';
import type { ApiKeyAttrs } from '../db/core-models.js';
import { API_KEY_SCOPES, type ApiKeyActor, type ApiKeyScope } from './actor.js';
import { hashToken } from './passwords.js';

/** Every API key starts with this; `resolveActor` routes such tokens here. */
export const API_KEY_PREFIX = 'chk_';
/** `lastUsedAt` is written at most this often per key, so a busy key does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeyView { id: string; name: string; scopes: ApiKeyScope[]; prefix: string; createdAt: string; lastUsedAt: string | null }

type Deps = Pick<Cradle, 'db' | 'models' | 'clock' | 'logger'>;

/**
 * API keys of an account: `chk_` + 32 random bytes (base64url), stored only as their
 * SHA-256 (the key has 256 bits of entropy, so a fast hash is enough). There is no
 * cache: every request looks the hash up, so a deleted key is refused at once on every
 * instance.
 */
export class ApiKeyService {
  constructor(private readonly c: Deps) {}

  private view(k: ApiKeyAttrs): ApiKeyView {
    return { id: k.id, name: k.name, scopes: k.scopes as ApiKeyScope[], prefix: k.prefix, createdAt: new Date(k.createdAt!).toISOString(), lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : null };
  }

  async create(accountId: string, createdBy: string | null, input: { name: string; scopes: string[] }): Promise<ApiKeyView & { key: string }> {
    const name = input.name.trim();
    if (!name) throw CoreErrors.validation('name must not be blank.');
    const unknown = input.scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length) throw CoreErrors.validation(`Unknown scope ${unknown.map((s) => JSON.stringify(s)).join(', ')}; scopes are ${API_KEY_SCOPES.join(', ')}.`);
    if (!input.scopes.length) throw CoreErrors.validation(`A key needs at least one scope (${API_KEY_SCOPES.join(', ')}).`);
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.c.db.scope(accountId).create(this.c.models.ApiKey, {
      id: newId(), name, scopes: [...new Set(input.scopes)], prefix: key.slice(0, 12), keyHash: hashToken(key), createdBy, lastUsedAt: null,
    });
    this.c.logger.info({ accountId, keyId: row.id, scopes: row.scopes }, 'api key created');
    return { ...this.view(row.get({ plain: true })), key };
  }

  async list(accountId: string): Promise<ApiKeyView[]> {
    const rows = await this.c.db.scope(accountId).findAll(this.c.models.ApiKey, { order: [['createdAt', 'ASC']] });
    return rows.map((r) => this.view(r.get({ plain: true })));
  }

  async remove(accountId: string, id: string): Promise<void> {
    const n = await this.c.db.scope(accountId).destroy(this.c.models.ApiKey, { id });
    if (!n) throw CoreErrors.notFound('No API key with this id.');
    this.c.logger.info({ accountId, keyId: id }, 'api key deleted');
  }

  /** The actor of a presented key, or null when it is unknown or deleted. */
  async authenticate(key: string): Promise<ApiKeyActor | null> {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 100) return null;
    const keyHash = hashToken(key);
    // The key is the credential: which account it belongs to is what the lookup finds out.
    const row = await this.c.db.withoutTenant('api key lookup by hash', () => this.c.models.ApiKey.findOne({ where: { keyHash } }));
    if (!row) return null;
    const now = this.c.clock.now();
    if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.c.db.scope(row.accountId).update(this.c.models.ApiKey, { lastUsedAt: now }, { id: row.id });
    }
    return { kind: 'apiKey', accountId: row.accountId, keyId: row.id, name: row.name, scopes: row.scopes as ApiKeyScope[] };
  }
}
