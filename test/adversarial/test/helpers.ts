/**
 * Shared fixtures of the adversarial suite: a server with every built-in plugin (run
 * in-process, so prototype pollution is observable), two accounts with a full team,
 * sites, visitors, a conversation, a quick reply and articles (published and draft), plus canary strings that must
 * never appear in an attacker's response.
 */
import { randomBytes } from 'node:crypto';
import {
  signup, startSmtpServer, startTestServer,
  type CapturedMail, type TestServer, type TestServerOptions,
} from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import inbox from '@charla/plugin-inbox';
import knowledgeBase from '@charla/plugin-knowledge-base';
import reports from '@charla/plugin-reports';
import tags from '@charla/plugin-tags';
import webhooks from '@charla/plugin-webhooks';
import contacts from '@charla/plugin-contacts';
import bot from '@charla/plugin-bot';
import billing from '@charla/plugin-billing';
import ai from '@charla/plugin-ai';

export const PLUGINS = [conversations, inbox, knowledgeBase, webhooks, contacts, bot, tags, reports, billing, ai];
export type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;
export type Res = Awaited<ReturnType<TestServer['request']>>;

/** A listening server with every built-in plugin, in this process. */
export function boot(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ plugins: PLUGINS, listen: true, ...opts });
}

export const cid = () => `c-${randomBytes(6).toString('hex')}`;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const uniqueEmail = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;

/** True when `res` is a problem+json refusal with `status` among `statuses`. */
export function isProblem(res: Res, statuses: number[]): boolean {
  return statuses.includes(res.status) && /application\/problem\+json/.test(String(res.headers['content-type'])) && typeof res.body?.code === 'string';
}

export function linkToken(mail: CapturedMail, path: string): string {
  const m = new RegExp(`https?://\\S+?${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in "${mail.subject}"`);
  return decodeURIComponent(m[1]);
}

export interface Member { token: string; csrfToken: string; userId: string; email: string; password: string; role: string }

