import { Type } from '@charla/core';

export const Snapshot = Type.Union([Type.Null(), Type.Object({ id: Type.String(), seq: Type.Integer(), senderType: Type.String(), senderId: Type.Optional(Type.Union([Type.String(), Type.Null()])), content: Type.String(), private: Type.Boolean(), createdAt: Type.String() })]);

/** Who wrote a message (the admin's `SenderType` is generated from it: scripts/wire-types.mjs). */
export const SenderTypeSchema = Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('bot'), Type.Literal('system')]);

export const MessageSchema = Type.Object({
  id: Type.String(), conversationId: Type.String(), seq: Type.Integer(),
  senderType: SenderTypeSchema,
  senderId: Type.Union([Type.String(), Type.Null()]), content: Type.String(), private: Type.Boolean(),
  clientId: Type.Optional(Type.String()), metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Type.String(), readAt: Type.Union([Type.String(), Type.Null()]),
});

export const VisitorConversationSchema = Type.Object({
  id: Type.String(), status: Type.String(), assignee: Type.Union([Type.Null(), Type.Object({ id: Type.String(), name: Type.String() })]),
  lastMessage: Snapshot, unreadCount: Type.Integer(), createdAt: Type.String(), updatedAt: Type.String(),
});

export const VisitorSchema = Type.Object({
  id: Type.String(), siteId: Type.String(), name: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]),
  externalId: Type.Union([Type.String(), Type.Null()]), verified: Type.Boolean(), attributes: Type.Record(Type.String(), Type.Unknown()),
  country: Type.Union([Type.String(), Type.Null()]), language: Type.Union([Type.String(), Type.Null()]),
  firstSeenAt: Type.String(), lastSeenAt: Type.String(), visitCount: Type.Integer(),
  currentUrl: Type.Union([Type.String(), Type.Null()]), currentTitle: Type.Union([Type.String(), Type.Null()]),
  online: Type.Optional(Type.Boolean()),
  pages: Type.Optional(Type.Array(Type.Object({ url: Type.String(), title: Type.Union([Type.String(), Type.Null()]), at: Type.String() }))),
});

export const AgentConversationSchema = Type.Object({
  id: Type.String(), status: Type.String(), siteId: Type.String(), visitorId: Type.String(), visitor: Type.Optional(VisitorSchema),
  assigneeId: Type.Union([Type.String(), Type.Null()]), priority: Type.String(), channel: Type.String(), tags: Type.Array(Type.String()),
  lastMessage: Snapshot, unreadCount: Type.Integer(), lastSeq: Type.Integer(),
  firstResponseAt: Type.Union([Type.String(), Type.Null()]), resolvedAt: Type.Union([Type.String(), Type.Null()]),
  lastActivityAt: Type.String(), createdAt: Type.String(), updatedAt: Type.String(),
});

// No schema maxLength: checkContent answers 413 past MAX_MESSAGE_LENGTH, at any length up to the body limit (a schema bound would make it 400).
export const Content = Type.String({ description: 'Plain text, at most 10,000 characters after trimming (413 beyond, 400 when empty)' });
export const ClientId = Type.String({ minLength: 1, maxLength: 100 });
export const Status = Type.Union([Type.Literal('open'), Type.Literal('pending'), Type.Literal('closed')]);
export const HistoryQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 64 })),
  before: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});
