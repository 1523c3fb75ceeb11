import t from 'tap';
import { cid, send, startServer, visitor, world } from './helpers.js';
import { modelsOf } from '../src/server/models.js';

// The send path with fewer statements: the conversation comes back from the seq
// increment (UPDATE … RETURNING), the duplicate check and the reads run before the write
// transaction. The guarantees stay: seq atomic and gap-free, clientId idempotent, the
// tenant and the conversation's owner checked.

const s = await startServer();
t.teardown(() => s.close());
const w = await world(s);
const other = await world(s);
const { db } = s.app.charla.container.cradle;
const m = modelsOf(db);

t.test('incrementAndGet returns the row a find returns, and nothing outside its account or owner', async (t) => {
  const v = await visitor(s, w.site.appId);
  const first = await send(s, v.token, 'hello');
  const convId = first.conversation.id;
  const scope = db.scope(w.agent.accountId);

  const row = await db.transaction(() => scope.incrementAndGet(m.Conversation, convId, 'lastSeq'));
  const found = (await scope.findById(m.Conversation, convId))!.get({ plain: true });
  t.same(row, found, 'same attributes and types as findById (dates, JSON, numbers)');
  t.ok(row!.lastActivityAt instanceof Date, 'dates are Date objects');
  t.equal(typeof row!.lastMessage, 'object', 'JSON columns are parsed');
  t.equal(row!.lastSeq, 2, 'the returned row holds the incremented value');

  t.equal(await db.scope(other.agent.accountId).incrementAndGet(m.Conversation, convId, 'lastSeq'), null, 'another account\'s scope matches nothing');
  t.equal(await scope.incrementAndGet(m.Conversation, convId, 'lastSeq', { visitorId: 'not-the-owner' }), null, 'a row whose owner differs is not matched');
  t.equal((await scope.findById(m.Conversation, convId))!.lastSeq, 2, 'neither changed the row');
  const owned = await db.transaction(() => scope.incrementAndGet(m.Conversation, convId, 'lastSeq', { visitorId: v.id }));
  t.equal(owned?.lastSeq, 3, 'with the right owner it matches');
});

t.test('a visitor cannot send into another visitor\'s conversation; nothing is stored', async (t) => {
  const a = await visitor(s, w.site.appId);
  const b = await visitor(s, w.site.appId);
  const conv = (await send(s, a.token, 'mine')).conversation.id;
  const r = await s.request('POST', '/api/v1/widget/messages', { token: b.token, body: { content: 'intruder', clientId: cid(), conversationId: conv } });
  t.equal(r.status, 404);
  const scope = db.scope(w.agent.accountId);
  t.equal((await scope.findById(m.Conversation, conv))!.lastSeq, 1, 'the seq did not move');
  t.equal(await scope.count(m.Message, { where: { conversationId: conv } }), 1, 'no message was stored');
});

t.test('concurrent sends get distinct, gap-free seqs; concurrent repeats of one clientId store one message', async (t) => {
  const v = await visitor(s, w.site.appId);
  const conv = (await send(s, v.token, 'first')).conversation.id;
  const sends = await Promise.all(Array.from({ length: 12 }, (_, i) => s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `m${i}`, clientId: cid(), conversationId: conv } })));
  t.same(sends.map((r) => r.status), Array(12).fill(201));
  t.same(sends.map((r) => r.body.message.seq).sort((a: number, b: number) => a - b), Array.from({ length: 12 }, (_, i) => i + 2), 'seqs 2..13, each once');

  const clientId = cid();
  const repeats = await Promise.all(Array.from({ length: 8 }, () => s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'once', clientId, conversationId: conv } })));
  const ids = new Set(repeats.map((r) => r.body.message?.id));
  t.equal(ids.size, 1, 'every repeat answers with the same message');
  t.same(repeats.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201], 'one 201 (stored), the rest 200 (repeats)');
  const scope = db.scope(w.agent.accountId);
  t.equal(await scope.count(m.Message, { where: { conversationId: conv, clientId } }), 1, 'one row for the clientId');
  const c = (await scope.findById(m.Conversation, conv))!;
  t.equal(c.lastSeq, 14, 'the conversation\'s seq counts each stored message once');
  t.equal(c.unreadByAgents, 14, 'and so does its unread count');
});

t.test('the response and the realtime event name the assignee read before the transaction', async (t) => {
  const v = await visitor(s, w.site.appId);
  const conv = (await send(s, v.token, 'hi')).conversation.id;
  const assigned = await s.request('PATCH', `/api/v1/inbox/conversations/${conv}`, { token: w.agent.token, body: { assigneeId: w.agent.userId } });
  t.equal(assigned.status, 200);
  const r = await send(s, v.token, 'still there?', conv) as unknown as { conversation: { assignee: { id: string; name: string } | null } };
  t.equal(r.conversation.assignee?.id, w.agent.userId);
  t.type(r.conversation.assignee?.name, 'string');
  t.not(r.conversation.assignee?.name, 'Agent', 'the real name, not the fallback');
});

t.test('message.created carries the assignee at the time of the message', async (t) => {
  const seen: Array<{ messageId: string; assigneeId: string | null }> = [];
  s.app.charla.container.cradle.events.on('message.created', 'send-path-test', (p) => void seen.push({ messageId: p.messageId, assigneeId: p.assigneeId }));
  const v = await visitor(s, w.site.appId);
  const first = await send(s, v.token, 'nobody has me yet');
  const convId = first.conversation.id;
  const assign = await s.request('PATCH', `/api/v1/inbox/conversations/${convId}`, { token: w.agent.token, body: { assigneeId: w.agent.userId } });
  t.equal(assign.status, 200, assign.text);
  const second = await send(s, v.token, 'now assigned');
  await s.app.charla.container.cradle.events.drain();
  t.same(seen.filter((e) => [first.message.id, second.message.id].includes(e.messageId)), [
    { messageId: first.message.id, assigneeId: null },
    { messageId: second.message.id, assigneeId: w.agent.userId },
  ]);
});
