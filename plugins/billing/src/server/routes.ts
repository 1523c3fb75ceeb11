import { Type, agentOf, type PluginContext } from '@charla/core';
import type { FastifyInstance } from 'fastify';
import type { Meter } from './meter.js';
import type { Subscriptions } from './subscriptions.js';

const Limit = Type.Union([Type.Integer(), Type.Null()], { description: 'null = unlimited' });
const PlanView = Type.Object({
  id: Type.String(), name: Type.String(), plugins: Type.Array(Type.String()),
  limits: Type.Object({ agents: Limit, conversationsPerMonth: Limit, sites: Limit }, { additionalProperties: Limit }),
  entitlements: Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Number()])),
});
const UsageView = Type.Object({
  plan: Type.String(), planName: Type.String(), periodStart: Type.String(), periodEnd: Type.String(),
  agents: Type.Object({ used: Type.Integer(), limit: Limit, pending: Type.Integer({ description: 'Pending invitations (they count against the limit)' }) }),
  conversations: Type.Object({ used: Type.Integer(), limit: Limit, overage: Type.Integer({ description: 'Conversations past the monthly limit (never refused)' }) }),
  sites: Type.Object({ used: Type.Integer(), limit: Limit }),
});

/** API-features.md "Plans, billing and the operator": the plans and the account's usage. */
export async function billingRoutes(app: FastifyInstance, ctx: PluginContext, meter: Meter, subs: Subscriptions): Promise<void> {
  const tags = ['billing'];
  app.get('/api/v1/billing/plans', {
    config: { auth: 'agent' },
    schema: { tags, summary: 'The configured plans, and the plan of the caller\'s account', response: { 200: Type.Object({ plans: Type.Array(PlanView), current: Type.String(), provider: Type.String({ description: 'The payment provider (BILLING_PROVIDER): "none" when the operator assigns plans, else e.g. "stripe" (checkout and portal links work)' }) }) } },
  }, async (request) => {
    const e = await ctx.entitlements.for(agentOf(request).accountId);
    const plans = ctx.container.cradle.entitlements.list().map((p) => ({
      id: p.id, name: p.name ?? p.id, plugins: p.plugins,
      limits: { agents: null, conversationsPerMonth: null, sites: null, ...p.limits },
      entitlements: p.entitlements ?? {},
    }));
    return { plans, current: e.plan.id, provider: subs.provider?.name ?? 'none' };
  });

  app.get('/api/v1/billing/usage', {
    config: { auth: 'agent', roles: ['owner', 'admin'] },
    schema: { tags, summary: "The account's usage in the current billing period (the calendar month, UTC) against its plan's limits", response: { 200: UsageView } },
  }, async (request) => meter.usage(agentOf(request).accountId));

  const Link = Type.Object({ url: Type.String() });
  const managers = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };
  app.post('/api/v1/billing/checkout', {
    config: managers,
    schema: {
      tags, summary: "A hosted checkout page of the payment provider, to subscribe the account to a plan (BILLING_PROVIDER)",
      body: Type.Object({ plan: Type.String({ minLength: 1, maxLength: 30 }) }, { additionalProperties: false }),
      response: { 200: Link },
    },
  }, async (request) => subs.checkout(agentOf(request), (request.body as { plan: string }).plan));

  app.post('/api/v1/billing/portal', {
    config: managers,
    schema: { tags, summary: "The payment provider's customer portal (invoices, card, cancel)", response: { 200: Link } },
  }, async (request) => subs.portal(agentOf(request)));

  // The provider signs the exact bytes: this route reads its body as text (its own parser, in its own context).
  await app.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 512 * 1024 }, (_req, body, done) => done(null, body));
    raw.post('/api/v1/billing/webhooks/stripe', {
      config: { auth: 'public' },
      schema: { tags, summary: 'Stripe webhook endpoint (signature-verified, idempotent by event id)', response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }) } },
    }, async (request) => {
      if (subs.provider?.name !== 'stripe') return subs.webhook('', {}); // 409: no provider
      return subs.webhook(typeof request.body === 'string' ? request.body : '', request.headers);
    });
  });
}
