import { Value } from '@sinclair/typebox/value';
import type { CharlaConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { CoreModels } from '../db/core-models.js';
import { newId } from '../db/ids.js';
import { CoreErrors, defineError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Broker } from '../events/broker.js';
import { includesPlugin, type EntitlementService } from '../accounts/entitlements.js';
import type { CharlaPlugin } from './types.js';

export const PluginErrors = {
  notFound: defineError('CHARLA_CORE_PLUGIN_NOT_FOUND', 404),
  disabled: defineError('CHARLA_CORE_PLUGIN_DISABLED', 404),
  required: defineError('CHARLA_CORE_PLUGIN_REQUIRED', 409),
  planTooLow: defineError('CHARLA_CORE_PLAN_REQUIRED', 403),
  badSettings: defineError('CHARLA_CORE_PLUGIN_SETTINGS_INVALID', 400),
};

/**
 * What a secret setting reads as once set: the value itself never leaves the server.
 * Sending it back unchanged (a form saved without touching the field) keeps the stored value.
 */
export const SECRET_MASK = '••••••••';

/** The top-level settings a plugin marks secret (`Type.String({ secret: true })`, or JSON Schema's `writeOnly: true`). */
export function secretSettings(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, { secret?: unknown; writeOnly?: unknown } | undefined> } | null | undefined)?.properties ?? {};
  return Object.entries(props).filter(([, s]) => s?.secret === true || s?.writeOnly === true).map(([k]) => k);
}

export interface PluginView {
  name: string;
  version: string;
  description: string | null;
  /** The first configured plan that includes it (what to upgrade to); null for a required plugin. */
  plan: string | null;
  required: boolean;
  /** The account's plan includes it. */
  available: boolean;
  enabled: boolean;
  settingsSchema: unknown;
  settings: Record<string, unknown>;
}

/**
 * The enabled plugins of the instance and, per account, whether each is on (the
 * account's plan includes it and nobody turned it off) and its settings (validated
 * against the plugin's TypeBox schema, defaults filled in). Cached per account for a
 * few seconds; a change is announced to every instance (`sys/plugins.changed`), which
 * drops that account's entry, so a toggle applies at once everywhere (within the cache
 * time if the message is lost).
 */
export class PluginRegistry {
  private readonly cache = new Map<string, { at: number; rows: Map<string, { enabled: boolean; settings: Record<string, unknown> }> }>();
  private readonly byName: Map<string, CharlaPlugin>;

  constructor(private readonly d: { config: CharlaConfig; db: Database; models: CoreModels; events: EventBus; broker: Broker; entitlements: EntitlementService }, readonly plugins: CharlaPlugin[]) {
    this.byName = new Map(plugins.map((p) => [p.name, p]));
    void d.broker.subscribe('sys/plugins.changed', (msg) => {
      if (typeof msg.accountId === 'string') this.forget(msg.accountId);
    });
  }

  get(name: string): CharlaPlugin | undefined {
    return this.byName.get(name);
  }

