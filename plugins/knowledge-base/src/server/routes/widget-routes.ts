import { Type, problems, visitorOf, type PluginContext } from '@charla/core';
import type { FastifyInstance } from 'fastify';
import { renderMarkdown } from '../markdown.js';
import { refuseUnknownFields } from './unknown-fields.js';
import { FeedbackSchema, IdParam, WidgetArticleSchema, WidgetHitSchema, WidgetSearchQuerySchema } from './schemas.js';

/** The messenger's side of the knowledge base: published articles of the visitor's account only. */
export async function widgetRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const articles = ctx.container.cradle.kbArticles;
  const tags = ['widget', 'knowledge-base'];
  const cfg = { auth: 'visitor' as const, cors: true };

  app.get('/api/v1/widget/kb/search', {
    config: cfg,
    schema: { tags, summary: 'Search published articles (also the suggestions while the visitor types)', querystring: WidgetSearchQuerySchema, response: { 200: Type.Object({ articles: Type.Array(WidgetHitSchema) }), ...problems(400, 401, 403) } },
  }, async (request) => {
    const { q, limit = 5 } = request.query as { q: string; limit?: number };
    const hits = q.trim() ? await articles.searchPublished(visitorOf(request).accountId, q, limit) : [];
    return { articles: hits.map(({ article, snippet }) => ({ id: article.id, slug: article.slug, title: article.title, snippet })) };
  });

  app.get('/api/v1/widget/kb/articles/:id', {
    config: cfg,
    schema: { tags, summary: 'A published article, rendered (a draft or a deleted one is 404)', params: IdParam, response: { 200: WidgetArticleSchema, ...problems(401, 403, 404) } },
  }, async (request) => {
    const a = await articles.getPublished(visitorOf(request).accountId, { id: (request.params as { id: string }).id });
    return { id: a.id, slug: a.slug, title: a.title, html: renderMarkdown(a.body), updatedAt: new Date(a.updatedAt).toISOString() };
  });

  app.post('/api/v1/widget/kb/articles/:id/feedback', {
    config: cfg,
    preValidation: refuseUnknownFields(FeedbackSchema),
    schema: { tags, summary: '"Did this help?" (one answer per visitor and article; the latest counts)', params: IdParam, body: FeedbackSchema, response: { 202: Type.Null(), ...problems(400, 401, 403, 404) } },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    await articles.feedback(actor.accountId, (request.params as { id: string }).id, actor.visitorId, (request.body as { helpful: boolean }).helpful);
    return reply.code(202).send();
  });
}
