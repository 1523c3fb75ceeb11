import { defineError } from '@charla/core';

export const KnowledgeBaseErrors = {
  articleNotFound: defineError('CHARLA_KB_ARTICLE_NOT_FOUND', 404),
  siteNotFound: defineError('CHARLA_KB_HELP_CENTER_NOT_FOUND', 404),
  duplicateSlug: defineError('CHARLA_KB_DUPLICATE_SLUG', 409),
  badCursor: defineError('CHARLA_KB_BAD_CURSOR', 400),
  invalid: defineError('CHARLA_KB_INVALID', 400),
};
