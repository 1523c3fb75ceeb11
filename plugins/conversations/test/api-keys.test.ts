import t, { type Test } from 'tap';
import { startSmtpServer } from '@charla/core/testing';
import { account, addMember, boot, cid, initVisitor, missingId, send } from './contract-helpers.js';

// API-features.md "Webhooks and API keys": keys in core, scopes checked where roles are,
// the inbox's conversation routes opted in, one account per key, a limit per key.

const smtp = await startSmtpServer();
const s = await boot({ config: { smtpUrl: smtp.url, rateLimits: { apiKeyRequests: { max: 8, windowSeconds: 60 } } as never } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});

const A = await account(s);
const B = await account(s);
const visitorA = await initVisitor(s, A.site.appId);
const sentA = await send(s, visitorA.token, 'Hello from A');
const visitorB = await initVisitor(s, B.site.appId);
const sentB = await send(s, visitorB.token, 'Hello from B');

async function createKey(token: string, scopes: string[], name = 'CRM sync') {
  const r = await s.request('POST', '/api/v1/api-keys', { token, body: { name, scopes } });
  if (r.status !== 201) throw new Error(`create key: ${r.status} ${r.text}`);
  return r.body as { id: string; key: string; prefix: string };
}
const problem = (t: Test, r: { status: number; headers: Record<string, unknown>; body: { code?: string } }, status: number, code: string) => {
  t.equal(r.status, status);
  t.match(String(r.headers['content-type']), /application\/problem\+json/);
  t.equal(r.body.code, code);
};

t.test('create shows the key once; list has lastUsedAt and never the key; stored hashed', async (t) => {
  const created = await s.request('POST', '/api/v1/api-keys', { token: A.owner.token, body: { name: ' Zapier ', scopes: ['conversations:read', 'conversations:read'] } });
  t.equal(created.status, 201, created.text);
  t.match(created.body, { id: String, name: 'Zapier', scopes: ['conversations:read'], prefix: String, key: /^chk_[A-Za-z0-9_-]{43}$/, createdAt: String, lastUsedAt: null });
  t.ok(created.body.key.startsWith(created.body.prefix), 'the prefix identifies the key in lists');

  const list = await s.request('GET', '/api/v1/api-keys', { token: A.owner.token });
  const row = list.body.apiKeys.find((k: { id: string }) => k.id === created.body.id);
  t.ok(row, 'listed');
  t.notOk('key' in row || 'keyHash' in row, 'the key is never shown again');
  t.equal(row.lastUsedAt, null);

  const stored = await s.app.charla.container.cradle.db.withoutTenant('test reads the stored key', () => s.app.charla.container.cradle.models.ApiKey.findByPk(created.body.id));
  t.not(stored!.keyHash, created.body.key, 'not stored in clear');
  t.equal(stored!.keyHash.length, 64, 'a SHA-256 hex digest');

  t.equal((await s.request('GET', '/api/v1/inbox/conversations', { token: created.body.key })).status, 200);
  const used = (await s.request('GET', '/api/v1/api-keys', { token: A.owner.token })).body.apiKeys.find((k: { id: string }) => k.id === created.body.id);
  t.type(used.lastUsedAt, 'string', 'lastUsedAt is set by a use');
  t.notOk((await s.request('GET', '/api/v1/api-keys', { token: B.owner.token })).body.apiKeys.some((k: { id: string }) => k.id === created.body.id), 'B does not list A\'s keys');
});

