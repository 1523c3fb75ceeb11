import t from 'tap';
import { startSmtpServer } from '@charla/core/testing';
import { account, addMember, addSite, boot, cid, initVisitor, isProblem, listAll, missingId, reply, send, sleep } from './contract-helpers.js';

t.test('inbox API (agent side)', async (t) => {
  const smtp = await startSmtpServer();
  const s = await boot({ config: { smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const A = await account(s);
  const B = await account(s);
  const agent = await addMember(s, smtp, A.owner.token, 'agent');
  const token = A.owner.token;
  const patch = (id: string, body: unknown, tk = token) => s.request('PATCH', `/api/v1/inbox/conversations/${id}`, { token: tk, body });

  t.test('list: open+pending by default, status=, assignee=, siteId=, newest activity first', async (t) => {
    const acc = await account(s);
    const tk = acc.owner.token;
    const site2 = await addSite(s, tk, { name: 'Second' });
    const mk = async (appId: string, text: string) => (await send(s, (await initVisitor(s, appId)).token, text)).conversation.id;
    const open1 = await mk(acc.site.appId, 'open 1');
    const pending = await mk(acc.site.appId, 'pending');
    const closed = await mk(acc.site.appId, 'closed');
    const onSite2 = await mk(site2.appId, 'site 2');
    const mine = await mk(acc.site.appId, 'mine');
    t.equal((await patch(pending, { status: 'pending' }, tk)).status, 200);
    t.equal((await patch(closed, { status: 'closed' }, tk)).status, 200);
    t.equal((await patch(mine, { assigneeId: acc.owner.userId }, tk)).status, 200);

    const ids = async (q = '') => {
      const r = await s.request('GET', `/api/v1/inbox/conversations${q ? `?${q}` : ''}`, { token: tk });
      t.equal(r.status, 200, `GET ?${q}`);
      return r.body.conversations.map((c: { id: string }) => c.id) as string[];
    };
    t.same(new Set(await ids()), new Set([open1, pending, onSite2, mine]), 'default: open and pending');
    t.same(await ids('status=closed'), [closed]);
    t.same(await ids('status=pending'), [pending]);
    t.same(new Set(await ids('status=open')), new Set([open1, onSite2, mine]));
    t.same(await ids('assignee=me'), [mine]);
    t.same(await ids(`assignee=${acc.owner.userId}`), [mine]);
    t.same(new Set(await ids('assignee=unassigned')), new Set([open1, pending, onSite2]));
    t.same(await ids(`siteId=${site2.id}`), [onSite2]);
    t.same(new Set(await ids(`siteId=${acc.site.id}&status=open`)), new Set([open1, mine]), 'filters combine');

    // Newest activity first: a new message moves a conversation to the top.
    await sleep(5);
    await reply(s, tk, open1, 'bump');
    const order = await s.request('GET', '/api/v1/inbox/conversations', { token: tk });
    t.equal(order.body.conversations[0].id, open1, 'the latest activity first');
    const times = order.body.conversations.map((c: { lastActivityAt: string }) => Date.parse(c.lastActivityAt));
    t.same(times, [...times].sort((a: number, b: number) => b - a), 'sorted by lastActivityAt, newest first');
    const first = order.body.conversations[0];
    for (const k of ['id', 'status', 'siteId', 'visitor', 'assigneeId', 'priority', 'lastMessage', 'unreadCount', 'createdAt', 'updatedAt']) t.ok(k in first, `list item has ${k}`);
    t.equal(first.lastMessage.content, 'bump');
    t.type(first.visitor.id, 'string');
  });

  t.test('assignee=<userId> filters by another member', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const conv = (await send(s, v.token, 'for the agent')).conversation.id;
    const r = await patch(conv, { assigneeId: agent.userId });
    t.equal(r.status, 200);
    t.equal(r.body.assigneeId, agent.userId);
    const byId = await listAll(s, token, `assignee=${agent.userId}`);
    t.ok(byId.some((c) => c.id === conv), 'listed under that member');
    t.ok(byId.every((c) => c.assigneeId === agent.userId), 'only that member\'s');
    const agentMe = await listAll(s, agent.token, 'assignee=me');
    t.ok(agentMe.some((c) => c.id === conv), 'the agent sees it under assignee=me');
    const ownerMe = await listAll(s, token, 'assignee=me');
    t.notOk(ownerMe.some((c) => c.id === conv), 'not under the owner\'s assignee=me');
    t.equal((await s.request('GET', `/api/v1/inbox/conversations?assignee=${missingId()}`, { token })).body.conversations.length, 0, 'unknown user id: empty');
  });

  t.test('cursor paging: pages do not overlap and cover everything; a bad cursor is 400', async (t) => {
    const acc = await account(s);
    const tk = acc.owner.token;
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await send(s, (await initVisitor(s, acc.site.appId)).token, `conv ${i}`)).conversation.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/v1/inbox/conversations?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const r = await s.request('GET', q, { token: tk });
      t.equal(r.status, 200);
      t.ok(r.body.conversations.length <= 3, 'at most limit per page');
      seen.push(...r.body.conversations.map((c: { id: string }) => c.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    t.equal(pages, 3, '7 conversations at 3 per page: 3 pages');
    t.equal(new Set(seen).size, seen.length, 'no overlap');
    t.same(new Set(seen), new Set(created), 'every conversation');
    t.same(seen, [...created].reverse(), 'newest activity first across pages');

    for (const bad of ['garbage', 'eyJ0IjoxfQ', Buffer.from('{"t":"not a date","id":"x"}').toString('base64url'), '%00', Buffer.from('[1,2]').toString('base64url')]) {
      const r = await s.request('GET', `/api/v1/inbox/conversations?cursor=${encodeURIComponent(bad)}`, { token: tk });
      isProblem(t, r, 400, `cursor ${bad}`);
    }
  });

  t.test('cursor paging with many conversations created at the same moment (ties on lastActivityAt)', async (t) => {
    const acc = await account(s);
    const visitors = await Promise.all(Array.from({ length: 12 }, () => initVisitor(s, acc.site.appId)));
    const created = (await Promise.all(visitors.map((v, i) => send(s, v.token, `tie ${i}`)))).map((m) => m.conversation.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const r: Awaited<ReturnType<typeof s.request>> = await s.request('GET', `/api/v1/inbox/conversations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: acc.owner.token });
      seen.push(...r.body.conversations.map((c: { id: string }) => c.id));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    t.equal(seen.length, 12, 'twelve items over the pages');
    t.equal(new Set(seen).size, 12, 'no overlap');
    t.same(new Set(seen), new Set(created), 'every conversation');
  });

  t.test('one conversation with its visitor; messages with private notes; reply 201 and idempotent', async (t) => {
    const v = await initVisitor(s, A.site.appId, { page: { url: 'https://shop.example.com/a' } });
    const m = await send(s, v.token, 'Where is my order?');
    const conv = m.conversation.id;
    const one = await s.request('GET', `/api/v1/inbox/conversations/${conv}`, { token });
    t.equal(one.status, 200);
    t.equal(one.body.id, conv);
    t.equal(one.body.status, 'open');
    t.equal(one.body.siteId, A.site.id);
    t.equal(one.body.visitor.id, v.id);
    t.equal(one.body.visitor.currentUrl, 'https://shop.example.com/a');
    isProblem(t, await s.request('GET', `/api/v1/inbox/conversations/${missingId()}`, { token }), 404, 'missing id');
    isProblem(t, await s.request('GET', '/api/v1/inbox/conversations/not-a-uuid', { token }), 404, 'not a uuid');

    const clientId = cid();
    const r1 = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token, body: { content: 'Let me check.', clientId } });
    t.equal(r1.status, 201);
    t.equal(r1.body.message.senderType, 'agent');
    t.equal(r1.body.message.senderId, A.owner.userId);
    t.equal(r1.body.message.seq, 2);
    t.equal(r1.body.message.private, false);
    t.equal(r1.body.message.clientId, clientId);
    const again = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token, body: { content: 'Let me check.', clientId } });
    t.equal(again.status, 200, 'clientId repeat → 200');
    t.same(again.body.message, r1.body.message, 'the same message');
    const burstId = cid();
    const burst = await Promise.all(Array.from({ length: 4 }, () => s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token, body: { content: 'burst', clientId: burstId } })));
    t.same(burst.map((r) => r.status).sort(), [200, 200, 200, 201], `concurrent repeats: one 201 (got ${burst.map((r) => r.status)})`);

    const note = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token, body: { content: 'Internal: VIP customer', clientId: cid(), private: true } });
    t.equal(note.status, 201);
    t.equal(note.body.message.private, true);

    const msgs = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages`, { token });
    t.equal(msgs.status, 200);
    t.same(msgs.body.messages.map((x: { content: string }) => x.content), ['Where is my order?', 'Let me check.', 'burst', 'Internal: VIP customer'], 'agents see everything, oldest first');
    t.same(msgs.body.messages.map((x: { seq: number }) => x.seq), [1, 2, 3, 4]);
    const after = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages?after=${r1.body.message.id}&limit=1`, { token });
    t.same(after.body.messages.map((x: { content: string }) => x.content), ['burst'], 'after + limit');

    // The visitor never sees the private note.
    const hist = await s.request('GET', `/api/v1/widget/conversations/${conv}/messages`, { token: v.token });
    t.same(hist.body.messages.map((x: { content: string }) => x.content), ['Where is my order?', 'Let me check.', 'burst'], 'no private note in the widget history');
    t.notOk(hist.text.includes('VIP customer'), 'not anywhere in the response');
    const list = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.equal(list.body.conversations[0].lastMessage.content, 'burst', 'the visitor\'s lastMessage is the last public one');
    t.notOk(list.text.includes('VIP customer'));
    const init = await initVisitor(s, A.site.appId, { visitorToken: v.token });
    t.notOk(JSON.stringify(init.init).includes('VIP customer'), 'nor in init');
    const agentList = (await listAll(s, token)).find((c) => c.id === conv);
    t.equal(agentList.lastMessage.content, 'Internal: VIP customer', 'agents see the note as the last message');
    t.equal(agentList.lastMessage.private, true);
  });

  t.test('PATCH: close, reopen, assign to a member; a non-member is 400', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const conv = (await send(s, v.token, 'patch me')).conversation.id;
    const closed = await patch(conv, { status: 'closed' });
    t.equal(closed.status, 200);
    t.equal(closed.body.status, 'closed');
    t.type(closed.body.resolvedAt, 'string');
    t.equal(closed.body.visitor.id, v.id);
    t.ok((await listAll(s, token, 'status=closed')).some((c) => c.id === conv));
    t.notOk((await listAll(s, token)).some((c) => c.id === conv), 'closed is not in the default list');
    const reopened = await patch(conv, { status: 'open' });
    t.equal(reopened.body.status, 'open');
    t.equal(reopened.body.resolvedAt, null);
    const pend = await patch(conv, { status: 'pending' });
    t.equal(pend.body.status, 'pending');

    const assigned = await patch(conv, { assigneeId: agent.userId });
    t.equal(assigned.status, 200);
    t.equal(assigned.body.assigneeId, agent.userId);
    const widget = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.same(widget.body.conversations[0].assignee, { id: agent.userId, name: 'Agent Person' }, 'the visitor sees the assignee\'s name');
    const both = await patch(conv, { status: 'open', assigneeId: null });
    t.equal(both.body.status, 'open');
    t.equal(both.body.assigneeId, null, 'null unassigns');
    const byAgent = await patch(conv, { assigneeId: agent.userId }, agent.token);
    t.equal(byAgent.status, 200, 'an agent may assign');

    isProblem(t, await patch(conv, { assigneeId: B.owner.userId }), 400, 'a user of another account');
    isProblem(t, await patch(conv, { assigneeId: missingId() }), 400, 'no such user');
    isProblem(t, await patch(conv, { assigneeId: 'someone' }), 400, 'not an id');
    isProblem(t, await patch(conv, {}), 400, 'nothing to change');
    isProblem(t, await patch(missingId(), { status: 'closed' }), 404, 'missing conversation');
    const still = await s.request('GET', `/api/v1/inbox/conversations/${conv}`, { token });
    t.equal(still.body.assigneeId, agent.userId, 'failed PATCHes changed nothing');
  });

  t.test('unreadCount grows with visitor messages and resets on read', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const m1 = await send(s, v.token, 'one');
    const conv = m1.conversation.id;
    const unread = async () => (await s.request('GET', `/api/v1/inbox/conversations/${conv}`, { token })).body.unreadCount as number;
    t.equal(await unread(), 1);
    await send(s, v.token, 'two', conv);
    const m3 = await send(s, v.token, 'three', conv);
    t.equal(await unread(), 3);
    await reply(s, token, conv, 'agent replies do not count');
    await reply(s, token, conv, 'nor notes', true);
    t.equal(await unread(), 3);
    const r = await s.request('POST', `/api/v1/inbox/conversations/${conv}/read`, { token, body: { messageId: m1.message.id } });
    t.equal(r.status, 200);
    t.equal(r.body.seq, 1);
    t.equal(await unread(), 2, 'read up to the first: two left');
    const r2 = await s.request('POST', `/api/v1/inbox/conversations/${conv}/read`, { token, body: { messageId: m3.message.id } });
    t.equal(r2.body.seq, m3.message.seq);
    t.equal(await unread(), 0, 'reset');
    const listed = (await listAll(s, token)).find((c) => c.id === conv);
    t.equal(listed.unreadCount, 0, 'in the list too');
    const repeat = await s.request('POST', `/api/v1/inbox/conversations/${conv}/read`, { token, body: { messageId: m1.message.id } });
    t.equal(repeat.status, 200);
    t.equal(repeat.body.seq, null, 'reading an older message changes nothing');
    await send(s, v.token, 'four', conv);
    t.equal(await unread(), 1, 'grows again');
    const hist = await s.request('GET', `/api/v1/inbox/conversations/${conv}/messages`, { token });
    t.type(hist.body.messages[0].readAt, 'string', 'visitor messages read by agents carry readAt');
    isProblem(t, await s.request('POST', `/api/v1/inbox/conversations/${conv}/read`, { token, body: { messageId: missingId() } }), 404, 'unknown message');
  });
});
