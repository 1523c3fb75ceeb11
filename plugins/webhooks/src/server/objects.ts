import type { PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';

/** The full objects an event refers to, as they are when it is delivered to the endpoints. */
export interface EventObjects { conversation?: Record<string, unknown>; message?: Record<string, unknown>; visitor?: Record<string, unknown>; contact?: Record<string, unknown> }

const plain = (row: object | null): Record<string, unknown> | undefined => (row ? JSON.parse(JSON.stringify(row)) : undefined);

/**
 * Loads the conversation, message and visitor an event names (when the conversations
 * plugin is on). Receivers then need no API call back, and no key, to act on it.
 */
export async function objectsOf(ctx: PluginContext, accountId: string, payload: Record<string, unknown>): Promise<EventObjects> {
  const data = ctx.services.optional(ConversationsData);
  if (!data) return {};
  const id = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string) : null);
  const conversationId = id('conversationId');
  const messageId = id('messageId');
  const [conversation, message] = await Promise.all([
    conversationId ? data.conversations.get(accountId, conversationId) : null,
    messageId ? data.messages.get(accountId, messageId) : null,
  ]);
  // A message event names no visitor: the conversation's is the one it is about.
  const visitorId = id('visitorId') ?? conversation?.visitorId ?? null;
  const visitor = visitorId ? await data.visitors.get(accountId, visitorId) : null;
  // tokenVersion revokes widget sessions: internal, not the receiver's business.
  const { tokenVersion: _internal, ...contact } = plain(visitor) ?? {};
  // A contact event (`contactId`) carries the contact under its own name, as the contract says.
  return { conversation: plain(conversation), message: plain(message), visitor: visitor ? contact : undefined, ...(id('contactId') && visitor ? { contact } : {}) };
}

/**
 * What an endpoint may see: without `includePrivate`, no private note — neither the
 * message itself (such events are not sent at all) nor a conversation's `lastMessage`
 * when that is one (its `lastPublicMessage` stays).
 */
export function visibleObjects(o: EventObjects, includePrivate: boolean): EventObjects {
  if (includePrivate || !o.conversation) return o;
  const c = o.conversation as { lastMessage?: { private?: boolean } | null; lastPublicMessage?: unknown };
  return c.lastMessage?.private ? { ...o, conversation: { ...o.conversation, lastMessage: c.lastPublicMessage ?? null } } : o;
}
