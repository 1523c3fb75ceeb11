import { Type, type Static } from '@sinclair/typebox';
import type { CharlaConfig } from '../config.js';
import type { Database } from '../db/database.js';
import type { CoreModels } from '../db/core-models.js';
import { defineError } from '../errors.js';
import type { Broker } from '../events/broker.js';
import type { EventBus } from '../events/event-bus.js';

/** An entitlement's value: a feature flag, or a number (0 = not entitled). */
export const EntitlementValue = Type.Union([Type.Boolean(), Type.Number({ minimum: 0 })]);
export type EntitlementValue = Static<typeof EntitlementValue>;

/** One plan of the operator's configuration (BILLING_PLANS, docs/configuration.md "Plans"). */
export const PlanSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,29}$', description: 'Stored on the account; kebab/snake case, at most 30 characters' }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  plugins: Type.Array(Type.String({ minLength: 1 }), { description: 'The plugins the plan includes; "*" = every plugin. Required plugins are always included.' }),
  limits: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]), { description: 'e.g. agents, sites, conversationsPerMonth; null or absent = unlimited' })),
  entitlements: Type.Optional(Type.Record(Type.String({ minLength: 1 }), EntitlementValue, { description: 'Named features of the plan, e.g. { "customBranding": true, "aiRepliesPerMonth": 500 }' })),
}, { additionalProperties: false });
export type PlanDefinition = Static<typeof PlanSchema>;

/** No configuration: one unlimited plan with every plugin (what a self-hosted install gets). */
export const UNCONFIGURED_PLAN: PlanDefinition = { id: 'enterprise', name: 'Enterprise', plugins: ['*'] };

/** Per-account overrides on top of the plan (set by an operator). */
export const OverridesSchema = Type.Object({
  limits: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]))),
  entitlements: Type.Optional(Type.Record(Type.String({ minLength: 1 }), EntitlementValue)),
}, { additionalProperties: false });
export type EntitlementOverrides = Static<typeof OverridesSchema>;

/** What an account may use: its plan, with the account's overrides applied. */
export const AccountEntitlementsSchema = Type.Object({
  plan: Type.Object({ id: Type.String(), name: Type.String() }),
  /** The plugins the plan includes (`['*']`: all). */
  plugins: Type.Array(Type.String()),
  /** Limits by name; a name not listed is unlimited, as is `null`. */
  limits: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.Null()])),
  entitlements: Type.Record(Type.String(), EntitlementValue),
});
export type AccountEntitlements = Static<typeof AccountEntitlementsSchema>;

/** The overrides stored on an account row (JSON; SQLite may hand back a string). */
export function overridesOf(account: { entitlementOverrides?: unknown } | null): EntitlementOverrides {
  const raw = account?.entitlementOverrides;
  return (typeof raw === 'string' ? JSON.parse(raw) : raw ?? {}) as EntitlementOverrides;
}

export const EntitlementErrors = {
  required: defineError('CHARLA_CORE_ENTITLEMENT_REQUIRED', 402),
};

/** Whether `e` grants `name`: `true` or a number above 0. A name the plan does not list is not granted. */
export function isEntitled(e: AccountEntitlements, name: string): boolean {
  const v = e.entitlements[name];
  return v === true || (typeof v === 'number' && v > 0);
}

/** Whether the plan of `e` includes `plugin`. */
export function includesPlugin(e: AccountEntitlements, plugin: string): boolean {
  return e.plugins.includes('*') || e.plugins.includes(plugin);
}

/** The problem thrown when a route, job or plugin needs an entitlement the account lacks. */
export function entitlementRequired(name: string, e: AccountEntitlements): Error {
  return EntitlementErrors.required(`This account's plan (${e.plan.name}) does not include "${name}". Upgrade the plan to use it.`);
}

/**
 * Per-account entitlements (`ctx.entitlements.for(accountId)`): the account's plan from
 * the configuration, with the overrides stored on the account. An account whose plan is
 * no longer configured gets the default plan. Cached per account for a few seconds; a
 * change (`sys/entitlements.changed`) drops the entry on every instance.
 */
export class EntitlementService {
  private readonly plans: Map<string, PlanDefinition>;
  private readonly cache = new Map<string, { at: number; value: AccountEntitlements; suspended: boolean }>();

  constructor(private readonly d: { config: CharlaConfig; db: Database; models: CoreModels; broker: Broker; events: EventBus }) {
    this.plans = new Map(d.config.plans.map((p) => [p.id, p]));
    void d.broker.subscribe('sys/entitlements.changed', (msg) => {
      if (typeof msg.accountId === 'string') this.cache.delete(msg.accountId);
    });
  }

  /** The configured plans, in configuration order. */
  list(): PlanDefinition[] {
    return [...this.plans.values()];
  }

  plan(id: string): PlanDefinition | undefined {
    return this.plans.get(id);
  }

  async for(accountId: string): Promise<AccountEntitlements> {
    return (await this.entry(accountId)).value;
  }

  /**
   * Whether an operator suspended the account (its agents, API keys and widgets are
   * refused with 403 CHARLA_CORE_ACCOUNT_SUSPENDED). Cached and dropped like `for`.
   */
  async suspended(accountId: string): Promise<boolean> {
    return (await this.entry(accountId)).suspended;
  }

  private async entry(accountId: string): Promise<{ at: number; value: AccountEntitlements; suspended: boolean }> {
    const hit = this.cache.get(accountId);
    if (hit && Date.now() - hit.at < 3000) return hit;
    const account = await this.d.models.Account.findByPk(accountId, { transaction: this.d.db.currentTransaction() });
    const plan = this.plans.get(account?.plan ?? '') ?? this.plans.get(this.d.config.defaultPlan)!;
    const over = overridesOf(account);
    const value: AccountEntitlements = {
      plan: { id: plan.id, name: plan.name ?? plan.id },
      plugins: [...plan.plugins],
      limits: { ...plan.limits, ...over.limits },
      entitlements: { ...plan.entitlements, ...over.entitlements },
    };
    const entry = { at: Date.now(), value, suspended: !!account?.suspendedAt };
    this.cache.set(accountId, entry);
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  /**
   * Puts an account on a configured plan (a payment provider's subscription, billing):
   * takes effect at once on every instance. Throws for a plan that is not configured.
   */
  async assign(accountId: string, planId: string): Promise<void> {
    if (!this.plans.has(planId)) throw new Error(`No plan "${planId}" is configured (BILLING_PLANS).`);
    await this.d.models.Account.update({ plan: planId }, { where: { id: accountId }, transaction: this.d.db.currentTransaction() });
    this.changed(accountId);
  }

  /** Call after an account's plan or overrides changed (this instance at once, the others after the commit). */
  changed(accountId: string): void {
    this.cache.delete(accountId);
    this.d.events.system('entitlements.changed', { accountId });
  }
}