  private async load(accountId: string) {
    const hit = this.cache.get(accountId);
    if (hit && Date.now() - hit.at < 3000) return hit;
    const rows = await this.d.db.scope(accountId).findAll(this.d.models.PluginSetting);
    const entry = {
      at: Date.now(),
      rows: new Map(rows.map((r) => [r.plugin, { enabled: !!r.enabled, settings: (typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings) ?? {} }])),
    };
    this.cache.set(accountId, entry);
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  defaults(p: CharlaPlugin): Record<string, unknown> {
    return p.settings ? (Value.Default(p.settings, Value.Create(p.settings)) as Record<string, unknown>) : {};
  }

  async isEnabled(accountId: string, name: string): Promise<boolean> {
    const p = this.byName.get(name);
    if (!p) return false;
    if (p.required) return true;
    if (!(await this.inPlan(accountId, name))) return false;
    const e = await this.load(accountId);
    return e.rows.get(name)?.enabled ?? true;
  }

  /** Whether the account's plan includes the plugin (required plugins are in every plan). */
  private async inPlan(accountId: string, name: string): Promise<boolean> {
    return !!this.byName.get(name)?.required || includesPlugin(await this.d.entitlements.for(accountId), name);
  }

  /** The first configured plan that includes a plugin. */
  private upgradeTo(p: CharlaPlugin): string | null {
    if (p.required) return null;
    return this.d.entitlements.list().find((plan) => plan.plugins.includes('*') || plan.plugins.includes(p.name))?.id ?? null;
  }

  /**
   * The one gate for background work: whether `owner`'s hooks, event handlers and jobs
   * run for an account. Core (any owner that is not a plugin) and required plugins
   * always do; other plugins when they are on for the account.
   */
  async runsFor(owner: string, accountId: string): Promise<boolean> {
    const p = this.byName.get(owner);
    if (!p || p.required) return true;
    return this.isEnabled(accountId, owner);
  }

  async settings(accountId: string, name: string): Promise<Record<string, unknown>> {
    const p = this.byName.get(name);
    if (!p) throw PluginErrors.notFound(`No plugin "${name}" is enabled on this instance.`);
    const e = await this.load(accountId);
    return { ...this.defaults(p), ...(e.rows.get(name)?.settings ?? {}) };
  }

  async forAccount(accountId: string): Promise<PluginView[]> {
    return Promise.all(this.plugins.map(async (p) => ({
      name: p.name, version: p.version, description: p.description ?? null, plan: this.upgradeTo(p), required: !!p.required,
      available: await this.inPlan(accountId, p.name),
      enabled: await this.isEnabled(accountId, p.name),
      settingsSchema: p.settings ?? null,
      settings: masked(p, await this.settings(accountId, p.name)),
    })));
  }

  async update(accountId: string, name: string, patch: { enabled?: boolean; settings?: Record<string, unknown> }): Promise<PluginView> {
    const p = this.byName.get(name);
    if (!p) throw PluginErrors.notFound(`No plugin "${name}" is enabled on this instance.`);
    const e = await this.load(accountId);
    if (patch.enabled === false && p.required) throw PluginErrors.required(`"${name}" is part of the core product and cannot be turned off.`);
    if (patch.enabled === true && !(await this.inPlan(accountId, name))) {
      const plan = (await this.d.entitlements.for(accountId)).plan.name;
      const to = this.upgradeTo(p);
      throw PluginErrors.planTooLow(`"${name}" is not included in this account's plan (${plan})${to ? `; the ${to} plan includes it` : ''}.`);
    }
    let settings = e.rows.get(name)?.settings ?? {};
    if (patch.settings !== undefined) {
      if (!p.settings) throw PluginErrors.badSettings(`"${name}" has no settings.`);
      // A secret sent back as its mask means "unchanged".
      const incoming = { ...patch.settings };
      for (const k of secretSettings(p.settings)) if (incoming[k] === SECRET_MASK) delete incoming[k];
      const merged = { ...this.defaults(p), ...settings, ...incoming };
      const errors = [...Value.Errors(p.settings, merged)].slice(0, 5).map((x) => `${x.path || 'settings'}: ${x.message}`);
      if (errors.length) throw PluginErrors.badSettings(`Invalid settings for "${name}": ${errors.join('; ')}.`);
      settings = Value.Clean(p.settings, Value.Clone(merged)) as Record<string, unknown>;
    }
    const enabled = patch.enabled ?? e.rows.get(name)?.enabled ?? true;
    await this.d.db.transaction(async () => {
      const scope = this.d.db.scope(accountId);
      const n = await scope.update(this.d.models.PluginSetting, { enabled, settings }, { plugin: name });
      if (!n) await scope.create(this.d.models.PluginSetting, { id: newId(), plugin: name, enabled, settings });
    });
    this.cache.delete(accountId);
    this.d.events.system('plugins.changed', { accountId });
    const view = (await this.forAccount(accountId)).find((v) => v.name === name);
    if (!view) throw CoreErrors.notFound('plugin vanished');
    return view;
  }

  forget(accountId: string): void {
    this.cache.delete(accountId);
  }
}

/** Settings as an admin reads them: a secret that is set shows as SECRET_MASK, an unset one as it is (empty). */
function masked(p: CharlaPlugin, settings: Record<string, unknown>): Record<string, unknown> {
  const keys = secretSettings(p.settings);
  if (!keys.length) return settings;
  const out = { ...settings };
  for (const k of keys) if (out[k] !== undefined && out[k] !== null && out[k] !== '') out[k] = SECRET_MASK;
  return out;
}
