import { asFunction, asValue, definePlugin, isEntitled, type CharlaPlugin, type PluginContext } from '@charla/core';
import '@charla/plugin-conversations';
import { defineModels, type BillingModels } from './models.js';
import { Meter } from './meter.js';
import { billingRoutes } from './routes.js';
import { providerFromEnv } from './provider.js';
import { Subscriptions } from './subscriptions.js';

export { activityOf, periodOf, QUIET_DAYS_HIGH } from './churn.js';
export { BillingErrors } from './errors.js';
export type { Meter, Usage } from './meter.js';
export { StripeProvider, providerFromEnv, type PaymentProvider, type ProviderEvent } from './provider.js';

declare module '@charla/core' {
  interface Cradle {
    billingModels: BillingModels;
    billingMeter: Meter;
    billingSubscriptions: Subscriptions;
  }
}

const meterOf = (ctx: PluginContext): Meter => ctx.container.cradle.billingMeter;

/**
 * Plans and billing (docs/billing.md): the plan's limits where they happen (invitations
 * and sites → 402 CHARLA_BILLING_LIMIT; conversations are never refused, counted as
 * overage), usage metering per billing period, and the operator's activity figures and
 * churn risk. Required: it must run for every account, whatever plugins its plan lists.
 */
const billing: CharlaPlugin = definePlugin({
  name: 'billing',
  version: '0.1.0',
  core: '^0.1.0',
  required: true,
  description: 'Plans, limits, usage per billing period, and the operator\'s account activity',
  migrations: new URL('./migrations/', import.meta.url),

  models(ctx) {
    ctx.container.register({ billingModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    ctx.container.register({
      billingMeter: asFunction(({ billingModels }: { billingModels: BillingModels }) => new Meter(ctx, billingModels)).singleton(),
      billingSubscriptions: asValue(new Subscriptions(ctx, ctx.container.cradle.billingModels, providerFromEnv(process.env, ctx.config.plans.map((p) => p.id)))),
      operatorAccountFigures: asFunction(({ billingMeter }: { billingMeter: Meter }) => billingMeter).singleton(),
    });
  },

  hooks: {
    'team:beforeInvite': async (p, ctx) => {
      await meterOf(ctx).checkInvite(p.accountId, p.email);
    },
    'site:beforeCreate': async (p, ctx) => {
      await meterOf(ctx).checkSite(p.accountId);
    },
    // "Powered by Charla" in the widget, unless the plan grants removeBranding (docs/billing.md "Branding").
    'widget:init': async (p, ctx) => ({ ...p, extra: { ...p.extra, branding: { poweredBy: !isEntitled(await ctx.entitlements.for(p.accountId), 'removeBranding') } } }),
  },

  events: {
    'conversation.created': (p, ctx, event) => meterOf(ctx).conversationCreated(p.accountId, event),
    'message.created': (p, ctx, event) => meterOf(ctx).messageCreated(p.accountId, event),
  },

  routes: (app, ctx) => billingRoutes(app, ctx, meterOf(ctx), ctx.container.cradle.billingSubscriptions),
});

export default billing;
