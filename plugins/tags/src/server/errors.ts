import { defineError } from '@charla/core';

export const TagErrors = {
  notFound: defineError('CHARLA_TAGS_NOT_FOUND', 404),
  duplicate: defineError('CHARLA_TAGS_DUPLICATE', 409),
  invalid: defineError('CHARLA_TAGS_INVALID', 400),
};
