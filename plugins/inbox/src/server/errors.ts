import { defineError } from '@charla/core';

export const InboxErrors = {
  agentNotFound: defineError('CHARLA_INBOX_AGENT_NOT_FOUND', 404),
  conversationNotFound: defineError('CHARLA_INBOX_CONVERSATION_NOT_FOUND', 404),
  quickReplyNotFound: defineError('CHARLA_INBOX_QUICK_REPLY_NOT_FOUND', 404),
  duplicateShortcut: defineError('CHARLA_INBOX_DUPLICATE_SHORTCUT', 409),
  badTemplate: defineError('CHARLA_INBOX_BAD_TEMPLATE', 400),
  badRequest: defineError('CHARLA_INBOX_BAD_REQUEST', 400),
  forbidden: defineError('CHARLA_INBOX_FORBIDDEN', 403),
};
