import { Type, agentOf, definePlugin, problems, type CharlaPlugin, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import { ReportService, type ReportQuery } from './report-service.js';

export { ReportErrors } from './errors.js';
export type { Overview } from './stats.js';

const Seconds = Type.Union([Type.Integer(), Type.Null()]);
export const OverviewSchema = Type.Object({
  range: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), timezone: Type.String(), siteId: Type.Union([Type.String(), Type.Null()]) }),
  conversations: Type.Object({
    total: Type.Integer(), resolved: Type.Integer(), unresolved: Type.Integer(),
    byDay: Type.Array(Type.Object({ date: Type.String(), count: Type.Integer() })),
    bySite: Type.Array(Type.Object({ siteId: Type.String(), name: Type.String(), count: Type.Integer() })),
    byChannel: Type.Array(Type.Object({ channel: Type.String(), count: Type.Integer() })),
  }),
  firstResponse: Type.Object({ count: Type.Integer(), averageSeconds: Seconds, medianSeconds: Seconds, p90Seconds: Seconds }),
  resolution: Type.Object({ count: Type.Integer(), averageSeconds: Seconds, medianSeconds: Seconds }),
  topPages: Type.Array(Type.Object({ url: Type.String(), conversations: Type.Integer() })),
  agents: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), conversations: Type.Integer(), replies: Type.Integer(), averageFirstResponseSeconds: Seconds })),
  tags: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
}, { description: 'Reports overview (API-features.md § Reports); docs/reports.md says how each figure is computed' });

const RangeQuery = {
  from: Type.Optional(Type.String({ maxLength: 40, description: 'A day (2026-03-01, the whole day in timezone) or an ISO time; default 29 days before to' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'A day (included) or an ISO time (excluded); default today' })),
  siteId: Type.Optional(Type.String({ maxLength: 64 })),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone of the days; default the reports setting (UTC)' })),
};

function routes(app: FastifyInstance, ctx: PluginContext, reports: ReportService): void {
  const tags = ['reports'];
  const admin = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };

  app.get('/api/v1/reports/overview', {
    config: admin,
    schema: { tags, summary: 'Conversations, response times, agents, pages, tags and channels for a date range', querystring: Type.Object(RangeQuery), response: { 200: OverviewSchema, ...problems(400, 401, 403, 404) } },
  }, async (request) => reports.overview(agentOf(request).accountId, request.query as ReportQuery));

  app.get('/api/v1/reports/conversations.csv', {
    config: admin,
    schema: { tags, summary: 'The range\'s conversations as CSV, one row a conversation', querystring: Type.Object(RangeQuery), produces: ['text/csv'], response: { 200: Type.String(), ...problems(400, 401, 403, 404) } } as never,
  }, async (request, reply) => {
    const q = request.query as ReportQuery;
    const body = await reports.csv(agentOf(request).accountId, q);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="conversations-${(q.from ?? 'last-30-days').replace(/[^0-9A-Za-z-]/g, '')}${q.to ? `-${q.to.replace(/[^0-9A-Za-z-]/g, '')}` : ''}.csv"`)
      .send(body);
  });
  void ctx;
}

// Annotated so the emitted declaration does not depend on other packages' internals.
const plugin: CharlaPlugin = definePlugin({
  name: 'reports',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Reports: conversations per day, site and channel, first-response and resolution times, agents, pages and tags, with CSV and daily rollups',
  dependsOn: ['conversations'],
  uses: [ConversationsData],
  migrations: new URL('./migrations/', import.meta.url),
  settings: Type.Object({
    timezone: Type.String({ default: 'UTC', minLength: 1, maxLength: 64, title: 'Time zone', description: 'IANA time zone of report days (e.g. Europe/Madrid), unless a report asks for another' }),
    rollups: Type.Boolean({ default: true, title: 'Daily rollups', description: 'Keep per-day figures (recomputed nightly for recent days) so long ranges answer fast' }),
  }),
  routes(app, ctx) {
    routes(app, ctx, new ReportService(ctx));
  },
});

export default plugin;
