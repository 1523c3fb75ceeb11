import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { Id, Name, problems } from '../http/schemas.js';
import { API_KEY_SCOPES, type Role } from './actor.js';

/** The admin's `ApiKeyScope` and `ApiKey` are generated from these (scripts/wire-types.mjs). */
export const ApiKeyScopeSchema = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));
export const ApiKeySchema = Type.Object({
  id: Type.String(), name: Type.String(), scopes: Type.Array(ApiKeyScopeSchema), prefix: Type.String(),
  createdAt: Type.String(), lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
const managers: Role[] = ['owner', 'admin'];

/** API-features.md "Webhooks and API keys": the account's keys, managed by its admins. */
export async function apiKeyRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { apiKeys } = container.cradle;
  const tags = ['api-keys'];
  const config = { auth: 'agent' as const, roles: managers };

  app.post('/api-keys', {
    config,
    schema: {
      tags, summary: 'Create an API key (the key is in this answer only)',
      body: Type.Object({ name: Name, scopes: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: API_KEY_SCOPES.length }) }),
      response: { 201: Type.Composite([ApiKeySchema, Type.Object({ key: Type.String() })]), ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const actor = agentOf(request);
    return reply.code(201).send(await apiKeys.create(actor.accountId, actor.userId, request.body as { name: string; scopes: string[] }));
  });

  app.get('/api-keys', {
    config,
    schema: { tags, summary: 'API keys of this account (never the key itself)', response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeySchema) }), ...problems(401, 403) } },
  }, async (request) => ({ apiKeys: await apiKeys.list(agentOf(request).accountId) }));

  app.delete('/api-keys/:id', {
    config,
    schema: { tags, summary: 'Delete (revoke) an API key: refused at once afterwards', params: Type.Object({ id: Id }), response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await apiKeys.remove(agentOf(request).accountId, (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
