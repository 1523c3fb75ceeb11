import { defineError } from '@charla/core';

export const AiErrors = {
  notConfigured: defineError('CHARLA_AI_NOT_CONFIGURED', 409),
  baseUrlNotAllowed: defineError('CHARLA_AI_BASE_URL_NOT_ALLOWED', 400),
  messageNotFound: defineError('CHARLA_AI_MESSAGE_NOT_FOUND', 404),
  conversationNotFound: defineError('CHARLA_AI_CONVERSATION_NOT_FOUND', 404),
  badRange: defineError('CHARLA_AI_BAD_RANGE', 400),
  providerFailed: defineError('CHARLA_AI_PROVIDER_FAILED', 502),
  budgetExhausted: defineError('CHARLA_AI_BUDGET_EXHAUSTED', 429),
};
