import { Type, agentOrKeyOf, problems, type PluginContext } from '@charla/core';
import type { FastifyInstance } from 'fastify';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https URL of the receiver (http only outside production); internal addresses are refused' });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, description: 'Event names from GET /api/v1/events/catalogue, families such as "conversation.*", or "*" for all' });
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);
const IncludePrivate = Type.Boolean({ description: 'Also deliver private notes (message.created with private: true)' });

const WebhookSchema = Type.Object({
  id: Type.String(), url: Type.String(), description: Nullable(Type.String()), events: Type.Array(Type.String()), enabled: Type.Boolean(), includePrivate: Type.Boolean(),
  disabledReason: Nullable(Type.String({ description: 'Why the webhook turned itself off (410 Gone, or retries exhausted)' })), createdAt: DateTime, updatedAt: DateTime,
});
const WithSecret = Type.Intersect([WebhookSchema, Type.Object({ secret: Type.String({ description: 'whsec_…: shown only here; verify signatures with it' }) })]);
const DeliverySchema = Type.Object({
  id: Type.String(), eventId: Type.String({ description: 'The webhook-id header: the same on every try' }), type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]), attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]), lastError: Nullable(Type.String()), durationMs: Type.Union([Type.Integer(), Type.Null()]),
  nextAttemptAt: Nullable(DateTime), createdAt: DateTime, deliveredAt: Nullable(DateTime),
});

/** Webhook endpoints, their delivery log, redelivery and test events (owners and admins, or a key with webhooks:write). */
export async function webhookRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  const tags = ['webhooks'];
  const config = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const], scopes: ['webhooks:write' as const] };
  const account = (request: Parameters<typeof agentOrKeyOf>[0]) => agentOrKeyOf(request).accountId;
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.get('/api/v1/webhooks', {
    config, schema: { tags, summary: 'Webhooks of this account', response: { 200: Type.Object({ webhooks: Type.Array(WebhookSchema) }), ...problems(401, 403) } },
  }, async (request) => ({ webhooks: (await c.webhookEndpoints.list(account(request))).map((r) => c.webhookEndpoints.view(r)) }));

  app.post('/api/v1/webhooks', {
    config,
    schema: {
      tags, summary: 'Create a webhook (the secret is shown only in this answer)',
      body: Type.Object({ url: Url, events: Events, description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()), includePrivate: Type.Optional(IncludePrivate) }, { additionalProperties: false }),
      response: { 201: WithSecret, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => reply.code(201).send(await c.webhookEndpoints.create(account(request), request.body as never)));

  app.get('/api/v1/webhooks/:id', {
    config, schema: { tags, summary: 'One webhook', params: IdParam, response: { 200: WebhookSchema, ...problems(401, 403, 404) } },
  }, async (request) => c.webhookEndpoints.view(await c.webhookEndpoints.get(account(request), id(request))));

  app.patch('/api/v1/webhooks/:id', {
    config,
    schema: {
      tags, summary: 'Change a webhook: URL, events, description, enabled, includePrivate', params: IdParam,
      body: Type.Object({ url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()), includePrivate: Type.Optional(IncludePrivate) }, { additionalProperties: false }),
      response: { 200: WebhookSchema, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => c.webhookEndpoints.update(account(request), id(request), request.body as never));

  app.delete('/api/v1/webhooks/:id', {
    config, schema: { tags, summary: 'Delete a webhook and its delivery log', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await c.webhookEndpoints.remove(account(request), id(request));
    return reply.code(204).send();
  });

  app.post('/api/v1/webhooks/:id/rotate-secret', {
    config, schema: { tags, summary: 'A new signing secret (shown only here); the old one keeps signing for 24 hours', params: IdParam, response: { 200: WithSecret, ...problems(401, 403, 404) } },
  }, async (request) => c.webhookEndpoints.rotate(account(request), id(request)));

  app.post('/api/v1/webhooks/:id/test', {
    config, schema: { tags, summary: 'Send a webhook.test delivery', params: IdParam, response: { 202: DeliverySchema, ...problems(401, 403, 404, 409) } },
  }, async (request, reply) => reply.code(202).send(await c.webhookDeliveries.test(account(request), id(request))));

  app.get('/api/v1/webhooks/:id/deliveries', {
    config,
    schema: {
      tags, summary: 'The delivery log, newest first', params: IdParam,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })), cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' })) }),
      response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema), nextCursor: Nullable(Type.String()) }), ...problems(400, 401, 403, 404) },
    },
  }, async (request) => c.webhookDeliveries.list(account(request), id(request), request.query as { limit?: number; cursor?: string }));

  app.post('/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver', {
    config,
    schema: { tags, summary: 'Send a delivery again now (same webhook-id)', params: Type.Object({ id: Type.String({ maxLength: 64 }), deliveryId: Type.String({ maxLength: 64 }) }), response: { 202: DeliverySchema, ...problems(401, 403, 404, 409) } },
  }, async (request, reply) => {
    const p = request.params as { id: string; deliveryId: string };
    return reply.code(202).send(await c.webhookDeliveries.redeliver(account(request), p.id, p.deliveryId));
  });
}
