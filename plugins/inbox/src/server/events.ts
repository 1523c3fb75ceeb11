import { Type, type EventName, type TSchema } from '@charla/core';

const Id = Type.String({ description: 'id' });
const sla = Type.Object({ accountId: Id, conversationId: Id, dueAt: Type.String({ format: 'date-time' }), assigneeId: Type.Union([Id, Type.Null()]) });

/** Payload schemas of the events this plugin emits (`EventMap` in extension.ts), for the runtime catalogue. */
export const INBOX_EVENTS = {
  'conversation.routed': Type.Object({ accountId: Id, conversationId: Id, assigneeId: Id, reason: Type.Union([Type.Literal('new'), Type.Literal('queue')]) }),
  'conversation.queued': Type.Object({ accountId: Id, conversationId: Id, position: Type.Integer() }),
  'conversation.prioritized': Type.Object({ accountId: Id, conversationId: Id, rule: Type.String() }),
  'agent.status_changed': Type.Object({ accountId: Id, userId: Id, status: Type.Union([Type.Literal('available'), Type.Literal('away')]) }),
  'sla.warned': sla,
  'sla.breached': sla,
} satisfies Partial<Record<EventName, TSchema>>;
