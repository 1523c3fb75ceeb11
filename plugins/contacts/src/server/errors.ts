import { defineError } from '@charla/core';

export const ContactErrors = {
  badFilter: defineError('CHARLA_CONTACTS_BAD_FILTER', 400),
  invalid: defineError('CHARLA_CONTACTS_INVALID', 400),
  contactNotFound: defineError('CHARLA_CONTACTS_NOT_FOUND', 404),
  segmentNotFound: defineError('CHARLA_CONTACTS_SEGMENT_NOT_FOUND', 404),
  badCursor: defineError('CHARLA_CONTACTS_BAD_CURSOR', 400),
};
