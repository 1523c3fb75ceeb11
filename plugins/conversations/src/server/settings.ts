import { Type, type Static } from '@charla/core';

/** Per-account settings of the conversations plugin (Settings → Plugins → conversations). */
export const ConversationsSettings = Type.Object({
  maxOpenEmptyConversations: Type.Integer({
    default: 3, minimum: 1, maximum: 100,
    description: 'Open conversations without any message one visitor may have; starting another empty one is refused until they write in one',
  }),
});
export type ConversationsSettings = Static<typeof ConversationsSettings>;
