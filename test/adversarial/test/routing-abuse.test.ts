/**
 * Routing under abuse: empty conversations (started without a message) are not routed
 * and are capped per visitor; a high-priority conversation behind more than a queue's
 * read of older ones is still routed first; a removed member's open conversations go
 * back to the queue instead of staying assigned to someone who is gone.
 */
import t from 'tap';
import { connectSocket, startSmtpServer, type TestServer, type TestSocket } from '@charla/core/testing';
import { account, addMember, boot, cid, initVisitor, isProblem, send, sleep } from './helpers.js';

const smtp = await startSmtpServer();
const s = await boot({ config: { smtpUrl: smtp.url } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});
const { events } = s.app.charla.container.cradle;

/** Connects an agent's device and waits until the inbox sees them online. */
async function goOnline(srv: TestServer, token: string, accountId: string): Promise<TestSocket> {
  const sock = await connectSocket(srv.url, token);
  sock.send({ op: 'subscribe', channel: `account:${accountId}` });
  await sock.waitFor((f) => f.op === 'subscribed');
  for (let i = 0; i < 200 && !(await srv.request('GET', '/api/v1/inbox/agents/me', { token })).body?.online; i++) await sleep(10);
  await events.drain();
  return sock;
}
const assignee = async (token: string, id: string) => (await s.request('GET', `/api/v1/inbox/conversations/${id}`, { token })).body.assigneeId as string | null;
const startEmpty = (token: string) => s.request('POST', '/api/v1/widget/conversations', { token, body: {} });

t.test('a conversation without a visitor message is not routed; its first message routes it', async (t) => {
  const A = await account(s, 'Empty routing');
  const sock = await goOnline(s, A.owner.token, A.owner.accountId);
  t.teardown(() => sock.close());
  const v = await initVisitor(s, A.site.appId);
  const empty = await startEmpty(v.token);
  t.equal(empty.status, 201, empty.text);
  await events.drain();
  t.equal(await assignee(A.owner.token, empty.body.conversation.id), null, 'an agent is free, but nobody wrote yet');
  const state = await s.request('GET', `/api/v1/inbox/conversations/${empty.body.conversation.id}/state`, { token: A.owner.token });
  t.equal(state.body.queuePosition, null, 'not in the queue either');
  const sent = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { conversationId: empty.body.conversation.id, content: 'now I write', clientId: cid() } });
  t.equal(sent.status, 201, sent.text);
  await events.drain();
  t.equal(await assignee(A.owner.token, empty.body.conversation.id), A.owner.userId, 'routed once the visitor wrote');
});

t.test('open empty conversations per visitor are capped (setting), with a 409 problem', async (t) => {
  const A = await account(s, 'Empty cap');
  const v = await initVisitor(s, A.site.appId);
  for (let i = 0; i < 3; i++) t.equal((await startEmpty(v.token)).status, 201, `empty conversation ${i + 1} of the default 3`);
  const over = await startEmpty(v.token);
  t.ok(isProblem(over, [409]), over.text);
  t.equal(over.body.code, 'CHARLA_CONVERSATIONS_TOO_MANY_EMPTY');
  t.match(over.body.detail, /already have 3 open conversations without a message \(the limit is 3\)/);
  const withMessage = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'a real question', clientId: cid() } });
  t.equal(withMessage.status, 201, 'a conversation started with a message is not capped');
  const other = await initVisitor(s, A.site.appId);
  t.equal((await startEmpty(other.token)).status, 201, 'the cap is per visitor');
  const raised = await s.request('PATCH', '/api/v1/plugins/conversations', { token: A.owner.token, body: { settings: { maxOpenEmptyConversations: 4 } } });
  t.equal(raised.status, 200, raised.text);
  t.equal((await startEmpty(v.token)).status, 201, 'the account raised its limit');
  t.ok(isProblem(await startEmpty(v.token), [409]), 'and the new limit holds');
  const bad = await s.request('PATCH', '/api/v1/plugins/conversations', { token: A.owner.token, body: { settings: { maxOpenEmptyConversations: 0 } } });
  t.ok(isProblem(bad, [400]), 'a limit below 1 is refused');
});

t.test('a high-priority conversation behind 500 older waiting ones is routed first', async (t) => {
  const A = await account(s, 'Deep queue');
  const settings = (body: Record<string, unknown>) => s.request('PATCH', '/api/v1/plugins/inbox', { token: A.owner.token, body: { settings: body } });
  t.equal((await settings({ autoAssign: false, slaEnabled: false, capacity: 1, priorityRules: [{ attribute: 'plan', equals: 'enterprise' }] })).status, 200);
  const crowd = await initVisitor(s, A.site.appId);
  for (let i = 0; i < 501; i++) {
    const r = await s.request('POST', '/api/v1/widget/conversations', { token: crowd.token, body: { content: `normal ${i}`, clientId: cid() } });
    if (r.status !== 201) throw new Error(`conversation ${i}: ${r.status} ${r.text}`);
  }
  const vip = await initVisitor(s, A.site.appId, { user: { email: 'vip@example.com', attributes: { plan: 'enterprise' } } });
  const urgent = (await send(s, vip.token, 'urgent')).conversation.id;
  await events.drain();
  t.equal((await s.request('GET', `/api/v1/inbox/conversations/${urgent}`, { token: A.owner.token })).body.priority, 'high');
  t.equal((await settings({ autoAssign: true })).status, 200);
  const sock = await goOnline(s, A.owner.token, A.owner.accountId);
  t.teardown(() => sock.close());
  t.equal(await assignee(A.owner.token, urgent), A.owner.userId, 'the one free slot goes to the high-priority conversation');
  const mine = await s.request('GET', '/api/v1/inbox/conversations?assignee=me&limit=5', { token: A.owner.token });
  t.same(mine.body.conversations.map((c: { id: string }) => c.id), [urgent], 'and only to it (capacity 1)');
});

t.test('a removed member\'s open conversations are unassigned and requeued', async (t) => {
  const A = await account(s, 'Removal');
  const agent = await addMember(s, smtp, A.owner.token, 'agent');
  const sock = await goOnline(s, agent.token, A.owner.accountId);
  const v = await initVisitor(s, A.site.appId);
  const conv = (await send(s, v.token, 'help')).conversation.id;
  await events.drain();
  t.equal(await assignee(A.owner.token, conv), agent.userId, 'routed to the only online agent');
  const removed = await s.request('DELETE', `/api/v1/team/members/${agent.userId}`, { token: A.owner.token });
  t.equal(removed.status, 204, removed.text);
  sock.close();
  await events.drain();
  t.equal(await assignee(A.owner.token, conv), null, 'no longer assigned to someone who left');
  const state = await s.request('GET', `/api/v1/inbox/conversations/${conv}/state`, { token: A.owner.token });
  t.equal(state.body.queuePosition, 1, 'waiting in the queue');
  const again = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { conversationId: conv, content: 'anyone?', clientId: cid() } });
  t.equal(again.status, 201, 'the visitor can still write');
  const owner = await goOnline(s, A.owner.token, A.owner.accountId);
  t.teardown(() => owner.close());
  t.equal(await assignee(A.owner.token, conv), A.owner.userId, 'routed to the next agent who comes online');
});
