import { Type, type PluginContext } from '@charla/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KnowledgeBaseErrors } from '../errors.js';
import { plainText, renderMarkdown } from '../markdown.js';
import { articlePage, homePage, HELP_CSP, type SiteLook } from '../help-center/pages.js';
import { helpLanguage } from '../help-center/strings.js';
import { LIMITS } from './schemas.js';

/** Articles listed on the help center's home page. */
const HOME_LIMIT = 200;

/**
 * The public help center (API-features.md): `/help/:appId` and `/help/:appId/:slug`,
 * server-rendered HTML for anyone, published articles of the site's account only.
 */
export async function helpCenterRoutes(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const { kbArticles: articles, sites, config } = ctx.container.cradle;
  const tags = ['help-center'];

  /** The site and its account; 404 for an unknown appId and for an account without the plugin. */
  async function siteOf(appId: string): Promise<{ accountId: string; look: SiteLook }> {
    const site = await sites.byAppId(appId);
    if (!site || !(await ctx.enabledFor(site.accountId))) throw KnowledgeBaseErrors.siteNotFound('No help center here.');
    return { accountId: site.accountId, look: { name: site.name, appId: site.appId, widget: sites.view(site, null).widget } };
  }

  const send = (reply: FastifyReply, html: string) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', HELP_CSP).header('cache-control', 'no-cache').send(html);
  const language = (request: FastifyRequest) => helpLanguage((request.query as { lang?: string }).lang, request.headers['accept-language']);
  const Lang = Type.Optional(Type.String({ maxLength: 10 }));

  app.get('/help/:appId', {
    config: { auth: 'public' },
    schema: { tags, summary: 'Help center home: published articles by category, or search results (?q=)', params: Type.Object({ appId: Type.String({ maxLength: 64 }) }), querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: LIMITS.query })), lang: Lang }) },
  }, async (request, reply) => {
    const { appId } = request.params as { appId: string };
    const q = (request.query as { q?: string }).q?.trim();
    const { accountId, look } = await siteOf(appId);
    const listed = q
      ? (await articles.searchPublished(accountId, q, 20)).map(({ article, snippet }) => ({ slug: article.slug, title: article.title, category: article.category, snippet }))
      : (await articles.list(accountId, { status: 'published', limit: HOME_LIMIT })).articles.map((a) => ({ slug: a.slug, title: a.title, category: a.category }));
    return send(reply, homePage({ lang: language(request), site: look, canonical: `${config.publicUrl}/help/${encodeURIComponent(appId)}`, articles: listed, query: q || undefined }));
  });

  app.get('/help/:appId/:slug', {
    config: { auth: 'public' },
    schema: { tags, summary: 'One published article of the help center', params: Type.Object({ appId: Type.String({ maxLength: 64 }), slug: Type.String({ maxLength: LIMITS.slug }) }), querystring: Type.Object({ lang: Lang }) },
  }, async (request, reply) => {
    const { appId, slug } = request.params as { appId: string; slug: string };
    const { accountId, look } = await siteOf(appId);
    const a = await articles.getPublished(accountId, { slug });
    return send(reply, articlePage({
      lang: language(request), site: look, canonical: `${config.publicUrl}/help/${encodeURIComponent(appId)}/${encodeURIComponent(a.slug)}`,
      title: a.title, html: renderMarkdown(a.body), text: plainText(a.body), updatedAt: new Date(a.updatedAt), locale: a.locale,
    }));
  });
}
