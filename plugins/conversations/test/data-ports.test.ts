import t from 'tap';
import { definePlugin, CharlaError } from '@charla/core';
import { conversations, reply, send, startServer, visitor, world } from './helpers.js';
import { ConversationsData, type ConversationsDataApi } from '../src/server/index.js';

// The ConversationsData service other plugins use instead of the models: read ports
// with filters and cursor paging, always for one account, and the routing writes
// (conditional assign / unassign) with their events.

let data!: ConversationsDataApi;
const consumer = definePlugin({
  name: 'data-consumer',
  version: '1.0.0',
  uses: [ConversationsData],
  register(ctx) {
    data = ctx.services.get(ConversationsData);
  },
});

const s = await startServer({ plugins: [conversations, consumer] });
t.teardown(() => s.close());
const a = await world(s);
const b = await world(s);
const va = await visitor(s, a.site.appId);
const vb = await visitor(s, b.site.appId);

// A has three conversations from one visitor (two closed by the agent in between), B one.
const ids: string[] = [];
for (let i = 0; i < 3; i++) {
  const sent = await send(s, va.token, `hello ${i}`);
  ids.push(sent.conversation.id);
  if (i < 2) await s.request('PATCH', `/api/v1/inbox/conversations/${sent.conversation.id}`, { token: a.agent.token, body: { status: 'closed' } });
}
await reply(s, a.agent.token, ids[2], 'an answer');
const bConv = (await send(s, vb.token, 'from B')).conversation.id;
await s.request('POST', '/api/v1/widget/page', { token: va.token, body: { url: 'https://a-shop.example/pricing', title: 'Pricing' } });
await s.request('POST', '/api/v1/widget/track', { token: va.token, body: { name: 'signup', properties: { plan: 'pro' } } });

t.test('get and list are scoped to the account; another account\'s id reads as absent', async (t) => {
  t.equal((await data.conversations.get(a.agent.accountId, ids[0]))?.id, ids[0]);
  t.equal(await data.conversations.get(a.agent.accountId, bConv), null, 'B\'s conversation through A');
  t.equal(await data.visitors.get(a.agent.accountId, vb.id), null, 'B\'s visitor through A');
  const all = await data.conversations.list(a.agent.accountId);
  t.same(all.items.map((c) => c.id), ids, 'oldest first, only A\'s');
  await t.rejects(data.conversations.mustGet(a.agent.accountId, bConv), { code: 'CHARLA_CONVERSATIONS_CONVERSATION_NOT_FOUND', statusCode: 404 });
  await t.rejects(data.conversations.mustGet(b.agent.accountId, bConv, { visitorId: va.id }), { code: 'CHARLA_CONVERSATIONS_CONVERSATION_NOT_FOUND', statusCode: 404 }, 'another visitor\'s conversation');
});

t.test('filters, counts and grouped counts', async (t) => {
  const acc = a.agent.accountId;
  t.same((await data.conversations.list(acc, { status: 'closed' })).items.map((c) => c.id), ids.slice(0, 2));
  t.same((await data.conversations.list(acc, { status: ['open', 'pending'], visitorId: va.id })).items.map((c) => c.id), [ids[2]]);
  t.equal(await data.conversations.count(acc, { awaitingFirstResponse: false }), 1, 'the one with an agent reply');
  t.equal(await data.conversations.count(acc, { hasVisitorMessage: true }), 3);
  t.same([...(await data.conversations.countBy(acc, 'status')).entries()].sort(), [['closed', 2], ['open', 1]]);
  t.equal(await data.conversations.count(acc, { since: new Date(Date.now() + 60_000) }), 0, 'nothing created in the future');
  const msgs = await data.messages.list(acc, { conversationId: ids[2], order: 'newest' });
  t.same(msgs.items.map((m) => [m.senderType, m.content]), [['agent', 'an answer'], ['visitor', 'hello 2']]);
  t.equal(await data.messages.count(acc, { senderType: 'visitor' }), 3);
  t.same((await data.pageViews.list(acc, { visitorId: va.id })).items.map((p) => p.url), ['https://a-shop.example/pricing']);
  t.same((await data.trackedEvents.list(acc, { name: 'signup' })).items.map((e) => e.visitorId), [va.id]);
  t.equal(await data.trackedEvents.count(b.agent.accountId), 0, 'B tracked nothing');
  await t.rejects(data.conversations.list(acc, { visitorId: { ne: null } as never }), TypeError, 'an operator object is not a filter value');
});

t.test('cursor paging walks every row once, in order; a foreign cursor is a 400', async (t) => {
  const acc = a.agent.accountId;
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await data.conversations.list(acc, { limit: 1, order: 'newest', cursor });
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  t.same(seen, [...ids].reverse());
  const first = await data.conversations.list(acc, { limit: 1, order: 'newest' });
  await t.rejects(data.conversations.list(acc, { order: 'oldest', cursor: first.nextCursor! }), { code: 'CHARLA_CONVERSATIONS_BAD_CURSOR', statusCode: 400 }, 'a cursor of another order');
  await t.rejects(data.conversations.list(acc, { cursor: 'not-a-cursor' }), CharlaError);
});

t.test('assignIfUnassigned claims once and emits conversation.updated; unassignFrom only from the current assignee', async (t) => {
  const acc = a.agent.accountId;
  const events: Array<Record<string, unknown>> = [];
  s.app.charla.container.cradle.events.on('conversation.updated', 'data-ports-test', (p) => void events.push(p.changes));
  const got = await data.conversations.assignIfUnassigned(acc, ids[2], a.agent.userId);
  t.equal(got.outcome, 'assigned');
  t.equal(got.outcome === 'assigned' && got.conversation.assigneeId, a.agent.userId);
  t.same(await data.conversations.assignIfUnassigned(acc, ids[2], a.agent.userId), { outcome: 'gone' }, 'already assigned: not overwritten');
  t.same(await data.conversations.assignIfUnassigned(b.agent.accountId, ids[2], b.agent.userId), { outcome: 'gone' }, 'another account cannot claim it');
  t.same([...(await data.conversations.countBy(acc, 'assigneeId', { assigned: true })).entries()], [[a.agent.userId, 1]]);
  t.equal(await data.conversations.unassignFrom(acc, ids[2], b.agent.userId), null, 'not theirs');
  t.equal((await data.conversations.unassignFrom(acc, ids[2], a.agent.userId))?.assigneeId, null);
  await s.app.charla.container.cradle.events.drain();
  t.same(events, [{ assigneeId: a.agent.userId }, { assigneeId: null }]);
  t.same(await data.conversations.accountsWithUnassigned().then((list) => list.includes(acc) && list.includes(b.agent.accountId)), true, 'both accounts have an unassigned open conversation');
});
