import { Type, agentOf, definePlugin, problems, type CharlaPlugin, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import { ReportService, type ReportQuery } from './report-service.js';
import { RECENT_DAYS, Rollups, defineRollupModel } from './rollups.js';
import { dayOf, startOfDay } from './time-zone.js';

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

/** The report service of a plugin context (stateless: a new one is as good as the last). */
function service(ctx: PluginContext): ReportService {
  return new ReportService(ctx, new Rollups(ctx));
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
  models(ctx) {
    defineRollupModel(ctx);
  },
  jobs: {
    /** One account's rollups: missing days, the recent ones again, or `days` only. Idempotent. */
    async rollup(payload, _job, ctx) {
      const rollups = new Rollups(ctx);
      const accountId = String(payload.accountId);
      if (!(await ctx.enabledFor(accountId)) || !(await service(ctx).settings(accountId)).rollups) return;
      await rollups.run(accountId, service(ctx), Array.isArray(payload.days) ? (payload.days as string[]) : undefined);
    },
    /** Hourly: every account with rollups gets its recent days recomputed (whatever its time zone, yesterday is then complete). */
    async 'rollup-recent'(_payload, _job, ctx) {
      for (const accountId of await new Rollups(ctx).accounts()) {
        await ctx.jobs.enqueueOnce('reports.rollup', { accountId }, { accountId, dedupeKey: `rollup:${accountId}` });
      }
    },
  },
  schedules: { 'rollup-recent': { every: '1h' } },
  events: {
    // An account's first conversation starts its rollups (then the hourly schedule keeps them).
    'conversation.created': async (p, ctx) => {
      await ctx.jobs.enqueueOnce('reports.rollup', { accountId: p.accountId }, { accountId: p.accountId, dedupeKey: `rollup:${p.accountId}`, delayMs: 10 * 60_000 });
    },
    // A late change (closed, reassigned, tagged) to a conversation of an older day: recompute that day.
    'conversation.updated': async (p, ctx) => {
      if (!['status', 'assigneeId', 'tags'].some((k) => k in p.changes)) return;
      const conv = await ctx.services.get(ConversationsData).conversations.get(p.accountId, p.conversationId);
      if (!conv) return;
      const { timezone } = await service(ctx).settings(p.accountId);
      const day = dayOf(new Date(conv.createdAt), timezone);
      const recentFrom = new Date(startOfDay(dayOf(ctx.container.cradle.clock.now(), timezone), timezone).getTime() - RECENT_DAYS * 86_400_000);
      if (new Date(conv.createdAt) >= recentFrom) return;   // the next run recomputes recent days anyway
      await ctx.jobs.enqueueOnce('reports.rollup', { accountId: p.accountId, days: [day] }, { accountId: p.accountId, dedupeKey: `rollup:${p.accountId}:${day}`, delayMs: 5 * 60_000 });
    },
  },
  routes(app, ctx) {
    routes(app, ctx, service(ctx));
  },
});

export default plugin;
