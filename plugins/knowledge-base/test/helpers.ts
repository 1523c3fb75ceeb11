import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Parser } from 'htmlparser2';
import { signup, startSmtpServer, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import knowledgeBase from '../src/server/index.js';

export { conversations, knowledgeBase };

/**
 * The plugin declares its built widget module (dist/widget/index.js), which the server
 * checks at boot: build it (as `npm run build` does) when it is missing or older than
 * its source.
 */
export function ensureWidgetModule(): void {
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  const out = `${pkg}dist/widget/index.js`;
  const src = `${pkg}src/widget/index.ts`;
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.widget.json'], { cwd: pkg, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the widget module failed:\n${r.stdout}${r.stderr}`);
}
ensureWidgetModule();

export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;
export interface Agent { token: string; userId: string; accountId: string }
export interface World { owner: Agent; site: { id: string; appId: string; name: string } }
export interface Env { s: TestServer; smtp: Smtp; close(): Promise<void> }

/** A server with conversations (widget visitors) and the knowledge base, and a real SMTP server for invitations. */
export async function startEnv(opts: TestServerOptions = {}): Promise<Env> {
  const smtp = await startSmtpServer();
  const s = await startTestServer({ plugins: [conversations, knowledgeBase], ...opts, config: { smtpUrl: smtp.url, ...(opts.config ?? {}) } });
  return { s, smtp, async close() { await s.close(); await smtp.close(); } };
}

export async function world(s: TestServer, name = 'Shop'): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { owner: { token: a.token, userId: a.userId, accountId: a.accountId }, site: site.body };
}

/** A member with `role`, invited by e-mail through the real SMTP server. */
export async function member(s: TestServer, smtp: Smtp, w: World, role: 'agent' | 'admin'): Promise<Agent> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const inv = await s.request('POST', '/api/v1/team/invitations', { token: w.owner.token, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const r = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: role, password: `${role}-secret-pw` } });
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${r.text}`);
  return { token: r.body.token, userId: r.body.user.id, accountId: w.owner.accountId };
}

export async function visitor(s: TestServer, appId: string): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

export interface ArticleBody { title: string; body: string; tags?: string[]; category?: string | null; locale?: string; status?: 'draft' | 'published' }

export async function article(s: TestServer, token: string, body: ArticleBody): Promise<{ id: string; slug: string; [k: string]: unknown }> {
  const r = await s.request('POST', '/api/v1/kb/articles', { token, body });
  if (r.status !== 201) throw new Error(`article: ${r.status} ${r.text}`);
  return r.body;
}

export const isProblem = (r: { status: number; headers: Record<string, unknown>; body: any }, status: number, code?: string) =>
  r.status === status && String(r.headers['content-type']).startsWith('application/problem+json') && typeof r.body?.detail === 'string' && (code === undefined || r.body.code === code);

/** Elements and attributes of an HTML document or fragment, as a browser's parser would see them (text stays text). */
export function elementsOf(html: string): Array<{ name: string; attributes: Record<string, string> }> {
  const found: Array<{ name: string; attributes: Record<string, string> }> = [];
  const parser = new Parser({ onopentag: (name, attributes) => found.push({ name, attributes }) }, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  parser.write(html);
  parser.end();
  return found;
}
