import { Type, agentOf, agentOrKeyOf, problems, type Cradle } from '@charla/core';
import type { FastifyInstance } from 'fastify';
import { ConversationErrors } from '../errors.js';
import type { ConversationStatus } from '../models.js';
import { messageView } from '../views.js';
import { AgentConversationSchema, ClientId, Content, HistoryQuery, MessageSchema, Status, VisitorSchema } from './schemas.js';

const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** API.md "Inbox (agent side)", plus visitor lookups for the sidebar and presence board. */
export async function inboxRoutes(app: FastifyInstance, c: Cradle): Promise<void> {
  const tags = ['inbox'];
  const auth = { auth: 'agent' as const };
  // API-features.md "Webhooks and API keys": what an integration's key may do here.
  const readable = { auth: 'agent' as const, scopes: ['conversations:read' as const] };
  const writable = { auth: 'agent' as const, scopes: ['conversations:write' as const] };

  app.get('/api/v1/inbox/conversations', {
    config: readable,
    schema: {
      tags, summary: 'Conversation lists (default: open and pending, everyone\'s), high priority first, then newest activity',
      querystring: Type.Object({
        status: Type.Optional(Status),
        assignee: Type.Optional(Type.String({ maxLength: 64 })),
        siteId: Type.Optional(Type.String({ maxLength: 64 })),
        tag: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'Only conversations with this tag' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        cursor: Type.Optional(Type.String({ maxLength: 500 })),
      }),
      response: { 200: Type.Object({ conversations: Type.Array(AgentConversationSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403, 429) },
    },
  }, async (request) => c.conversations.list(agentOrKeyOf(request), request.query as never));

  app.get('/api/v1/inbox/conversations/:id', {
    config: readable,
    schema: { tags, summary: 'One conversation with its visitor', params: IdParam, response: { 200: AgentConversationSchema, ...problems(401, 403, 404, 429) } },
  }, async (request) => c.conversations.forAgent(agentOrKeyOf(request).accountId, (request.params as { id: string }).id));

  app.get('/api/v1/inbox/conversations/:id/messages', {
    config: readable,
    schema: { tags, summary: 'Messages, oldest first (after= for catch-up, before= for older pages)', params: IdParam, querystring: HistoryQuery, response: { 200: Type.Object({ messages: Type.Array(MessageSchema) }), ...problems(400, 401, 403, 404, 429) } },
  }, async (request) => {
    const actor = agentOrKeyOf(request);
    const conv = await c.conversations.get(actor.accountId, (request.params as { id: string }).id);
    return { messages: await c.conversations.history(actor.accountId, conv.id, { ...(request.query as object), includePrivate: true }) };
  });

  app.post('/api/v1/inbox/conversations/:id/messages', {
    config: writable,
    schema: {
      tags, summary: 'Reply (or a private note with private: true)', params: IdParam,
      body: Type.Object({ content: Content, clientId: ClientId, private: Type.Optional(Type.Boolean()) }),
      response: { 200: Type.Object({ message: MessageSchema }), 201: Type.Object({ message: MessageSchema }), ...problems(400, 401, 403, 404, 413, 429) },
    },
  }, async (request, reply) => {
    const actor = agentOrKeyOf(request);
    const id = (request.params as { id: string }).id;
    const r = actor.kind === 'apiKey' ? await c.messages.postFromApiKey(actor, id, request.body as never) : await c.messages.postFromAgent(actor, id, request.body as never);
    return reply.code(r.duplicate ? 200 : 201).send({ message: messageView(r.message) });
  });

  app.patch('/api/v1/inbox/conversations/:id', {
    config: auth,
    schema: {
      tags, summary: 'Change status and/or assignee', params: IdParam,
      body: Type.Object({ status: Type.Optional(Status), assigneeId: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])) }),
      response: { 200: AgentConversationSchema, ...problems(400, 401, 404) },
    },
  }, async (request) => {
    const body = request.body as { status?: ConversationStatus; assigneeId?: string | null };
    if (body.status === undefined && body.assigneeId === undefined) throw ConversationErrors.badAssignee('Send status and/or assigneeId.');
    return c.conversations.update(agentOf(request), (request.params as { id: string }).id, body);
  });

  app.post('/api/v1/inbox/conversations/:id/read', {
    config: auth,
    schema: { tags, summary: 'Read receipt: agents have seen messages up to messageId', params: IdParam, body: Type.Object({ messageId: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]) }), ...problems(400, 401, 404) } },
  }, async (request) => {
    const r = await c.messages.markRead({ by: 'agent', actor: agentOf(request) }, (request.params as { id: string }).id, (request.body as { messageId: string }).messageId);
    return { seq: r?.seq ?? null };
  });

  app.get('/api/v1/inbox/visitors/online', {
    config: auth,
    schema: { tags, summary: 'Visitors online now, with their current page', querystring: Type.Object({ siteId: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: Type.Object({ visitors: Type.Array(VisitorSchema) }), ...problems(401) } },
  }, async (request) => ({ visitors: await c.visitors.online(agentOf(request).accountId, (request.query as { siteId?: string }).siteId) }));

  app.get('/api/v1/inbox/visitors/:id', {
    config: auth,
    schema: { tags, summary: 'A visitor with recent pages', params: IdParam, response: { 200: VisitorSchema, ...problems(401, 404) } },
  }, async (request) => {
    const v = await c.visitors.forAgent(agentOf(request).accountId, (request.params as { id: string }).id);
    if (!v) throw ConversationErrors.conversationNotFound('No visitor with this id.');
    return v;
  });
}
