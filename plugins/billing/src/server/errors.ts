import { defineError } from '@charla/core';

export const BillingErrors = {
  /** An invitation or a site past the plan's limit (API-features.md "Plans, billing and the operator"). */
  limit: defineError('CHARLA_BILLING_LIMIT', 402),
};
