/**
 * The attacker's view of the whole route table: every operation of /api/docs/json (a
 * server with every built-in plugin) × owner/admin/agent of A, owner of B, the victim
 * visitor of A, another visitor of A's site, a visitor of B's site and nobody, with A's
 * real ids in the path. A route without a row below fails, so a new route must be
 * classified. Refusals must be problem+json, leak nothing of A's, and change nothing
 * (A's data is read before and after every refusal). Then secondary keys (appId,
 * clientId, externalId, e-mail, siteId/assignee filters) and socket subscriptions.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { addMember, cid, initVisitor, isProblem, leaked, login, reply, send, snapshotA, twoAccounts, uniqueEmail, type Res, type World, bootWithSmtp } from './helpers.js';

type Who = 'owner' | 'admin' | 'agent' | 'ownerB' | 'victim' | 'visitorA' | 'visitorB' | 'anon';
const AGENTS_A: Who[] = ['owner', 'admin', 'agent'];
const MANAGERS_A: Who[] = ['owner', 'admin'];
const EVERYONE: Who[] = ['owner', 'admin', 'agent', 'ownerB', 'victim', 'visitorA', 'visitorB', 'anon'];

interface Rule {
  /** Who succeeds. */
  allow: Who[];
  /**
   * `tenant`: the route names A's resource (path or body), so B and other visitors are refused.
   * `own`: the route works on the caller's own tenant/visitor: same-kind attackers succeed on
   * their own data and must see none of A's. `public`: anyone.
   */
  scope: 'tenant' | 'own' | 'public';
  path?: (w: World, fresh?: string) => string;
  body?: (w: World) => unknown;
  /** Who the route is for when `allow` is empty (no caller can succeed with the fixtures). */
  kind?: 'visitor' | 'agent';
  /** The status the victim gets instead (e.g. 400 for a postback on a message without buttons). */
  victimStatus?: number;
  /** Allowed callers act on a throwaway resource made by this (destructive routes). */
  fresh?: (w: World) => Promise<string>;
  /** Allowed callers use a fresh session (logout, password change). */
  freshSession?: boolean;
  /** What success looks like for allowed callers when it is not 2xx. */
  okStatus?: number[];
}

// A local receiver for the webhooks A creates, allowed by the operator setting the plugin reads at boot.
const receiver = createServer((_req, res) => res.end('ok'));
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
const hookPort = (receiver.address() as AddressInfo).port;
process.env.WEBHOOKS_ALLOWED_HOSTS = `127.0.0.1:${hookPort}`;
t.teardown(() => new Promise<void>((r) => {
  receiver.closeAllConnections();
  receiver.close(() => r());
}));

