import { randomBytes } from 'node:crypto';
import { signup, startSmtpServer, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import tags from '../src/server/index.js';

export { conversations, tags };
export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;
export interface Agent { token: string; userId: string; accountId: string }
export interface World { owner: Agent; site: { id: string; appId: string } }

export async function startEnv(opts: TestServerOptions = {}): Promise<{ s: TestServer; smtp: Smtp; close(): Promise<void> }> {
  const smtp = await startSmtpServer();
  const s = await startTestServer({ plugins: [conversations, tags], ...opts, config: { smtpUrl: smtp.url, ...(opts.config ?? {}) } });
  return { s, smtp, async close() { await s.close(); await smtp.close(); } };
}

export async function world(s: TestServer): Promise<World> {
  const a = await signup(s);
  const site = await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { owner: { token: a.token, userId: a.userId, accountId: a.accountId }, site: site.body };
}

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

/** A visitor of the site who writes once: its conversation's id. */
export async function conversation(s: TestServer, appId: string, content = 'Hello'): Promise<string> {
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${init.text}`);
  const r = await s.request('POST', '/api/v1/widget/messages', { token: init.body.visitorToken, body: { content, clientId: randomBytes(6).toString('hex') } });
  if (r.status !== 201) throw new Error(`message: ${r.status} ${r.text}`);
  return r.body.message.conversationId;
}

export const isProblem = (r: { status: number; headers: Record<string, unknown>; body: any }, status: number, code?: string) =>
  r.status === status && String(r.headers['content-type']).startsWith('application/problem+json') && typeof r.body?.detail === 'string' && (code === undefined || r.body.code === code);
