import { newId, type AgentActor, type PluginContext } from '@charla/core';
import { ProviderErrors } from './errors.js';
import type { BillingModels } from './models.js';
import { ProviderConfigError, WebhookSignatureError, type PaymentProvider, type ProviderEvent } from './provider.js';

/** Checkout, portal and the provider's webhooks: subscription state → the account's plan. */
export class Subscriptions {
  constructor(private readonly ctx: PluginContext, private readonly m: BillingModels, readonly provider: PaymentProvider | null) {}

  private need(): PaymentProvider {
    if (!this.provider) throw ProviderErrors.none('No payment provider is configured (BILLING_PROVIDER=none): the instance operator assigns plans.');
    return this.provider;
  }

  private returnUrl(): string {
    return `${this.ctx.config.publicUrl.replace(/\/$/, '')}/admin/settings/account`; // where Plan and usage is
  }

  private async customerOf(accountId: string) {
    return this.ctx.db.scope(accountId).findOne(this.m.Customer, { where: { provider: this.need().name } });
  }

  async checkout(actor: AgentActor, plan: string): Promise<{ url: string }> {
    const provider = this.need();
    if (!this.ctx.container.cradle.entitlements.plan(plan)) throw ProviderErrors.unknownPlan(`No plan "${plan}"; see GET /api/v1/billing/plans.`);
    const customer = await this.customerOf(actor.accountId);
    return this.call(() => provider.checkout({ accountId: actor.accountId, email: actor.email, plan, customerId: customer?.customerId ?? null, successUrl: `${this.returnUrl()}?checkout=done`, cancelUrl: this.returnUrl() }));
  }

  async portal(actor: AgentActor): Promise<{ url: string }> {
    const provider = this.need();
    const customer = await this.customerOf(actor.accountId);
    if (!customer) throw ProviderErrors.noCustomer('This account has no subscription with the payment provider yet: subscribe to a plan first.');
    return this.call(() => provider.portal({ customerId: customer.customerId, returnUrl: this.returnUrl() }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProviderConfigError) throw ProviderErrors.unknownPlan(err.message);
      this.ctx.logger.warn({ err }, 'payment provider call failed');
      throw ProviderErrors.failed('The payment provider did not answer as expected; try again in a moment.');
    }
  }

  /** A provider webhook: verified, applied once per provider event id. */
  async webhook(raw: string, headers: Record<string, string | string[] | undefined>): Promise<{ received: true; duplicate: boolean }> {
    const provider = this.need();
    let ev: ProviderEvent;
    try {
      ev = provider.verify(raw, headers);
    } catch (err) {
      if (err instanceof WebhookSignatureError) throw ProviderErrors.badSignature(err.message);
      throw err;
    }
    try {
      const applied = await this.ctx.db.transaction(async () => {
        if (await this.m.ProviderEvent.findByPk(ev.id, { transaction: this.ctx.db.currentTransaction() })) return false;
        await this.m.ProviderEvent.create({ id: ev.id, type: ev.type }, { transaction: this.ctx.db.currentTransaction() });
        await this.apply(provider.name, ev);
        return true;
      });
      return { received: true, duplicate: !applied };
    } catch (err) {
      if ((err as Error).name === 'SequelizeUniqueConstraintError') return { received: true, duplicate: true }; // the same event, concurrently
      throw err;
    }
  }

  private async apply(providerName: string, ev: ProviderEvent): Promise<void> {
    let accountId = ev.accountId;
    if (!accountId && ev.customerId) {
      const row = await this.ctx.db.withoutTenant('billing: which account is this provider customer', () => this.m.Customer.findOne({ where: { provider: providerName, customerId: ev.customerId! }, transaction: this.ctx.db.currentTransaction() }));
      accountId = row?.accountId ?? null;
    }
    if (!accountId) return;
    const { models, entitlements, config } = this.ctx.container.cradle;
    if (!(await models.Account.findByPk(accountId, { transaction: this.ctx.db.currentTransaction() }))) return;
    const scope = this.ctx.db.scope(accountId);
    if (ev.customerId) {
      const existing = await scope.findOne(this.m.Customer, { where: { provider: providerName } });
      const values = { customerId: ev.customerId, ...(ev.subscriptionId && { subscriptionId: ev.subscriptionId }), ...(ev.status && { status: ev.status }) };
      if (existing) await scope.update(this.m.Customer, values, { id: existing.id });
      else await scope.create(this.m.Customer, { id: newId(), provider: providerName, subscriptionId: null, status: null, ...values });
    }
    if (ev.plan === undefined) return;
    const plan = ev.plan ?? config.defaultPlan;
    if (!entitlements.plan(plan)) {
      this.ctx.logger.warn({ event: ev.id, plan }, 'payment provider names a plan that is not configured; the account keeps its plan');
      return;
    }
    await entitlements.assign(accountId, plan);
  }
}
