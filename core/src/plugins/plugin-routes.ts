import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { agentOf } from '../http/request-auth.js';
import { problems } from '../http/schemas.js';
import type { Role } from '../auth/actor.js';
import { PluginErrors, type PluginView } from './plugin-registry.js';

const PluginSchema = Type.Object({
  name: Type.String(), version: Type.String(), description: Type.Union([Type.String(), Type.Null()]),
  plan: Type.Union([Type.String(), Type.Null()]), required: Type.Boolean(), available: Type.Boolean(), enabled: Type.Boolean(),
  settingsSchema: Type.Unknown({ description: 'JSON schema of the settings (null for agents: settings are for admins)' }),
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Admins only' })),
});
const managers: Role[] = ['owner', 'admin'];

/** Settings may hold credentials: owners and admins see them, agents see names and state. */
function forRole(view: PluginView, role: Role): PluginView | Omit<PluginView, 'settings'> {
  if (managers.includes(role)) return view;
  const { settings: _hidden, ...rest } = view;
  return { ...rest, settingsSchema: null };
}

/** Settings → Plugins: what is installed, on or off for this account, and each plugin's settings. */
export async function pluginRoutes(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { pluginRegistry } = container.cradle;
  app.get('/plugins', { config: { auth: 'agent' }, schema: { tags: ['plugins'], summary: 'Plugins of this instance and their state for this account (settings: admins only)', response: { 200: Type.Object({ plugins: Type.Array(PluginSchema) }), ...problems(401) } } }, async (request) => {
    const actor = agentOf(request);
    return { plugins: (await pluginRegistry.forAccount(actor.accountId)).map((v) => forRole(v, actor.role)) };
  });
  app.get('/plugins/:name', {
    config: { auth: 'agent' },
    schema: { tags: ['plugins'], summary: 'One plugin and its state for this account (settings: admins only)', params: Type.Object({ name: Type.String({ maxLength: 60 }) }), response: { 200: PluginSchema, ...problems(401, 404) } },
  }, async (request) => {
    const actor = agentOf(request);
    const name = (request.params as { name: string }).name;
    const view = (await pluginRegistry.forAccount(actor.accountId)).find((v) => v.name === name);
    if (!view) throw PluginErrors.notFound(`No plugin "${name}" is enabled on this instance.`);
    return forRole(view, actor.role);
  });
  app.patch('/plugins/:name', {
    config: { auth: 'agent', roles: managers },
    schema: {
      tags: ['plugins'], summary: 'Turn a plugin on/off for this account or change its settings',
      params: Type.Object({ name: Type.String({ maxLength: 60 }) }),
      body: Type.Object({ enabled: Type.Optional(Type.Boolean()), settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
      response: { 200: PluginSchema, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => pluginRegistry.update(agentOf(request).accountId, (request.params as { name: string }).name, request.body as never));
}
