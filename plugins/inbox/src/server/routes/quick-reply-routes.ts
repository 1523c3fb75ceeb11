import { Type, agentOf, problems, type PluginContext } from '@charla/core';
import type { FastifyInstance } from 'fastify';
import { InboxErrors } from '../errors.js';
import { SHORTCUT } from '../quick-replies.js';
import { IdParam, QuickReplySchema } from './schemas.js';

/** Quick replies (canned responses): CRUD and rendering for a conversation. */
export async function quickReplyRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  const tags = ['inbox'];
  const auth = { auth: 'agent' as const };
  const Shortcut = Type.String({ pattern: SHORTCUT, description: '1-40 lowercase letters, digits, "-" or "_"; the leading "/" is optional' });
  const Title = Type.String({ maxLength: 100 });
  const Content = Type.String({ minLength: 1, maxLength: 5000, description: 'Text with variables such as {{visitor.name}}, {{visitor.firstName | there}}, {{agent.name}}, {{site.name}}, {{visitor.attributes.plan}}' });

  app.get('/api/v1/inbox/quick-replies', {
    config: auth,
    schema: { tags, summary: 'Quick replies of this account (q= filters by shortcut prefix or title)', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }), response: { 200: Type.Object({ quickReplies: Type.Array(QuickReplySchema) }), ...problems(400, 401, 403) } },
  }, async (request) => ({ quickReplies: await c.quickReplies.list(agentOf(request).accountId, (request.query as { q?: string }).q) }));

  app.post('/api/v1/inbox/quick-replies', {
    config: auth,
    schema: { tags, summary: 'Create a quick reply', body: Type.Object({ shortcut: Shortcut, title: Type.Optional(Title), content: Content }, { additionalProperties: false }), response: { 201: QuickReplySchema, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => reply.code(201).send(await c.quickReplies.create(agentOf(request), request.body as never)));

  app.post('/api/v1/inbox/quick-replies/render', {
    config: auth,
    schema: {
      tags, summary: 'Fill a quick reply (by id or /shortcut) from a conversation: its visitor, site and the agent asking',
      body: Type.Object({ conversationId: Type.String({ maxLength: 64 }), id: Type.Optional(Type.String({ maxLength: 64 })), shortcut: Type.Optional(Shortcut) }, { additionalProperties: false }),
      response: { 200: Type.Object({ quickReplyId: Type.String(), content: Type.String(), missing: Type.Array(Type.String({ description: 'Variables with no value and no fallback (left empty)' })) }), ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const body = request.body as { conversationId: string; id?: string; shortcut?: string };
    if (!body.id === !body.shortcut) throw InboxErrors.badRequest('Send either id or shortcut.');
    return c.quickReplies.render(agentOf(request), body.conversationId, body);
  });

  app.get('/api/v1/inbox/quick-replies/:id', {
    config: auth,
    schema: { tags, summary: 'One quick reply', params: IdParam, response: { 200: QuickReplySchema, ...problems(401, 403, 404) } },
  }, async (request) => c.quickReplies.view(await c.quickReplies.get(agentOf(request).accountId, (request.params as { id: string }).id)));

  app.patch('/api/v1/inbox/quick-replies/:id', {
    config: auth,
    schema: { tags, summary: 'Change a quick reply (its author, an admin or the owner)', params: IdParam, body: Type.Object({ shortcut: Type.Optional(Shortcut), title: Type.Optional(Title), content: Type.Optional(Content) }, { additionalProperties: false }), response: { 200: QuickReplySchema, ...problems(400, 401, 403, 404, 409) } },
  }, async (request) => c.quickReplies.update(agentOf(request), (request.params as { id: string }).id, request.body as never));

  app.delete('/api/v1/inbox/quick-replies/:id', {
    config: auth,
    schema: { tags, summary: 'Delete a quick reply (its author, an admin or the owner)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await c.quickReplies.remove(agentOf(request), (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