/** Adds a member through the real invitation e-mail. */
export async function addMember(s: TestServer, smtp: Smtp, inviterToken: string, role: 'owner' | 'admin' | 'agent'): Promise<Member> {
  const email = uniqueEmail(role);
  const inv = await s.request('POST', '/api/v1/team/invitations', { token: inviterToken, body: { email, role } });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${inv.text}`);
  const mail = await smtp.waitFor((m) => m.to.includes(email.toLowerCase()) && /accept-invitation/.test(m.text));
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const res = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token: linkToken(mail, '/admin/accept-invitation'), name: `${role} member`, password } });
  if (res.status !== 201) throw new Error(`accept: ${res.status} ${res.text}`);
  return { token: res.body.token, csrfToken: res.body.csrfToken, userId: res.body.user.id, email: email.toLowerCase(), password, role };
}

export async function login(s: Pick<TestServer, 'request'>, email: string, password: string): Promise<{ token: string; csrfToken: string }> {
  const res = await s.request('POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
  return { token: res.body.token, csrfToken: res.body.csrfToken };
}

export async function initVisitor(s: Pick<TestServer, 'request'>, appId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Promise<{ token: string; id: string }> {
  const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, ...extra }, headers });
  if (r.status !== 200) throw new Error(`init: ${r.status} ${r.text}`);
  return { token: r.body.visitorToken, id: r.body.visitor.id };
}

export async function send(s: Pick<TestServer, 'request'>, token: string, content: string, clientId = cid()) {
  const r = await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId } });
  if (r.status !== 201) throw new Error(`send: ${r.status} ${r.text}`);
  return r.body as { message: { id: string; seq: number; conversationId: string; clientId: string }; conversation: { id: string } };
}

export async function reply(s: Pick<TestServer, 'request'>, token: string, conversationId: string, content: string, priv = false, clientId = cid()) {
  const r = await s.request('POST', `/api/v1/inbox/conversations/${conversationId}/messages`, { token, body: { content, clientId, private: priv } });
  if (r.status !== 201) throw new Error(`reply: ${r.status} ${r.text}`);
  return r.body as { message: { id: string; seq: number; clientId: string } };
}

export interface Account {
  owner: Awaited<ReturnType<typeof signup>>;
  site: { id: string; appId: string; name: string; identityVerification: { secret?: string } };
}

export async function account(s: Pick<TestServer, 'request'>, name = 'Acme', siteBody: Record<string, unknown> = {}): Promise<Account> {
  const owner = await signup(s, name);
  const site = await s.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'Shop', ...siteBody } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  return { owner, site: site.body };
}

/**
 * Two accounts. A has an owner, an admin and an agent, a site, a "victim" visitor with
 * a conversation (visitor message, agent reply, private note), a second visitor, a
 * pending invitation and a quick reply; every piece of A's data carries CANARY.
 */
export async function twoAccounts(s: TestServer, smtp: Smtp) {
  const CANARY = `canary${randomBytes(5).toString('hex')}`;
  const A = await account(s, `A ${CANARY}`);
  const B = await account(s, 'B');
  const adminA = await addMember(s, smtp, A.owner.token, 'admin');
  const agentA = await addMember(s, smtp, A.owner.token, 'agent');
  const victimEmail = `${CANARY}@victim.example.com`;
  const victim = await initVisitor(s, A.site.appId, { user: { email: victimEmail, name: `Victim ${CANARY}`, externalId: `ext-${CANARY}` } });
  const first = await send(s, victim.token, `${CANARY} visitor says hi`);
  const convA = first.conversation.id;
  const agentReply = await reply(s, A.owner.token, convA, `${CANARY} agent reply`);
  const note = await reply(s, A.owner.token, convA, `${CANARY} private note`, true);
  const otherVisitorA = await initVisitor(s, A.site.appId);
  const visitorB = await initVisitor(s, B.site.appId);
  const convB = (await send(s, visitorB.token, 'visitor of B')).conversation.id;
  const invite = await s.request('POST', '/api/v1/team/invitations', { token: A.owner.token, body: { email: uniqueEmail(`inv-${CANARY}`), role: 'agent' } });
  const qr = await s.request('POST', '/api/v1/inbox/quick-replies', { token: A.owner.token, body: { shortcut: `/c${CANARY.slice(-6)}`, title: 'Canary', content: `${CANARY} quick reply` } });
  if (invite.status !== 201 || qr.status !== 201) throw new Error(`fixtures: invite ${invite.status} ${invite.text} / quick reply ${qr.status} ${qr.text}`);
  const article = await s.request('POST', '/api/v1/kb/articles', { token: A.owner.token, body: { title: `${CANARY} article`, body: `${CANARY} published body`, category: `${CANARY} category`, tags: [CANARY], status: 'published' } });
  const draft = await s.request('POST', '/api/v1/kb/articles', { token: A.owner.token, body: { title: `${CANARY} draft`, body: `${CANARY} draft body` } });
  if (article.status !== 201 || draft.status !== 201) throw new Error(`fixtures: articles ${article.status} ${article.text} / ${draft.status} ${draft.text}`);
  return {
    CANARY, A, B, adminA, agentA, victim, victimEmail, convA, convB, otherVisitorA, visitorB,
    firstMessage: first.message, agentReply: agentReply.message, note: note.message,
    invitationId: invite.body.id as string, quickReplyId: qr.body.id as string,
    article: { id: article.body.id as string, slug: article.body.slug as string }, draft: { id: draft.body.id as string, slug: draft.body.slug as string },
  };
}
export type World = Awaited<ReturnType<typeof twoAccounts>>;

/**
 * What an attacker might change in A: read with A's owner token and the victim's
 * token, over ids that existed before (so an attacker's own new rows don't count).
 */
export async function snapshotA(s: TestServer, w: World): Promise<string> {
  const get = async (path: string, token = w.A.owner.token) => {
    const r = await s.request('GET', path, { token });
    return { status: r.status, body: r.body };
  };
  const strip = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (['lastActiveAt', 'offlineSince', 'online', 'presence', 'lastSeenAt', 'unreadCount', 'readAt', 'agentsOnline', 'lastSeenUrl'].includes(k) ? undefined : v)));
  const members = await get('/api/v1/team/members');
  return JSON.stringify(strip({
    account: await get('/api/v1/account'),
    members: members.body?.members?.map((m: { id: string; role: string; email: string; name: string }) => [m.id, m.role, m.email, m.name]),
    invitations: await get('/api/v1/team/invitations'),
    site: await get(`/api/v1/sites/${w.A.site.id}`),
    conversation: await get(`/api/v1/inbox/conversations/${w.convA}`),
    messages: await get(`/api/v1/inbox/conversations/${w.convA}/messages`),
    quickReply: await get(`/api/v1/inbox/quick-replies/${w.quickReplyId}`),
    article: await get(`/api/v1/kb/articles/${w.article.id}`),
    draft: await get(`/api/v1/kb/articles/${w.draft.id}`),
    victim: await get('/api/v1/widget/conversations', w.victim.token),
    plugins: await get('/api/v1/plugins'),
    victimContact: await get(`/api/v1/contacts/${w.victim.id}`),
    segments: await get('/api/v1/segments'),
  }));
}

/** The first canary-bearing string found in a response, if any. */
export function leaked(res: { text: string }, w: World): string | null {
  const needles = [w.CANARY, w.A.owner.email, w.A.site.appId, w.adminA.email, w.agentA.email];
  return needles.find((n) => res.text.includes(n)) ?? null;
}

export async function withSmtp() {
  return startSmtpServer();
}

/** A server with a local SMTP server behind it, both closed when the test ends. */
export async function bootWithSmtp(t: { teardown(fn: () => Promise<void>): void }, opts: TestServerOptions = {}): Promise<{ s: TestServer; smtp: Smtp }> {
  const smtp = await withSmtp();
  const s = await boot({ ...opts, config: { ...opts.config, smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  return { s, smtp };
}
