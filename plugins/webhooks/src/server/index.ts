import { asFunction, asValue, definePlugin, type CharlaPlugin } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import './extension.js';
import { defineModels } from './models.js';
import { EndpointService } from './endpoints.js';
import { DeliveryService } from './deliveries.js';
import { readOptions } from './options.js';
import { webhookRoutes } from './routes.js';

export { sign, newSecret } from './signature.js';
export { checkUrl, isBlockedAddress } from './url-guard.js';
export { DEFAULT_RETRY_SCHEDULE } from './options.js';
export type { EndpointService, EndpointView } from './endpoints.js';
export type { DeliveryService, DeliveryView } from './deliveries.js';

/**
 * Webhooks: endpoints per account receive the domain events they selected, signed per
 * the Standard Webhooks spec, from the transactional outbox, retried with backoff for
 * about three days, with a delivery log and redelivery. See docs/webhooks.md.
 */
const webhooks: CharlaPlugin = definePlugin({
  name: 'webhooks',
  version: '0.1.0',
  core: '^0.1.0',
  // The conversation, message and visitor an event names go into its payload when the conversations plugin is on.
  optionalUses: [ConversationsData],
  description: 'Signed, retried deliveries of events (new conversations, messages, …) to your own HTTPS endpoints',
  migrations: new URL('./migrations/', import.meta.url),

  models(ctx) {
    ctx.container.register({ webhookModels: asValue(defineModels(ctx.db)) });
  },

  register(ctx) {
    const opts = readOptions();
    ctx.container.register({
      webhookEndpoints: asFunction(() => new EndpointService(ctx, opts)).singleton(),
      webhookDeliveries: asFunction(({ webhookEndpoints }) => new DeliveryService(ctx, webhookEndpoints, opts)).singleton(),
    });
  },

  events: {
    '*': {
      // No job for an event that no enabled endpoint of its account selected.
      when: (payload, ctx, name) => ctx.container.cradle.webhookEndpoints.wants(payload as unknown as Record<string, unknown>, name),
      handle: (payload, ctx, event) => ctx.container.cradle.webhookDeliveries.fanOut(payload as unknown as Record<string, unknown>, event),
    },
  },

  // Enqueued with an `accountId`: core skips them where the plugin is off.
  jobs: {
    deliver: async (payload, job, ctx) => {
      const { accountId, deliveryId, n } = payload as { accountId: string; deliveryId: string; n: number };
      await ctx.container.cradle.webhookDeliveries.attempt(accountId, deliveryId, n, job.signal);
    },
    prune: async (_payload, _job, ctx) => {
      const n = await ctx.container.cradle.webhookDeliveries.prune();
      if (n) ctx.logger.info({ deleted: n }, 'old webhook deliveries pruned');
    },
  },
  schedules: { prune: { every: '1h' } },

  routes: (app, ctx) => webhookRoutes(app, ctx),
});

export default webhooks;
