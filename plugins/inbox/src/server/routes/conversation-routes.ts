import { Type, agentOf, problems, visitorOf, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import { InboxErrors } from '../errors.js';
import { ConversationStateSchema, IdParam, SlaSchema } from './schemas.js';

/** Per-conversation routing/SLA state, SLA lists and reports, and the visitor's queue position. */
export async function conversationRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  const data = () => ctx.services.get(ConversationsData);
  const tags = ['inbox'];
  const auth = { auth: 'agent' as const };

  app.get('/api/v1/inbox/conversations/:id/state', {
    config: auth,
    schema: { tags, summary: 'Routing and SLA state of a conversation (queue position, first-response due time)', params: IdParam, response: { 200: ConversationStateSchema, ...problems(401, 403, 404) } },
  }, async (request) => {
    const accountId = agentOf(request).accountId;
    const conv = await data().conversations.mustGet(accountId, (request.params as { id: string }).id);
    const [state, queue, settings] = await Promise.all([c.inboxSla.stateOf(accountId, conv.id), c.inboxRouter.position(accountId, conv.id), ctx.settingsFor(accountId)]);
    return {
      conversationId: conv.id, priority: conv.priority, priorityRule: state?.priorityRule ?? null,
      queuePosition: queue.position, queueLength: queue.queueLength,
      sla: c.inboxSla.toView(conv, state, settings as never),
    };
  });

  app.get('/api/v1/inbox/sla', {
    config: auth,
    schema: { tags, summary: 'Open conversations waiting for a first reply, with their due times, soonest first', response: { 200: Type.Object({ conversations: Type.Array(SlaSchema) }), ...problems(401, 403) } },
  }, async (request) => ({ conversations: await c.inboxSla.open(agentOf(request).accountId) }));

  app.get('/api/v1/inbox/sla/summary', {
    config: auth,
    schema: {
      tags, summary: 'SLA counts for conversations started in [from, to): tracked, met, breached, warned, pending',
      querystring: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.Optional(Type.String({ format: 'date-time' })) }),
      response: { 200: Type.Object({ from: Type.String(), to: Type.String(), tracked: Type.Integer(), met: Type.Integer(), breached: Type.Integer(), warned: Type.Integer(), pending: Type.Integer() }), ...problems(400, 401, 403) },
    },
  }, async (request) => {
    const q = request.query as { from: string; to?: string };
    const from = new Date(q.from);
    const to = q.to ? new Date(q.to) : c.clock.now();
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) throw InboxErrors.badRequest('from and to must be ISO-8601 times with from before to.');
    return { from: from.toISOString(), to: to.toISOString(), ...(await c.inboxSla.summary(agentOf(request).accountId, from, to)) };
  });

  app.get('/api/v1/widget/inbox/queue/:id', {
    config: { auth: 'visitor', cors: true },
    schema: { tags: ['widget'], summary: 'The visitor\'s place in the queue for one of its conversations (null when an agent has it)', params: IdParam, response: { 200: Type.Object({ conversationId: Type.String(), position: Type.Union([Type.Integer(), Type.Null()]), queueLength: Type.Integer() }), ...problems(401, 403, 404) } },
  }, async (request) => {
    const actor = visitorOf(request);
    const conv = await data().conversations.mustGet(actor.accountId, (request.params as { id: string }).id, { visitorId: actor.visitorId });
    const settings = (await ctx.settingsFor(actor.accountId)) as { showQueuePosition: boolean };
    const q = conv.assigneeId || conv.status === 'closed' || !settings.showQueuePosition ? { position: null, queueLength: 0 } : await c.inboxRouter.position(actor.accountId, conv.id);
    return { conversationId: conv.id, ...q };
  });
}
