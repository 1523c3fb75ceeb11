/**
 * Helpers of the REST contract tests (widget-api, identity, inbox-api, bad-input,
 * tenant-matrix, rate-limits, offline-email, origin). Real server, real database, real
 * SMTP; nothing of Charla is mocked.
 */
import { randomBytes } from 'node:crypto';
import { signup, startTestServer, type TestServer, type TestServerOptions } from '@charla/core/testing';
import conversationsPlugin from '../src/server/index.js';

export { conversationsPlugin };

type Req = Pick<TestServer, 'request'>;
/** The tap assertions these helpers use. */
export interface Asserts { ok(v: unknown, m: string): boolean; equal(a: unknown, b: unknown, m: string): boolean; match(a: unknown, b: unknown, m: string): boolean; type(a: unknown, b: string, m: string): boolean }
export type Res = Awaited<ReturnType<TestServer['request']>>;

export function boot(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ plugins: [conversationsPlugin], ...opts });
}

export const cid = () => `c-${randomBytes(6).toString('hex')}`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Site { id: string; appId: string; domain: string | null; identityVerification: { required: boolean; secret?: string } }
export interface Owner { token: string; accountId: string; userId: string; email: string }

/** A fresh account (its owner) with one site. */
export async function account(s: Req, siteBody: Record<string, unknown> = {}): Promise<{ owner: Owner; site: Site }> {
  const a = await signup(s);
  const site = await addSite(s, a.token, siteBody);
  return { owner: { token: a.token, accountId: a.accountId, userId: a.userId, email: a.email }, site };
}

export async function addSite(s: Req, token: string, body: Record<string, unknown> = {}): Promise<Site> {
  const r = await s.request('POST', '/api/v1/sites', { token, body: { name: 'Shop', ...body } });
  if (r.status !== 201) throw new Error(`site: ${r.status} ${r.text}`);
  return r.body as Site;
}

export interface Visitor { token: string; id: string; init: any }

export async function initVisitor(s: Req, appId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<Visitor> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...extra }, headers });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id, init: r.body };
}

export interface Sent { message: { id: string; seq: number; conversationId: string; content: string; clientId?: string }; conversation: { id: string; status: string } }

/** A visitor's message (201 expected). */
export async function send(s: Req, token: string, content: string, conversationId?: string, clientId = cid()): Promise<Sent> {
  const r = await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId, ...(conversationId ? { conversationId } : {}) } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return r.body as Sent;
}

/** An agent's reply or private note (201 expected). */
export async function reply(s: Req, token: string, conversationId: string, content: string, priv = false): Promise<{ message: { id: string; seq: number; private: boolean } }> {
  const r = await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token, body: { content, clientId: cid(), private: priv } });
  if (r.status !== 201) throw new Error(`reply: ${r.status} ${r.text}`);
  return r.body;
}

/** Every conversation of the inbox list for this query, following nextCursor. */
export async function listAll(s: Req, token: string, query = ''): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = query ? '&' : '';
    const r: Res = await s.request('GET', `/api/v1/inbox/conversations?${query}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text}`);
    out.push(...r.body.conversations);
    cursor = r.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('list: too many pages');
}

/**
 * Adds a member with `role` to the owner's account through the real invitation flow:
 * the invitation e-mail arrives at the test SMTP server, its link's token is accepted.
 */
export async function addMember(s: Req, smtp: { waitFor(m: (x: { to: string[]; text: string }) => boolean, ms?: number): Promise<{ text: string }> }, ownerToken: string, role: 'admin' | 'agent', name = `${role[0].toUpperCase()}${role.slice(1)} Person`): Promise<{ token: string; userId: string; email: string }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const inv = await s.request('POST', '/api/v1/team/invitations', { token: ownerToken, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email), 10_000);
  const token = /accept-invitation\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no invitation token in: ${mail.text}`);
  const acc = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: decodeURIComponent(token), name, password: `pw-${randomBytes(6).toString('hex')}` } });
  if (acc.status !== 201) throw new Error(`accept: ${acc.status} ${acc.text}`);
  return { token: acc.body.token, userId: acc.body.user.id, email };
}

/** Asserts an RFC 9457 problem: the status, the content type and the four fields API.md requires. */
export function isProblem(t: Asserts, r: Res, status: number | ((s: number) => boolean), label = ''): void {
  const okStatus = typeof status === 'number' ? r.status === status : status(r.status);
  t.ok(okStatus, `${label} status ${r.status}${typeof status === 'number' ? ` (want ${status})` : ''}${okStatus ? '' : `: ${r.text.slice(0, 300)}`}`);
  t.match(String(r.headers['content-type']), /^application\/problem\+json/, `${label} problem+json`);
  t.equal(r.body?.status, r.status, `${label} body.status`);
  t.type(r.body?.title, 'string', `${label} title`);
  t.match(r.body?.code, /^CHARLA_[A-Z0-9_]+$/, `${label} code`);
  t.type(r.body?.detail, 'string', `${label} detail`);
}

/** A random UUID that names nothing. */
export function missingId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