t.test('bad input and non-admins are refused with problems', async (t) => {
  problem(t, await s.request('POST', '/api/v1/api-keys', { token: A.owner.token, body: { name: 'x', scopes: ['conversations:delete'] } }), 400, 'CHARLA_CORE_VALIDATION');
  problem(t, await s.request('POST', '/api/v1/api-keys', { token: A.owner.token, body: { name: 'x', scopes: [] } }), 400, 'CHARLA_CORE_VALIDATION');
  problem(t, await s.request('POST', '/api/v1/api-keys', { token: A.owner.token, body: { name: '   ', scopes: ['conversations:read'] } }), 400, 'CHARLA_CORE_VALIDATION');
  problem(t, await s.request('DELETE', `/api/v1/api-keys/${missingId()}`, { token: A.owner.token }), 404, 'CHARLA_CORE_NOT_FOUND');
  const agent = await addMember(s, smtp, A.owner.token, 'agent');
  problem(t, await s.request('POST', '/api/v1/api-keys', { token: agent.token, body: { name: 'x', scopes: ['conversations:read'] } }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('GET', '/api/v1/api-keys', { token: agent.token }), 403, 'CHARLA_CORE_FORBIDDEN');
  const key = await createKey(A.owner.token, ['conversations:read', 'conversations:write']);
  problem(t, await s.request('GET', '/api/v1/api-keys', { token: key.key }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('POST', '/api/v1/api-keys', { token: key.key, body: { name: 'escalate', scopes: ['webhooks:write'] } }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('GET', '/api/v1/inbox/conversations', { token: 'chk_not-a-real-key' }), 401, 'CHARLA_CORE_UNAUTHORIZED');
});

t.test('scopes: a route refuses a key unless it opts in with a scope the key holds', async (t) => {
  const read = await createKey(A.owner.token, ['conversations:read']);
  const write = await createKey(A.owner.token, ['conversations:write']);
  const conv = sentA.conversation.id;

  const list = await s.request('GET', '/api/v1/inbox/conversations', { token: read.key });
  t.equal(list.status, 200, list.text);
  t.same(list.body.conversations.map((c: { id: string }) => c.id), [conv], 'the key sees its account\'s conversations');
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${conv}`, { token: read.key })).status, 200);
  const msgs = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages`, { token: read.key });
  t.equal(msgs.status, 200);
  t.same(msgs.body.messages.map((m: { content: string }) => m.content), ['Hello from A']);
  problem(t, await s.request('GET', '/api/v1/inbox/conversations?assignee=me', { token: read.key }), 400, 'CHARLA_CONVERSATIONS_BAD_ASSIGNEE');

  problem(t, await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: read.key, body: { content: 'x', clientId: cid() } }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('GET', '/api/v1/inbox/conversations', { token: write.key }), 403, 'CHARLA_CORE_FORBIDDEN');
  // Routes that do not opt in refuse every key, whatever its scopes.
  problem(t, await s.request('PATCH', `/api/v1/inbox/conversations/${conv}`, { token: write.key, body: { status: 'closed' } }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('GET', '/api/v1/sites', { token: read.key }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('GET', '/api/v1/auth/me', { token: read.key }), 403, 'CHARLA_CORE_FORBIDDEN');
  problem(t, await s.request('POST', '/api/v1/widget/messages', { token: write.key, body: { content: 'x', clientId: cid() } }), 403, 'CHARLA_CORE_FORBIDDEN');

  const clientId = cid();
  const posted = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: write.key, body: { content: 'Your order shipped', clientId } });
  t.equal(posted.status, 201, posted.text);
  t.match(posted.body.message, { senderType: 'agent', senderId: null, content: 'Your order shipped' });
  const again = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: write.key, body: { content: 'Your order shipped', clientId } });
  t.equal(again.status, 200, 'a retried clientId is the same message');
  t.equal(again.body.message.id, posted.body.message.id);
  const seen = await s.request('GET', `/api/v1/widget/conversations/${conv}/messages`, { token: visitorA.token });
  t.ok(seen.body.messages.some((m: { content: string }) => m.content === 'Your order shipped'), 'the visitor gets the integration\'s reply');
});

t.test('tenant: a key of account A never reads or writes account B', async (t) => {
  const key = await createKey(A.owner.token, ['conversations:read', 'conversations:write']);
  const list = await s.request('GET', '/api/v1/inbox/conversations', { token: key.key });
  t.notOk(list.body.conversations.some((c: { id: string }) => c.id === sentB.conversation.id));
  problem(t, await s.request('GET', `/api/v1/inbox/conversations/${sentB.conversation.id}`, { token: key.key }), 404, 'CHARLA_CONVERSATIONS_CONVERSATION_NOT_FOUND');
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${sentB.conversation.id}/messages`, { token: key.key })).status, 404);
  t.equal((await s.request('POST', `/api/v1/inbox/conversations/${sentB.conversation.id}/messages`, { token: key.key, body: { content: 'x', clientId: cid() } })).status, 404);
  problem(t, await s.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: B.owner.token }), 404, 'CHARLA_CORE_NOT_FOUND');
  t.equal((await s.request('GET', '/api/v1/inbox/conversations', { token: key.key })).status, 200, 'B could not delete A\'s key');
});

t.test('deleted keys are refused at once; each key has its own rate limit', async (t) => {
  const key = await createKey(A.owner.token, ['conversations:read']);
  const other = await createKey(A.owner.token, ['conversations:read']);
  t.equal((await s.request('GET', '/api/v1/inbox/conversations', { token: key.key })).status, 200);
  t.equal((await s.request('DELETE', `/api/v1/api-keys/${key.id}`, { token: A.owner.token })).status, 204);
  problem(t, await s.request('GET', '/api/v1/inbox/conversations', { token: key.key }), 401, 'CHARLA_CORE_UNAUTHORIZED');
  t.notOk((await s.request('GET', '/api/v1/api-keys', { token: A.owner.token })).body.apiKeys.some((k: { id: string }) => k.id === key.id));

  const statuses: number[] = [];
  for (let i = 0; i < 9; i++) statuses.push((await s.request('GET', '/api/v1/inbox/conversations', { token: other.key })).status);
  t.same(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429], 'the 9th request in the window is refused');
  const limited = await s.request('GET', '/api/v1/inbox/conversations', { token: other.key });
  problem(t, limited, 429, 'CHARLA_CORE_RATE_LIMITED');
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  const fresh = await createKey(A.owner.token, ['conversations:read']);
  t.equal((await s.request('GET', '/api/v1/inbox/conversations', { token: fresh.key })).status, 200, 'another key is not limited');
});
