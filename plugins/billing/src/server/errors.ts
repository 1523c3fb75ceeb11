import { defineError } from '@charla/core';

export const BillingErrors = {
  /** An invitation or a site past the plan's limit (API-features.md "Plans, billing and the operator"). */
  limit: defineError('CHARLA_BILLING_LIMIT', 402),
};

export const ProviderErrors = {
  none: defineError('CHARLA_BILLING_NO_PROVIDER', 409),
  noCustomer: defineError('CHARLA_BILLING_NO_CUSTOMER', 409),
  unknownPlan: defineError('CHARLA_BILLING_UNKNOWN_PLAN', 400),
  badSignature: defineError('CHARLA_BILLING_BAD_SIGNATURE', 400),
  failed: defineError('CHARLA_BILLING_PROVIDER_FAILED', 502),
};
