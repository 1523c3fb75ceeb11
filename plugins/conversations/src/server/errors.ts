import { defineError } from '@charla/core';

export const ConversationErrors = {
  siteNotFound: defineError('CHARLA_CONVERSATIONS_SITE_NOT_FOUND', 404),
  originForbidden: defineError('CHARLA_CONVERSATIONS_ORIGIN_FORBIDDEN', 403),
  identityRejected: defineError('CHARLA_CONVERSATIONS_IDENTITY_REJECTED', 401),
  conversationNotFound: defineError('CHARLA_CONVERSATIONS_CONVERSATION_NOT_FOUND', 404),
  messageNotFound: defineError('CHARLA_CONVERSATIONS_MESSAGE_NOT_FOUND', 404),
  emptyMessage: defineError('CHARLA_CONVERSATIONS_EMPTY_MESSAGE', 400),
  messageTooLong: defineError('CHARLA_CONVERSATIONS_MESSAGE_TOO_LONG', 413),
  badAttributes: defineError('CHARLA_CONVERSATIONS_BAD_ATTRIBUTES', 400),
  badAssignee: defineError('CHARLA_CONVERSATIONS_BAD_ASSIGNEE', 400),
  badCursor: defineError('CHARLA_CONVERSATIONS_BAD_CURSOR', 400),
  badUrl: defineError('CHARLA_CONVERSATIONS_BAD_URL', 400),
  badBlocks: defineError('CHARLA_CONVERSATIONS_BAD_BLOCKS', 400),
  badPostback: defineError('CHARLA_CONVERSATIONS_BAD_POSTBACK', 400),
  tooManyEmpty: defineError('CHARLA_CONVERSATIONS_TOO_MANY_EMPTY', 409),
};

export const MAX_MESSAGE_LENGTH = 10_000;
