import { Type, agentOf, problems, type PluginContext } from '@charla/core';
import type { FastifyInstance } from 'fastify';
import type { ArticleInput, ArticlePatch, ListQuery } from '../article-service.js';
import { refuseUnknownFields } from './unknown-fields.js';
import { renderMarkdown } from '../markdown.js';
import { ArticleCreateSchema, ArticlePatchSchema, ArticleSchema, IdParam, ListQuerySchema, PreviewSchema, StatusSchema } from './schemas.js';

/** API-features.md "Knowledge base": articles (reads for any agent, writes for owners and admins) and categories. */
export async function articleRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const articles = ctx.container.cradle.kbArticles;
  const tags = ['knowledge-base'];
  const read = { auth: 'agent' as const };
  const write = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.post('/api/v1/kb/articles', {
    config: write,
    preValidation: refuseUnknownFields(ArticleCreateSchema),
    schema: { tags, summary: 'Write an article (a draft unless status is "published")', body: ArticleCreateSchema, response: { 201: ArticleSchema, ...problems(400, 401, 403, 409, 413) } },
  }, async (request, reply) => {
    const actor = agentOf(request);
    return reply.code(201).send(articles.view(await articles.create(actor.accountId, actor.userId, request.body as ArticleInput)));
  });

  app.get('/api/v1/kb/articles', {
    config: read,
    schema: { tags, summary: 'Articles, newest first; with q=, ranked search hits with snippets', querystring: ListQuerySchema, response: { 200: Type.Object({ articles: Type.Array(ArticleSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) } },
  }, async (request) => {
    const page = await articles.list(agentOf(request).accountId, request.query as ListQuery);
    return { articles: page.articles.map((a) => ({ ...articles.view(a), ...(a.snippet !== undefined ? { snippet: a.snippet } : {}) })), nextCursor: page.nextCursor };
  });

  // The editor's live preview: the same renderer and sanitizer visitors get, so what the admin sees is what they will see.
  app.post('/api/v1/kb/preview', {
    config: write,
    preValidation: refuseUnknownFields(PreviewSchema),
    schema: { tags, summary: 'Render a Markdown body as visitors will see it (sanitized HTML), without saving', body: PreviewSchema, response: { 200: Type.Object({ html: Type.String() }), ...problems(400, 401, 403, 413) } },
  }, async (request) => ({ html: renderMarkdown((request.body as { body: string }).body) }));

  app.get('/api/v1/kb/categories', {
    config: read,
    schema: { tags, summary: 'Categories in use, with how many articles each has', querystring: Type.Object({ status: Type.Optional(StatusSchema) }), response: { 200: Type.Object({ categories: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })) }), ...problems(400, 401, 403) } },
  }, async (request) => ({ categories: await articles.categories(agentOf(request).accountId, (request.query as { status?: 'draft' | 'published' }).status) }));

  app.get('/api/v1/kb/articles/:id', {
    config: read,
    schema: { tags, summary: 'One article, with its visitors\' feedback', params: IdParam, response: { 200: Type.Intersect([ArticleSchema, Type.Object({ feedback: Type.Object({ helpful: Type.Integer(), notHelpful: Type.Integer() }) })]), ...problems(401, 403, 404) } },
  }, async (request) => {
    const accountId = agentOf(request).accountId;
    const row = await articles.get(accountId, id(request));
    return { ...articles.view(row), feedback: await articles.feedbackCounts(accountId, row.id) };
  });

  app.patch('/api/v1/kb/articles/:id', {
    config: write,
    preValidation: refuseUnknownFields(ArticlePatchSchema),
    schema: { tags, summary: 'Change an article; status publishes or unpublishes it', params: IdParam, body: ArticlePatchSchema, response: { 200: ArticleSchema, ...problems(400, 401, 403, 404, 409, 413) } },
  }, async (request) => {
    const actor = agentOf(request);
    return articles.view(await articles.update(actor.accountId, actor.userId, id(request), request.body as ArticlePatch));
  });

  app.delete('/api/v1/kb/articles/:id', {
    config: write,
    schema: { tags, summary: 'Delete an article (and its feedback)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await articles.remove(agentOf(request).accountId, id(request));
    return reply.code(204).send();
  });
}
