import { defineError } from '@charla/core';

export const WebhookErrors = {
  notFound: defineError('CHARLA_WEBHOOKS_NOT_FOUND', 404),
  deliveryNotFound: defineError('CHARLA_WEBHOOKS_DELIVERY_NOT_FOUND', 404),
  urlNotAllowed: defineError('CHARLA_WEBHOOKS_URL_NOT_ALLOWED', 400),
  unknownEvent: defineError('CHARLA_WEBHOOKS_UNKNOWN_EVENT', 400),
  badRequest: defineError('CHARLA_WEBHOOKS_BAD_REQUEST', 400),
  disabled: defineError('CHARLA_WEBHOOKS_DISABLED', 409),
};