t.test('route table × callers: clear refusals, nothing leaked, nothing changed', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const w = await twoAccounts(s, smtp);
  const token: Record<Who, string | undefined> = {
    owner: w.A.owner.token, admin: w.adminA.token, agent: w.agentA.token, ownerB: w.B.owner.token,
    victim: w.victim.token, visitorA: w.otherVisitorA.token, visitorB: w.visitorB.token, anon: undefined,
  };
  const newApiKey = async () => (await s.request('POST', '/api/v1/api-keys', { token: w.A.owner.token, body: { name: 'Matrix key', scopes: ['conversations:read'] } })).body.id as string;
  const apiKeyA = await newApiKey();
  const newTag = async () => (await s.request('POST', '/api/v1/tags', { token: w.A.owner.token, body: { name: `Throwaway ${cid()}` } })).body.id as string;
  const tagA = await newTag();
  const newArticle = async () => (await s.request('POST', '/api/v1/kb/articles', { token: w.A.owner.token, body: { title: `Throwaway ${cid()}`, body: 'x' } })).body.id as string;
  const newWebhook = async () => (await s.request('POST', '/api/v1/webhooks', { token: w.A.owner.token, body: { url: `http://127.0.0.1:${hookPort}/hook`, events: ['message.created'] } })).body.id as string;
  const webhookA = await newWebhook();
  const deliveryA = (await s.request('POST', `/api/v1/webhooks/${webhookA}/test`, { token: w.A.owner.token })).body.id as string;
  const newContact = async () => (await s.request('POST', '/api/v1/contacts', { token: w.A.owner.token, body: { externalId: `throwaway-${cid()}` } })).body.id as string;
  const newSegment = async () => (await s.request('POST', '/api/v1/segments', { token: w.A.owner.token, body: { name: `Throwaway ${cid()}`, filter: { field: 'visitCount', op: 'gt', value: 0 } } })).body.id as string;
  const segmentA = (await s.request('POST', '/api/v1/segments', { token: w.A.owner.token, body: { name: `${w.CANARY} segment`, filter: { field: 'name', op: 'contains', value: w.CANARY } } })).body.id as string;
  const newBotRule = async () => (await s.request('POST', '/api/v1/bot/rules', { token: w.A.owner.token, body: { name: `Matrix ${cid()}`, trigger: 'message', conditions: { keywords: ['matrix'] }, actions: [{ type: 'reply', content: 'matrix' }] } })).body.id as string;
  const botRuleA = await newBotRule();
  const newBotFlow = async () => (await s.request('POST', '/api/v1/bot/flows', { token: w.A.owner.token, body: { name: `Matrix ${cid()}`, startNodeId: 'start', nodes: { start: { content: 'Pick one', buttons: [{ id: 'end', label: 'Done' }] } } } })).body.id as string;
  const botFlowA = await newBotFlow();
  const newQuickReply = async () => (await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.A.owner.token, body: { shortcut: `/t${cid().slice(-8)}`, content: 'x' } })).body.id as string;

  const rules: Record<string, Rule> = {
    'POST /api/v1/auth/signup': { allow: EVERYONE, scope: 'public', body: () => ({ accountName: 'Matrix', name: 'M', email: uniqueEmail('matrix'), password: 'matrix-password' }) },
    'POST /api/v1/auth/login': { allow: EVERYONE, scope: 'public', body: (w) => ({ email: w.A.owner.email, password: 'wrong-password' }), okStatus: [401] },
    'POST /api/v1/auth/logout': { allow: AGENTS_A, scope: 'own', freshSession: true },
    'GET /api/v1/auth/me': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/auth/password/change': { allow: AGENTS_A, scope: 'own', freshSession: true, body: () => ({ currentPassword: 'not-the-password', newPassword: 'irrelevant-new-pw' }), okStatus: [403] },
    'POST /api/v1/auth/password/forgot': { allow: EVERYONE, scope: 'public', body: () => ({ email: uniqueEmail('nobody') }) },
    'POST /api/v1/auth/password/reset': { allow: EVERYONE, scope: 'public', body: () => ({ token: 'x'.repeat(43), password: 'irrelevant-new-pw' }), okStatus: [400] },
    'POST /api/v1/auth/invitations/accept': { allow: EVERYONE, scope: 'public', body: () => ({ token: 'x'.repeat(43), name: 'N', password: 'irrelevant-new-pw' }), okStatus: [400] },
    'GET /api/v1/account': { allow: AGENTS_A, scope: 'own' },
    'PATCH /api/v1/account': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: 'Renamed by the matrix' }) },
    'GET /api/v1/team/members': { allow: AGENTS_A, scope: 'own' },
    'PATCH /api/v1/team/members/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/team/members/${f ?? w.agentA.userId}`, body: () => ({ role: 'admin' }), fresh: async () => (await addMember(s, smtp, w.A.owner.token, 'agent')).userId },
    'DELETE /api/v1/team/members/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/team/members/${f ?? w.agentA.userId}`, fresh: async () => (await addMember(s, smtp, w.A.owner.token, 'agent')).userId },
    'POST /api/v1/team/invitations': { allow: MANAGERS_A, scope: 'own', body: () => ({ email: uniqueEmail('matrix-inv'), role: 'admin' }) },
    'GET /api/v1/team/invitations': { allow: MANAGERS_A, scope: 'own' },
    'DELETE /api/v1/team/invitations/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/team/invitations/${f ?? w.invitationId}`, fresh: async () => (await s.request('POST', '/api/v1/team/invitations', { token: w.A.owner.token, body: { email: uniqueEmail('x'), role: 'agent' } })).body.id },
    'POST /api/v1/sites': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: 'Matrix site' }) },
    'GET /api/v1/sites': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/sites/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/sites/${w.A.site.id}` },
    'PATCH /api/v1/sites/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w) => `/api/v1/sites/${w.A.site.id}`, body: () => ({ name: 'Shop' }) },
    'DELETE /api/v1/sites/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/sites/${f ?? w.A.site.id}`, fresh: async () => (await s.request('POST', '/api/v1/sites', { token: w.A.owner.token, body: { name: 'Throwaway' } })).body.id },
    'GET /api/v1/plugins': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/plugins/{name}': { allow: AGENTS_A, scope: 'own', path: () => '/api/v1/plugins/inbox' },
    'POST /api/v1/api-keys': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: 'Matrix', scopes: ['conversations:read'] }) },
    'GET /api/v1/api-keys': { allow: MANAGERS_A, scope: 'own' },
    'DELETE /api/v1/api-keys/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (_w, f) => `/api/v1/api-keys/${f ?? apiKeyA}`, fresh: newApiKey },
    // No caller here is in OPERATOR_EMAILS: an owner is not an operator (core/test/operator.test.ts).
    'GET /api/v1/operator/accounts': { allow: [], scope: 'tenant' },
    'PATCH /api/v1/operator/accounts/{id}': { allow: [], scope: 'tenant', path: (w) => `/api/v1/operator/accounts/${w.A.owner.accountId}`, body: () => ({ plan: 'enterprise' }) },
    'GET /api/v1/account/entitlements': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/billing/plans': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/billing/usage': { allow: MANAGERS_A, scope: 'own' },
    // No payment provider here (BILLING_PROVIDER=none): managers get the 409 that says so; everyone else the usual refusals.
    'POST /api/v1/billing/checkout': { allow: MANAGERS_A, scope: 'own', body: () => ({ plan: 'default' }), okStatus: [409] },
    'POST /api/v1/billing/portal': { allow: MANAGERS_A, scope: 'own', okStatus: [409] },
    'POST /api/v1/billing/webhooks/stripe': { allow: EVERYONE, scope: 'public', body: () => ({}), okStatus: [409] },
    'PATCH /api/v1/plugins/{name}': { allow: MANAGERS_A, scope: 'own', path: () => '/api/v1/plugins/inbox', body: () => ({ enabled: true }) },
    // The instance's event names and payload schemas: nothing of any account in it.
    'GET /api/v1/events/catalogue': { allow: MANAGERS_A, scope: 'own' },
    'GET /api/v1/webhooks': { allow: MANAGERS_A, scope: 'own' },
    'POST /api/v1/webhooks': { allow: MANAGERS_A, scope: 'own', body: () => ({ url: `http://127.0.0.1:${hookPort}/matrix`, events: ['conversation.*'] }) },
    'GET /api/v1/webhooks/{id}': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}` },
    'PATCH /api/v1/webhooks/{id}': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}`, body: () => ({ description: 'matrix' }) },
    'DELETE /api/v1/webhooks/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (_w, f) => `/api/v1/webhooks/${f ?? webhookA}`, fresh: newWebhook },
    'POST /api/v1/webhooks/{id}/rotate-secret': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}/rotate-secret` },
    'POST /api/v1/webhooks/{id}/test': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}/test` },
    'GET /api/v1/webhooks/{id}/deliveries': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}/deliveries` },
    'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/webhooks/${webhookA}/deliveries/${deliveryA}/redeliver` },
    'POST /api/v1/widget/init': { allow: EVERYONE, scope: 'public', body: (w) => ({ appId: w.A.site.appId }) },
    'GET /api/v1/widget/conversations': { allow: ['victim'], scope: 'own' },
    'POST /api/v1/widget/conversations': { allow: ['victim'], scope: 'own', body: () => ({}) },
    'POST /api/v1/widget/messages': { allow: ['victim'], scope: 'tenant', body: (w) => ({ conversationId: w.convA, content: 'matrix', clientId: cid() }) },
    'GET /api/v1/widget/conversations/{id}/messages': { allow: ['victim'], scope: 'tenant', path: (w) => `/api/v1/widget/conversations/${w.convA}/messages` },
    'POST /api/v1/widget/conversations/{id}/read': { allow: ['victim'], scope: 'tenant', path: (w) => `/api/v1/widget/conversations/${w.convA}/read`, body: (w) => ({ messageId: w.firstMessage.id }) },
    // The first message has no buttons: a press on it is refused (400) even for its own visitor.
    'POST /api/v1/widget/conversations/{id}/postback': { allow: [], kind: 'visitor', victimStatus: 400, scope: 'tenant', path: (w) => `/api/v1/widget/conversations/${w.convA}/postback`, body: (w) => ({ messageId: w.firstMessage.id, buttonId: 'yes' }) },
    'POST /api/v1/widget/identify': { allow: ['victim'], scope: 'own', body: () => ({ name: 'Renamed by matrix' }), freshSession: true },
    'POST /api/v1/widget/track': { allow: ['victim'], scope: 'own', body: () => ({ name: 'matrix' }) },
    'POST /api/v1/widget/page': { allow: ['victim'], scope: 'own', body: () => ({ url: 'https://shop.example.com/p' }) },
    'GET /api/v1/widget/inbox/queue/{id}': { allow: ['victim'], scope: 'tenant', path: (w) => `/api/v1/widget/inbox/queue/${w.convA}` },
    'GET /api/v1/inbox/conversations': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/conversations/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}` },
    'PATCH /api/v1/inbox/conversations/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}`, body: () => ({ status: 'open' }) },
    'GET /api/v1/inbox/conversations/{id}/messages': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}/messages` },
    'POST /api/v1/inbox/conversations/{id}/messages': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}/messages`, body: () => ({ content: 'matrix reply', clientId: cid() }) },
    'POST /api/v1/inbox/conversations/{id}/read': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}/read`, body: (w) => ({ messageId: w.firstMessage.id }) },
    'GET /api/v1/inbox/conversations/{id}/state': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/conversations/${w.convA}/state` },
    'GET /api/v1/inbox/visitors/online': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/visitors/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/visitors/${w.victim.id}` },
    'GET /api/v1/inbox/agents': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/agents/me': { allow: AGENTS_A, scope: 'own' },
    'PATCH /api/v1/inbox/agents/me': { allow: AGENTS_A, scope: 'own', body: () => ({ status: 'available' }) },
    'GET /api/v1/inbox/agents/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/agents/${w.agentA.userId}` },
    'PATCH /api/v1/inbox/agents/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/agents/${w.agentA.userId}`, body: () => ({ status: 'available' }) },
    'GET /api/v1/inbox/presence': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/dashboard': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/notifications/preferences': { allow: AGENTS_A, scope: 'own' },
    'PATCH /api/v1/inbox/notifications/preferences': { allow: AGENTS_A, scope: 'own', body: () => ({ email: { newMessage: true } }) },
    'GET /api/v1/inbox/sla': { allow: AGENTS_A, scope: 'own' },
    'GET /api/v1/inbox/sla/summary': { allow: AGENTS_A, scope: 'own', path: () => `/api/v1/inbox/sla/summary?from=${new Date(Date.now() - 86400000).toISOString()}&to=${new Date(Date.now() + 86400000).toISOString()}` },
    'GET /api/v1/inbox/quick-replies': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/inbox/quick-replies': { allow: AGENTS_A, scope: 'own', body: () => ({ shortcut: `/m${cid().slice(-8)}`, content: 'matrix' }) },
    'POST /api/v1/inbox/quick-replies/render': { allow: AGENTS_A, scope: 'tenant', body: (w) => ({ conversationId: w.convA, id: w.quickReplyId }) },
    'GET /api/v1/inbox/quick-replies/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/quick-replies/${w.quickReplyId}` },
    'PATCH /api/v1/inbox/quick-replies/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w) => `/api/v1/inbox/quick-replies/${w.quickReplyId}`, body: (w) => ({ content: `${w.CANARY} quick reply` }) },
    'DELETE /api/v1/inbox/quick-replies/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/inbox/quick-replies/${f ?? w.quickReplyId}`, fresh: newQuickReply },
    // Knowledge base: agents read (drafts too), owners and admins write; visitors of A's site read A's published articles.
    'POST /api/v1/kb/articles': { allow: MANAGERS_A, scope: 'own', body: () => ({ title: 'Matrix article', body: 'matrix' }) },
    'GET /api/v1/kb/articles': { allow: AGENTS_A, scope: 'own', path: (w) => `/api/v1/kb/articles?q=${w.CANARY}` },
    'GET /api/v1/kb/categories': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/kb/preview': { allow: MANAGERS_A, scope: 'own', body: () => ({ body: '**matrix**' }) },
    'GET /api/v1/kb/articles/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/kb/articles/${w.draft.id}` },
    'PATCH /api/v1/kb/articles/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w) => `/api/v1/kb/articles/${w.article.id}`, body: (w) => ({ title: `${w.CANARY} article` }) },
    'DELETE /api/v1/kb/articles/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/kb/articles/${f ?? w.article.id}`, fresh: newArticle },
    'GET /api/v1/widget/kb/search': { allow: ['victim', 'visitorA'], scope: 'own', path: (w) => `/api/v1/widget/kb/search?q=${w.CANARY}` },
    'GET /api/v1/widget/kb/articles/{id}': { allow: ['victim', 'visitorA'], scope: 'tenant', path: (w) => `/api/v1/widget/kb/articles/${w.article.id}` },
    'POST /api/v1/widget/kb/articles/{id}/feedback': { allow: ['victim', 'visitorA'], scope: 'tenant', path: (w) => `/api/v1/widget/kb/articles/${w.article.id}/feedback`, body: () => ({ helpful: true }) },
    'POST /api/v1/contacts/search': { allow: AGENTS_A, scope: 'own', body: (w) => ({ filter: { field: 'name', op: 'contains', value: w.CANARY } }) },
    'POST /api/v1/contacts/export.csv': { allow: AGENTS_A, scope: 'own', body: (w) => ({ filter: { field: 'name', op: 'contains', value: w.CANARY } }) },
    'POST /api/v1/contacts': { allow: AGENTS_A, scope: 'own', body: () => ({ externalId: 'matrix-contact', name: 'Matrix' }) },
    'GET /api/v1/contacts/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/contacts/${w.victim.id}` },
    'GET /api/v1/contacts/{id}/export': { allow: MANAGERS_A, scope: 'tenant', path: (w) => `/api/v1/contacts/${w.victim.id}/export` },
    'PATCH /api/v1/contacts/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/contacts/${w.victim.id}`, body: () => ({ attributes: { matrix: true } }) },
    'DELETE /api/v1/contacts/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (w, f) => `/api/v1/contacts/${f ?? w.victim.id}`, fresh: newContact },
    'POST /api/v1/events': { allow: AGENTS_A, scope: 'tenant', body: (w) => ({ contact: { id: w.victim.id }, name: 'matrix' }) },
    'GET /api/v1/segments': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/segments': { allow: AGENTS_A, scope: 'own', body: () => ({ name: 'Matrix segment', filter: { field: 'visitCount', op: 'gt', value: 0 } }) },
    'GET /api/v1/segments/{id}': { allow: AGENTS_A, scope: 'tenant', path: () => `/api/v1/segments/${segmentA}` },
    'PATCH /api/v1/segments/{id}': { allow: AGENTS_A, scope: 'tenant', path: () => `/api/v1/segments/${segmentA}`, body: (w) => ({ name: `${w.CANARY} segment` }) },
    'DELETE /api/v1/segments/{id}': { allow: AGENTS_A, scope: 'tenant', path: (_w, f) => `/api/v1/segments/${f ?? segmentA}`, fresh: newSegment },
    'GET /api/v1/segments/{id}/contacts': { allow: AGENTS_A, scope: 'tenant', path: () => `/api/v1/segments/${segmentA}/contacts` },
    // Bot: agents read rules and flows, owners and admins write, test and read stats; a visitor answers bot buttons of its own conversation.
    'GET /api/v1/bot/rules': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/bot/rules': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: 'Matrix rule', trigger: 'message', conditions: { keywords: ['matrix'] }, actions: [{ type: 'reply', content: 'matrix' }] }) },
    'POST /api/v1/bot/rules/reorder': { allow: MANAGERS_A, scope: 'tenant', body: () => ({ ids: [botRuleA] }) },
    'GET /api/v1/bot/rules/{id}': { allow: AGENTS_A, scope: 'tenant', path: () => `/api/v1/bot/rules/${botRuleA}` },
    'PATCH /api/v1/bot/rules/{id}': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/bot/rules/${botRuleA}`, body: () => ({ enabled: false }) },
    'DELETE /api/v1/bot/rules/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (_w, f) => `/api/v1/bot/rules/${f ?? botRuleA}`, fresh: newBotRule },
    'GET /api/v1/bot/flows': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/bot/flows': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: 'Matrix flow', startNodeId: 'a', nodes: { a: { content: 'x', buttons: [] } } }) },
    'GET /api/v1/bot/flows/{id}': { allow: AGENTS_A, scope: 'tenant', path: () => `/api/v1/bot/flows/${botFlowA}` },
    'PATCH /api/v1/bot/flows/{id}': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/bot/flows/${botFlowA}`, body: () => ({ name: 'Matrix flow renamed' }) },
    'DELETE /api/v1/bot/flows/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (_w, f) => `/api/v1/bot/flows/${f ?? botFlowA}`, fresh: newBotFlow },
    'POST /api/v1/bot/test': { allow: MANAGERS_A, scope: 'own', body: () => ({ content: 'matrix' }) },
    'GET /api/v1/bot/stats': { allow: MANAGERS_A, scope: 'own' },
    'GET /api/v1/bot/templates': { allow: MANAGERS_A, scope: 'own' },
    'POST /api/v1/bot/templates/{id}': { allow: MANAGERS_A, scope: 'own', path: () => '/api/v1/bot/templates/pricing' },
    // The victim's first message is not a bot message: a press on it is a 404 even for its own visitor.
    'POST /api/v1/widget/bot/answer': { allow: [], kind: 'visitor', victimStatus: 404, scope: 'tenant', body: (w) => ({ conversationId: w.convA, messageId: w.firstMessage.id, buttonId: 'b0' }) },
    'GET /api/v1/reports/overview': { allow: MANAGERS_A, scope: 'own' },
    'GET /api/v1/reports/conversations.csv': { allow: MANAGERS_A, scope: 'own' },
    'GET /api/v1/tags': { allow: AGENTS_A, scope: 'own' },
    'POST /api/v1/tags': { allow: MANAGERS_A, scope: 'own', body: () => ({ name: `Matrix ${cid()}` }) },
    'PATCH /api/v1/tags/{id}': { allow: MANAGERS_A, scope: 'tenant', path: () => `/api/v1/tags/${tagA}`, body: () => ({ color: '#123456' }) },
    'DELETE /api/v1/tags/{id}': { allow: MANAGERS_A, scope: 'tenant', path: (_w, f) => `/api/v1/tags/${f ?? tagA}`, fresh: newTag },
    'POST /api/v1/tags/conversations/{id}': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/tags/conversations/${w.convA}`, body: () => ({ add: ['matrix'] }) },
    // AI (not configured in this world: allowed callers get past authentication to the 409 that says what to set).
    'POST /api/v1/ai/test': { allow: MANAGERS_A, scope: 'own', body: () => ({ question: 'matrix question' }), okStatus: [409] },
    'POST /api/v1/ai/test-connection': { allow: MANAGERS_A, scope: 'own', okStatus: [409] },
    'GET /api/v1/ai/stats': { allow: MANAGERS_A, scope: 'own' },
    'POST /api/v1/ai/conversations/{id}/suggested-reply': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/ai/conversations/${w.convA}/suggested-reply`, okStatus: [409] },
    'POST /api/v1/ai/conversations/{id}/summary': { allow: AGENTS_A, scope: 'tenant', path: (w) => `/api/v1/ai/conversations/${w.convA}/summary`, okStatus: [409] },
    // No AI answer exists in this world: the victim's own message is not one (404), nobody else's either.
    'POST /api/v1/widget/ai/feedback': { allow: [], kind: 'visitor', scope: 'tenant', body: (w) => ({ messageId: w.firstMessage.id, helpful: true }), victimStatus: 404 },
    'GET /help/{appId}': { allow: EVERYONE, scope: 'public', path: (w) => `/help/${w.A.site.appId}` },
    'GET /help/{appId}/{slug}': { allow: EVERYONE, scope: 'public', path: (w) => `/help/${w.A.site.appId}/${w.article.slug}` },
  };

  const docs = await s.request('GET', '/api/docs/json');
  const ops: string[] = [];
  for (const [p, byMethod] of Object.entries(docs.body.paths as Record<string, Record<string, unknown>>)) for (const m of Object.keys(byMethod)) ops.push(`${m.toUpperCase()} ${p}`);
  t.ok(ops.length >= 50, `the route table lists every operation (${ops.length})`);
  const unclassified = ops.filter((o) => !rules[o]);
  t.same(unclassified, [], 'every route of the live table has an expectation (classify new routes here)');
  const stale = Object.keys(rules).filter((k) => !ops.includes(k));
  t.same(stale, [], 'no expectation for a route that no longer exists');

  const call = (op: string, who: Who, rule: Rule, fresh?: string, tok = token[who]): Promise<Res> => {
    const [method, template] = op.split(' ');
    const path = rule.path ? rule.path(w, fresh) : template;
    return s.request(method, path, { token: tok, body: rule.body?.(w) ?? (['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined) });
  };
  const kindOf = (who: Who) => (who === 'anon' ? 'anon' : ['owner', 'admin', 'agent', 'ownerB'].includes(who) ? 'agent' : 'visitor');
  const routeKind = (rule: Rule) => rule.kind ?? (rule.allow.some((x) => kindOf(x) === 'visitor') ? 'visitor' : 'agent');

  // 1. Every refusal first, with A's state compared before and after.
  const before = await snapshotA(s, w);
  let refusals = 0;
  for (const op of ops) {
    const rule = rules[op];
    if (!rule || rule.scope === 'public') continue;
    for (const who of EVERYONE) {
      if (rule.allow.includes(who)) continue;
      const sameKindAttacker = kindOf(who) === routeKind(rule) && !['owner', 'admin', 'agent', 'victim'].includes(who);
      if (rule.scope === 'own' && sameKindAttacker) continue; // acts on its own data: checked in step 2
      const res = await call(op, who, rule);
      refusals++;
      const expected = who === 'victim' && rule.victimStatus ? [rule.victimStatus] : who === 'anon' ? [401] : kindOf(who) !== routeKind(rule) ? [401, 403] : ['owner', 'admin', 'agent'].includes(who) ? [403] : [403, 404];
      if (!isProblem(res, expected)) t.fail(`${op} as ${who}: expected problem ${expected.join('/')}, got ${res.status} ${res.text.slice(0, 200)}`);
      const l = leaked(res, w);
      if (l && !['owner', 'admin', 'agent', 'victim'].includes(who)) t.fail(`${op} as ${who} leaked ${l}`);
    }
  }
  t.ok(refusals > 200, `${refusals} refusal cells tried`);
  t.equal(await snapshotA(s, w), before, 'no refusal changed anything of A (account, team, invitations, site, conversation, messages, quick reply, plugins, victim)');

  // 2. Same-kind attackers on "own" routes see only their own data.
  for (const op of ops) {
    const rule = rules[op];
    if (!rule || rule.scope !== 'own') continue;
    for (const who of ['ownerB', 'visitorA', 'visitorB'] as Who[]) {
      // An allowed caller may see A's data (another visitor of A's site reads A's published articles).
      if (kindOf(who) !== routeKind(rule) || rule.freshSession || rule.allow.includes(who)) continue;
      const res = await call(op, who, rule);
      if (res.status >= 500) t.fail(`${op} as ${who}: ${res.status}`);
      const l = leaked(res, w);
      if (l) t.fail(`${op} as ${who} (own data) leaked ${l}: ${res.text.slice(0, 200)}`);
    }
  }
  t.pass('own-tenant reads and writes of B and of other visitors show nothing of A');

  // 3. Allowed callers succeed (throwaway resources and sessions for destructive routes).
  for (const op of ops) {
    const rule = rules[op];
    if (!rule) continue;
    for (const who of rule.allow) {
      let tok = token[who];
      if (rule.freshSession && who !== 'anon') {
        const cred = who === 'owner' ? w.A.owner : who === 'admin' ? w.adminA : who === 'agent' ? w.agentA : null;
        tok = cred ? (await login(s, cred.email, cred.password)).token : (await initVisitor(s, w.A.site.appId)).token;
      }
      const fresh = rule.fresh ? await rule.fresh(w) : undefined;
      const res = await call(op, who, rule, fresh, tok);
      const ok = rule.okStatus ? rule.okStatus.includes(res.status) : res.status >= 200 && res.status < 300;
      if (!ok) t.fail(`${op} as ${who}: expected success, got ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  t.pass('every allowed caller is served');
});

t.test('secondary keys: appId, clientId, externalId, e-mail, filters', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const w = await twoAccounts(s, smtp);
  const before = await snapshotA(s, w);

  // Filters naming A's ids, used by B.
  for (const q of [`siteId=${w.A.site.id}`, `assignee=${w.A.owner.userId}`, `assignee=${w.agentA.userId}`, `status=closed&siteId=${w.A.site.id}`]) {
    const r = await s.request('GET', `/api/v1/inbox/conversations?${q}`, { token: w.B.owner.token });
    t.ok(r.status === 200 ? r.body.conversations.length === 0 : isProblem(r, [400, 404]), `B's inbox ?${q}: nothing of A (${r.status})`);
    t.equal(leaked(r, w), null, `?${q} leaks nothing`);
  }
  const online = await s.request('GET', `/api/v1/inbox/visitors/online?siteId=${w.A.site.id}`, { token: w.B.owner.token });
  t.equal(leaked(online, w), null, 'online visitors of A\'s site are not listed to B');
  t.ok(online.status === 200 ? (online.body.visitors ?? []).length === 0 : isProblem(online, [400, 404]), 'online visitors of A\'s site: empty or refused');

  // clientId is scoped to its sender: reusing A's clientIds elsewhere never returns A's message.
  const vb = await s.request('POST', '/api/v1/widget/messages', { token: w.visitorB.token, body: { content: 'B reuses A clientId', clientId: w.firstMessage.clientId } });
  t.equal(vb.status, 201, 'visitor of B with the victim\'s clientId gets a new message');
  t.equal(leaked(vb, w), null, 'and not the victim\'s');
  const va = await s.request('POST', '/api/v1/widget/messages', { token: w.otherVisitorA.token, body: { content: 'reuse', clientId: w.firstMessage.clientId } });
  t.equal(va.status, 201, 'another visitor of A with the victim\'s clientId gets a new message');
  t.not(va.body.message.conversationId, w.convA, 'in its own conversation');
  const rb = await s.request('POST', `/api/v1/inbox/conversations/${w.convB}/messages`, { token: w.B.owner.token, body: { content: 'B agent reuses', clientId: w.agentReply.clientId } });
  t.equal(rb.status, 201, 'agent of B with A\'s reply clientId gets a new message');
  t.equal(leaked(rb, w), null, 'not A\'s reply');
  const newConv = await s.request('POST', '/api/v1/widget/conversations', { token: w.otherVisitorA.token, body: { content: 'x', clientId: w.firstMessage.clientId } });
  t.ok(newConv.status === 201 || newConv.status === 200, 'start-conversation with a foreign clientId');
  t.not(newConv.body.conversation?.id, w.convA, 'never hands over the victim\'s conversation');

  // externalId / e-mail: unverified claims never resume the victim (same site or another).
  for (const [appId, label] of [[w.A.site.appId, 'A\'s site'], [w.B.site.appId, 'B\'s site']]) {
    for (const user of [{ email: w.victimEmail }, { externalId: `ext-${w.CANARY}` }, { email: w.victimEmail, externalId: `ext-${w.CANARY}` }]) {
      const r = await s.request('POST', '/api/v1/widget/init', { body: { appId, user } });
      t.equal(r.status, 200, `init on ${label} claiming ${JSON.stringify(user)}`);
      t.not(r.body.visitor.id, w.victim.id, 'is a different visitor');
      t.notOk(r.text.includes(`${w.CANARY} visitor says`) || r.text.includes(`${w.CANARY} agent reply`), 'without the victim\'s conversations');
      const id = await s.request('POST', '/api/v1/widget/identify', { token: r.body.visitorToken, body: user });
      t.ok(id.status === 200 || isProblem(id, [401]), 'identify with the victim\'s keys');
      if (id.status === 200) {
        t.not(id.body.visitor.id, w.victim.id, 'identify does not merge into the victim');
        const convs = await s.request('GET', '/api/v1/widget/conversations', { token: id.body.visitorToken });
        t.equal(leaked(convs, w), null, 'and shows none of the victim\'s conversations');
      }
    }
  }
  // A visitor token of B presented to A's appId is not resumed across sites.
  const cross = await s.request('POST', '/api/v1/widget/init', { body: { appId: w.A.site.appId, visitorToken: w.visitorB.token } });
  t.equal(cross.status, 200);
  t.not(cross.body.visitor.id, w.visitorB.id, 'B\'s visitor token does not carry over to A\'s site');
  // Unknown or foreign appId shapes.
  for (const appId of [`${w.A.site.appId} `, w.A.site.appId.toUpperCase(), `${w.A.site.appId}%00`, w.A.site.id]) {
    const r = await s.request('POST', '/api/v1/widget/init', { body: { appId } });
    t.ok(isProblem(r, [400, 404]), `appId ${JSON.stringify(appId)} → ${r.status}`);
  }
  // Cross-account references in bodies.
  const assign = await s.request('PATCH', `/api/v1/inbox/conversations/${w.convB}`, { token: w.B.owner.token, body: { assigneeId: w.A.owner.userId } });
  t.ok(isProblem(assign, [400, 404, 409, 422]), `B cannot assign its conversation to A's user (${assign.status})`);
  const render = await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: w.B.owner.token, body: { conversationId: w.convB, id: w.quickReplyId } });
  t.ok(isProblem(render, [400, 404]), 'B cannot render A\'s quick reply into its conversation');
  t.equal(leaked(render, w), null);
  const readForeign = await s.request('POST', `/api/v1/widget/conversations/${(await send(s, w.visitorB.token, 'x')).conversation.id}/read`, { token: w.visitorB.token, body: { messageId: w.firstMessage.id } });
  t.ok(readForeign.status < 500 && leaked(readForeign, w) === null, `read receipt with A's messageId: ${readForeign.status}, nothing leaked`);
  const invite = await s.request('POST', '/api/v1/team/invitations', { token: w.B.owner.token, body: { email: w.agentA.email, role: 'agent' } });
  t.ok(invite.status === 201 || isProblem(invite, [409]), 'B inviting A\'s agent\'s e-mail: created or 409');
  t.equal(leaked({ text: invite.text.replace(w.agentA.email, '') }, w), null, 'the answer names nothing else of A');

  // Knowledge base: A's articles through B's site, B's visitor and A's drafts.
  const viaB = await s.request('GET', `/help/${w.B.site.appId}/${w.article.slug}`);
  t.ok(isProblem(viaB, [404]), 'A\'s article slug on B\'s help center is a 404');
  t.equal(leaked(viaB, w), null);
  const bHome = await s.request('GET', `/help/${w.B.site.appId}?q=${w.CANARY}`);
  t.equal(bHome.status, 200);
  t.notOk(bHome.text.includes(`${w.CANARY} article`) || bHome.text.includes(`${w.CANARY} published`), 'B\'s help center search finds nothing of A');
  const aHome = await s.request('GET', `/help/${w.A.site.appId}?q=${w.CANARY}`);
  t.ok(aHome.text.includes(`${w.CANARY} article`), 'A\'s help center finds A\'s published article');
  t.notOk(aHome.text.includes(`${w.CANARY} draft`), 'but never its draft');
  t.ok(isProblem(await s.request('GET', `/help/${w.A.site.appId}/${w.draft.slug}`), [404]), 'a draft\'s slug is a 404 on the help center');
  t.ok(isProblem(await s.request('GET', `/api/v1/widget/kb/articles/${w.draft.id}`, { token: w.victim.token }), [404]), 'a draft is a 404 for A\'s own visitor');
  const draftSearch = await s.request('GET', `/api/v1/widget/kb/search?q=${encodeURIComponent(`${w.CANARY} draft`)}`, { token: w.victim.token });
  t.notOk(draftSearch.body.articles.some((a: { id: string }) => a.id === w.draft.id), 'and never a search hit');
  const bSearch = await s.request('GET', `/api/v1/kb/articles?tag=${w.CANARY}&category=${encodeURIComponent(`${w.CANARY} category`)}`, { token: w.B.owner.token });
  t.same(bSearch.body.articles, [], 'B filtering by A\'s tag and category gets nothing');
  const bCategories = await s.request('GET', '/api/v1/kb/categories', { token: w.B.owner.token });
  t.equal(leaked(bCategories, w), null, 'B\'s categories name none of A\'s');

  t.equal(await snapshotA(s, w), before, 'A unchanged');
});

t.test('socket subscriptions × callers', async (t) => {
  const { s, smtp } = await bootWithSmtp(t);
  const w = await twoAccounts(s, smtp);
  await reply(s, w.A.owner.token, w.convA, 'warm');
  const channels = {
    accountA: `account:${w.A.owner.accountId}`, conversationA: `conversation:${w.convA}`, victim: `visitor:${w.victim.id}`,
    accountB: `account:${w.B.owner.accountId}`, conversationB: `conversation:${w.convB}`, visitorB: `visitor:${w.visitorB.id}`,
    siteA: `site:${w.A.site.id}`, siteB: `site:${w.B.site.id}`,
    bogus: 'nope:1', empty: 'conversation:', long: `conversation:${'x'.repeat(500)}`,
  };
  const allowed: Record<string, (keyof typeof channels)[]> = {
    owner: ['accountA', 'conversationA', 'victim', 'siteA'], admin: ['accountA', 'conversationA', 'victim', 'siteA'], agent: ['accountA', 'conversationA', 'victim', 'siteA'],
    ownerB: ['accountB', 'conversationB', 'visitorB', 'siteB'], victim: ['conversationA', 'victim', 'siteA'], visitorA: ['siteA'], visitorB: ['conversationB', 'visitorB', 'siteB'],
  };
  const tokens: Record<string, string> = { owner: w.A.owner.token, admin: w.adminA.token, agent: w.agentA.token, ownerB: w.B.owner.token, victim: w.victim.token, visitorA: w.otherVisitorA.token, visitorB: w.visitorB.token };
  let cells = 0;
  for (const [who, tok] of Object.entries(tokens)) {
    const sock = await connectSocket(s.url, tok);
    for (const [name, channel] of Object.entries(channels)) {
      sock.send({ op: 'subscribe', channel });
      const f = await sock.waitFor((x) => x.channel === channel && (x.op === 'subscribed' || x.op === 'error'));
      const want = allowed[who].includes(name as keyof typeof channels);
      cells++;
      if ((f.op === 'subscribed') !== want) t.fail(`${who} → ${channel}: got ${JSON.stringify(f)}`);
    }
    // Events of a channel that was refused never arrive.
    await reply(s, w.A.owner.token, w.convA, `${w.CANARY} after subscribe`);
    await reply(s, w.A.owner.token, w.convA, `${w.CANARY} secret note`, true);
    await new Promise((r) => setTimeout(r, 150));
    const got = JSON.stringify(sock.frames);
    if (!['owner', 'admin', 'agent', 'victim'].includes(who) && got.includes(w.CANARY)) t.fail(`${who} received A's events`);
    if (who === 'victim' && got.includes('secret note')) t.fail('the victim visitor received a private note');
    sock.close();
  }
  t.ok(cells >= 60, `${cells} subscription cells`);
  await t.rejects(connectSocket(s.url, null), { statusCode: 401 } as never, 'no token: upgrade refused 401');
});
