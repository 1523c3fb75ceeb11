import { randomBytes } from 'node:crypto';
import { signup, startSmtpServer, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import tags from '@charla/plugin-tags';
import reports from '../src/server/index.js';

export { conversations, reports, tags };
export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;
export interface Agent { token: string; userId: string; accountId: string; name: string }

/** A clock the test sets: every record's time (conversations, messages, closes) comes from it. */
export class SetClock {
  private t = Date.parse('2026-01-01T00:00:00Z');
  now(): Date { return new Date(this.t); }
  set(iso: string): void { this.t = Date.parse(iso); }
  advance(seconds: number): void { this.t += seconds * 1000; }
}

export interface Env { s: TestServer; smtp: Smtp; clock: SetClock; close(): Promise<void> }

export async function startEnv(opts: TestServerOptions = {}): Promise<Env> {
  const smtp = await startSmtpServer();
  const clock = new SetClock();
  const s = await startTestServer({ plugins: [conversations, tags, reports], clock, ...opts, config: { smtpUrl: smtp.url, sessionTtlSeconds: 400 * 24 * 3600, ...(opts.config ?? {}) } });
  return { s, smtp, clock, async close() { await s.close(); await smtp.close(); } };
}

export async function owner(s: TestServer): Promise<Agent> {
  const a = await signup(s);
  return { token: a.token, userId: a.userId, accountId: a.accountId, name: 'Owner' };
}

export async function site(s: TestServer, token: string, name: string): Promise<{ id: string; appId: string; name: string }> {
  const r = await s.request('POST', '/api/v1/sites', { token, body: { name } });
  if (r.status !== 201) throw new Error(`site: ${r.status} ${r.text}`);
  return r.body;
}

export async function member(env: Env, ownerToken: string, accountId: string, role: 'agent' | 'admin', name: string): Promise<Agent> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const inv = await env.s.request('POST', '/api/v1/team/invitations', { token: ownerToken, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await env.smtp.waitFor((m) => m.to.includes(email));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const r = await env.s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name, password: `${role}-secret-pw` } });
  if (r.status !== 201) throw new Error(`accept: ${r.status} ${r.text}`);
  return { token: r.body.token, userId: r.body.user.id, accountId, name };
}

/** A visitor on `url` (through `channel`) who writes at the clock's time: the conversation's id. */
export async function visitorWrites(s: TestServer, appId: string, opts: { url?: string; channel?: 'web' | 'app' } = {}): Promise<string> {
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...(opts.url ? { page: { url: opts.url } } : {}), ...(opts.channel ? { channel: opts.channel } : {}) } });
  if (init.status !== 200) throw new Error(`init: ${init.status} ${init.text}`);
  const r = await s.request('POST', '/api/v1/widget/messages', { token: init.body.visitorToken, body: { content: 'Hello', clientId: randomBytes(6).toString('hex') } });
  if (r.status !== 201) throw new Error(`message: ${r.status} ${r.text}`);
  return r.body.message.conversationId;
}

export async function agentReplies(s: TestServer, token: string, conversationId: string, opts: { private?: boolean } = {}): Promise<void> {
  const r = await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token, body: { content: 'On it', clientId: randomBytes(6).toString('hex'), ...(opts.private ? { private: true } : {}) } });
  if (r.status !== 201) throw new Error(`reply: ${r.status} ${r.text}`);
}

export async function patch(s: TestServer, token: string, conversationId: string, body: { status?: string; assigneeId?: string | null }): Promise<void> {
  const r = await s.request('PATCH', `/api/v1/inbox/conversations/${conversationId}`, { token, body });
  if (r.status !== 200) throw new Error(`patch: ${r.status} ${r.text}`);
}

export const isProblem = (r: { status: number; headers: Record<string, unknown>; body: any }, status: number, code?: string) =>
  r.status === status && String(r.headers['content-type']).startsWith('application/problem+json') && typeof r.body?.detail === 'string' && (code === undefined || r.body.code === code);
