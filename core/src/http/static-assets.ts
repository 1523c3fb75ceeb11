import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.js';
import { sendProblem } from './problem.js';

const require = createRequire(import.meta.url);

/** The folder of an installed workspace package's build output, if present. */
export function packageDir(name: string, sub: string): string | null {
  try {
    const dir = join(dirname(require.resolve(`${name}/package.json`)), sub);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

const HASHED = /\.[0-9a-f]{8,}\./i;

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Serves the widget (/widget), the admin SPA (/admin) and the demo host page (/demo). */
export async function staticAssets(app: FastifyInstance, { container }: { container: AwilixContainer<Cradle> }): Promise<void> {
  const { config, db, models, sites } = container.cradle;
  const widgetDir = packageDir('@charla/widget', 'dist');
  const adminDir = packageDir('@charla/admin', 'dist/browser');

  app.get('/', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_req, reply) => reply.redirect('/admin/'));
  // Browsers ask every origin for /favicon.ico (the demo page, API docs, JSON answers): the admin's icon.
  const favicon = adminDir && existsSync(join(adminDir, 'favicon.svg')) ? readFileSync(join(adminDir, 'favicon.svg')) : null;
  app.get('/favicon.ico', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_req, reply) =>
    favicon
      ? reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon)
      : reply.code(204).header('cache-control', 'public, max-age=86400').send());

  if (widgetDir) {
    await app.register(fastifyStatic, {
      root: widgetDir, prefix: '/widget/', decorateReply: false, preCompressed: true, etag: true, index: false, cacheControl: false,
      setHeaders(res, path) {
        res.setHeader('access-control-allow-origin', '*');
        res.setHeader('cross-origin-resource-policy', 'cross-origin');
        res.setHeader('cache-control', HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate');
      },
    });
  } else {
    app.get('/widget/*', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_req, reply) =>
      sendProblem(reply, { title: 'Not Found', status: 404, code: 'CHARLA_CORE_WIDGET_NOT_BUILT', detail: 'The widget is not built. Run `npm run build` (or `npm start`, which builds what is missing).' }));
  }

  if (adminDir) {
    const indexHtml = readFileSync(join(adminDir, 'index.html'), 'utf8');
    await app.register(fastifyStatic, {
      root: adminDir, prefix: '/admin/', decorateReply: false, preCompressed: true, etag: true, index: false, wildcard: false, cacheControl: false,
      setHeaders(res, path) {
        res.setHeader('cache-control', HASHED.test(path) || /-[A-Z0-9]{8}\.(js|css)$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
        res.setHeader('content-security-policy', ADMIN_CSP);
      },
    });
    const spa = async (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', ADMIN_CSP).header('x-frame-options', 'DENY').send(indexHtml);
    // One route: with the router's ignoreTrailingSlash it serves /admin and /admin/ (declaring both is a duplicate).
    app.get('/admin', { config: { auth: 'public' }, schema: { hide: true } as never }, spa);
    app.get('/admin/*', { config: { auth: 'public' }, schema: { hide: true } as never }, async (req, reply) => {
      const rest = (req.params as { '*': string })['*'];
      if (/\.[a-z0-9]{2,5}$/i.test(rest)) {
        return sendProblem(reply, { title: 'Not Found', status: 404, code: 'CHARLA_CORE_ASSET_NOT_FOUND', detail: `No admin asset ${rest}.` });
      }
      return spa(req, reply);
    });
  } else {
    const page = `<!doctype html><meta charset="utf-8"><title>Charla admin</title><body style="font-family:system-ui;max-width:40rem;margin:3rem auto"><h1>Charla</h1><p>The admin app is not built yet. Run <code>npm run build</code> (or <code>npm start</code>, which builds what is missing), then reload.</p><p>The API is up: see <a href="/api/docs">/api/docs</a>.</p>`;
    app.get('/admin', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_r, reply) => reply.type('text/html; charset=utf-8').send(page));
    app.get('/admin/*', { config: { auth: 'public' }, schema: { hide: true } as never }, async (_r, reply) => reply.type('text/html; charset=utf-8').send(page));
  }

  app.get('/demo', {
    config: { auth: 'public' },
    schema: { hide: true, querystring: { type: 'object', properties: { appId: { type: 'string', maxLength: 64 } } } } as never,
  }, async (request, reply) => {
    const q = request.query as { appId?: string };
    let site = q.appId ? await sites.byAppId(q.appId) : null;
    // Without an appId: the first site of the signed-in agent's own account (the admin's
    // cookie), never some other tenant's — an anonymous caller gets the help page.
    const actor = request.actor;
    if (!site && !q.appId && actor?.kind === 'agent') {
      const first = await db.scope(actor.accountId).findOne(models.Site, { order: [['createdAt', 'ASC']] });
      site = first ? first.get({ plain: true }) : null;
    }
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (!site) {
      return reply.send(`<!doctype html><meta charset="utf-8"><title>Charla demo</title><body style="font-family:system-ui;max-width:40rem;margin:3rem auto"><h1>Charla demo page</h1>${q.appId ? `<p>No site has the appId <code>${escapeHtml(q.appId)}</code>.</p>` : actor?.kind === 'agent' ? '<p>Your account has no site yet.</p>' : '<p>Sign in to <a href="/admin/">the admin</a> to see your first site here, or open <code>/demo?appId=&lt;appId&gt;</code>.</p>'}<p>Create one in the admin (<a href="/admin/">/admin</a> → Settings → Sites), or with the API: <code>POST /api/v1/sites {"name":"My site"}</code>. Then open <code>/demo?appId=&lt;appId&gt;</code>.</p>`);
    }
    const snippet = sites.view(site, null).snippet;
    return reply.send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(site.name)} — Charla demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>${escapeHtml(site.name)}</h1><p>This is a demo host page for the site <strong>${escapeHtml(site.name)}</strong> (appId <code>${escapeHtml(site.appId)}</code>). The chat bubble in the corner is the Charla widget, installed with the site's snippet. Answer from <a href="${escapeHtml(config.publicUrl)}/admin/">the admin inbox</a>.</p>
${snippet}
</body></html>`);
  });
}
