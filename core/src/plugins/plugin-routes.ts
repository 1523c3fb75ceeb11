import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { problems } from '../http/schemas.js';

const PluginSchema = Type.Object({
  name: Type.String(), version: Type.String(), description: Type.Union([Type.String(), Type.Null()]),
  plan: Type.Union([Type.String(), Type.Null()]), required: Type.Boolean(), available: Type.Boolean(), enabled: Type.Boolean(),
  settingsSchema: Type.Unknown(), settings: Type.Record(Type.String(), Type.Unknown()),
});

/** Settings → Plugins: what is installed, on or off for this account, and each plugin's settings. */
export async function pluginRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { pluginRegistry } = container.cradle;
  app.get('/plugins', { config: { auth: 'agent' }, schema: { tags: ['plugins'], summary: 'Plugins of this instance and their state for this account', response: { 200: Type.Object({ plugins: Type.Array(PluginSchema) }), ...problems(401) } } }, async (request) => ({ plugins: await pluginRegistry.forAccount(agentOf(request).accountId) }));
  app.patch('/plugins/:name', {
    config: { auth: 'agent', roles: ['owner', 'admin'] },
    schema: {
      tags: ['plugins'], summary: 'Turn a plugin on/off for this account or change its settings',
      params: Type.Object({ name: Type.String({ maxLength: 60 }) }),
      body: Type.Object({ enabled: Type.Optional(Type.Boolean()), settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
      response: { 200: PluginSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => pluginRegistry.update(agentOf(request).accountId, (request.params as { name: string }).name, request.body as never));
}
