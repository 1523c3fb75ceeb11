import { Type, agentOf, problems, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import type { AgentStatus } from '../models.js';
import { AgentPatchSchema, AgentSchema, DashboardSchema, IdParam, PreferencesPatchSchema, PreferencesSchema, PresenceBoardSchema } from './schemas.js';

/** Agents (status, capacity), the presence board, the dashboard figures and notification preferences. */
export async function agentRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const c = ctx.container.cradle;
  /** Visitors connected now (presence), read through the conversations plugin's data service. */
  const onlineVisitors = async (accountId: string) => {
    const ids = (await c.presence.online('visitor', accountId)).map((e) => e.id).slice(0, 500);
    return ids.length ? (await ctx.services.get(ConversationsData).visitors.list(accountId, { ids, limit: 500 })).items : [];
  };
  const tags = ['inbox'];
  const auth = { auth: 'agent' as const };
  const admins = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };

  const changed = async (accountId: string) => {
    await c.inboxRouter.route(accountId);
    await c.inboxDashboard.touch(accountId);
  };

  app.get('/api/v1/inbox/agents', {
    config: auth,
    schema: { tags, summary: 'Team members with presence, availability, load and capacity', response: { 200: Type.Object({ agents: Type.Array(AgentSchema) }), ...problems(401, 403) } },
  }, async (request) => ({ agents: await c.inboxAgents.list(agentOf(request).accountId) }));

  app.get('/api/v1/inbox/agents/me', {
    config: auth,
    schema: { tags, summary: 'My presence, availability, load and capacity', response: { 200: AgentSchema, ...problems(401, 403) } },
  }, async (request) => {
    const a = agentOf(request);
    return c.inboxAgents.one(a.accountId, a.userId);
  });

  app.patch('/api/v1/inbox/agents/me', {
    config: auth,
    schema: { tags, summary: 'Set myself away or available', body: Type.Object({ status: Type.Union([Type.Literal('available'), Type.Literal('away')]) }, { additionalProperties: false }), response: { 200: AgentSchema, ...problems(400, 401, 403) } },
  }, async (request) => {
    const a = agentOf(request);
    const view = await c.inboxAgents.update(a.accountId, a.userId, { status: (request.body as { status: AgentStatus }).status });
    await changed(a.accountId);
    return c.inboxAgents.one(a.accountId, view.userId);
  });

  app.get('/api/v1/inbox/agents/:id', {
    config: auth,
    schema: { tags, summary: 'One team member\'s presence, availability, load and capacity', params: IdParam, response: { 200: AgentSchema, ...problems(401, 403, 404) } },
  }, async (request) => c.inboxAgents.one(agentOf(request).accountId, (request.params as { id: string }).id));

  app.patch('/api/v1/inbox/agents/:id', {
    config: admins,
    schema: { tags, summary: 'Set a member\'s availability and/or personal capacity (owner, admin)', params: IdParam, body: AgentPatchSchema, response: { 200: AgentSchema, ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const a = agentOf(request);
    const view = await c.inboxAgents.update(a.accountId, (request.params as { id: string }).id, request.body as { status?: AgentStatus; capacity?: number | null });
    await changed(a.accountId);
    return c.inboxAgents.one(a.accountId, view.userId);
  });

  app.get('/api/v1/inbox/presence', {
    config: auth,
    schema: { tags, summary: 'Presence board: agents online/away/offline with open counts; visitors online per site with their current page', response: { 200: PresenceBoardSchema, ...problems(401, 403) } },
  }, async (request) => {
    const accountId = agentOf(request).accountId;
    const [agents, visitors, sites] = await Promise.all([c.inboxAgents.list(accountId), onlineVisitors(accountId), c.sites.list(accountId)]);
    return {
      agents,
      sites: sites.map((s) => {
        const here = visitors.filter((v) => v.siteId === s.id);
        return { id: s.id, name: s.name, visitorsOnline: here.length, visitors: here.map((v) => ({ id: v.id, name: v.name, email: v.email, currentUrl: v.currentUrl, currentTitle: v.currentTitle, lastSeenAt: new Date(v.lastSeenAt).toISOString() })) };
      }),
    };
  });

  app.get('/api/v1/inbox/dashboard', {
    config: auth,
    schema: { tags, summary: 'Live load figures (also pushed as inbox:dashboard on the account channel)', response: { 200: DashboardSchema, ...problems(401, 403) } },
  }, async (request) => c.inboxDashboard.figures(agentOf(request).accountId));

  app.get('/api/v1/inbox/notifications/preferences', {
    config: auth,
    schema: { tags, summary: 'My notification preferences', response: { 200: PreferencesSchema, ...problems(401, 403) } },
  }, async (request) => {
    const a = agentOf(request);
    return c.inboxAgents.preferences(a.accountId, a.userId);
  });

  app.patch('/api/v1/inbox/notifications/preferences', {
    config: auth,
    schema: { tags, summary: 'Change my notification preferences (e-mail when I am not online; browser notifications in the admin)', body: PreferencesPatchSchema, response: { 200: PreferencesSchema, ...problems(400, 401, 403) } },
  }, async (request) => {
    const a = agentOf(request);
    return c.inboxAgents.setPreferences(a.accountId, a.userId, request.body as never);
  });
}
