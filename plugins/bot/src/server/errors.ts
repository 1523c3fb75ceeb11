import { defineError } from '@charla/core';

export const BotErrors = {
  ruleNotFound: defineError('CHARLA_BOT_RULE_NOT_FOUND', 404),
  flowNotFound: defineError('CHARLA_BOT_FLOW_NOT_FOUND', 404),
  invalidRule: defineError('CHARLA_BOT_INVALID_RULE', 400),
  invalidFlow: defineError('CHARLA_BOT_INVALID_FLOW', 400),
  unsafePattern: defineError('CHARLA_BOT_UNSAFE_PATTERN', 400),
  badReorder: defineError('CHARLA_BOT_BAD_REORDER', 400),
  badRange: defineError('CHARLA_BOT_BAD_RANGE', 400),
  tagsUnavailable: defineError('CHARLA_BOT_TAGS_UNAVAILABLE', 400),
  notBotMessage: defineError('CHARLA_BOT_NOT_A_BOT_MESSAGE', 404),
};
