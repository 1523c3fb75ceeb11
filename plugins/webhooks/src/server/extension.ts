import type { WebhookModels } from './models.js';
import type { EndpointService } from './endpoints.js';
import type { DeliveryService } from './deliveries.js';

/** What the webhooks plugin adds to the kernel's container. */
declare module '@charla/core' {
  interface Cradle {
    webhookModels: WebhookModels;
    webhookEndpoints: EndpointService;
    webhookDeliveries: DeliveryService;
  }
}

export {};
