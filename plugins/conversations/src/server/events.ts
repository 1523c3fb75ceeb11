import { Type, type EventName, type TSchema } from '@charla/core';
import { SenderTypeSchema } from './routes/schemas.js';

const Id = Type.String({ description: 'id' });
const Nullable = (s: TSchema) => Type.Union([s, Type.Null()]);
const visitor = { accountId: Id, siteId: Id, visitorId: Id };

/** Payload schemas of the events this plugin emits (`EventMap` in extension.ts), for the runtime catalogue. */
export const CONVERSATION_EVENTS = {
  'visitor.created': Type.Object(visitor),
  'visitor.identified': Type.Object({ ...visitor, verified: Type.Boolean(), mergedFrom: Type.Optional(Id) }),
  'visitor.online': Type.Object(visitor),
  'visitor.offline': Type.Object(visitor),
  'visitor.page_viewed': Type.Object({ ...visitor, url: Type.String(), title: Nullable(Type.String()), at: Type.Optional(Type.String({ format: 'date-time' })) }),
  'event.tracked': Type.Object({ ...visitor, name: Type.String(), properties: Type.Record(Type.String(), Type.Unknown()) }),
  'conversation.created': Type.Object({ accountId: Id, siteId: Id, conversationId: Id, visitorId: Id }),
  'conversation.updated': Type.Object({ accountId: Id, conversationId: Id, changes: Type.Record(Type.String(), Type.Unknown()), actorId: Nullable(Id) }),
  'conversation.closed': Type.Object({ accountId: Id, conversationId: Id, actorId: Nullable(Id) }),
  'conversation.assigned': Type.Object({ accountId: Id, conversationId: Id, assigneeId: Nullable(Id), previousAssigneeId: Nullable(Id), actorId: Nullable(Id) }),
  'message.created': Type.Object({
    accountId: Id, siteId: Id, conversationId: Id, messageId: Id, seq: Type.Integer(),
    senderType: SenderTypeSchema,
    senderId: Nullable(Id), private: Type.Boolean(), content: Type.String(), assigneeId: Nullable(Id),
  }),
  'message.postback': Type.Object({ accountId: Id, conversationId: Id, messageId: Id, sourceMessageId: Id, buttonId: Type.String(), blockType: Type.String(), owner: Type.String() }),
  'message.read': Type.Object({ accountId: Id, conversationId: Id, messageId: Id, seq: Type.Integer(), by: Type.Union([Type.Literal('visitor'), Type.Literal('agent')]), userId: Nullable(Id) }),
} satisfies Partial<Record<EventName, TSchema>>;
