import t from 'tap';
import { account, addSite, boot, cid, initVisitor, isProblem, listAll, missingId, reply, send } from './contract-helpers.js';

t.test('widget API (visitor side)', async (t) => {
  const s = await boot();
  t.teardown(() => s.close());
  const A = await account(s);
  const B = await account(s);

  t.test('init: new visitor, same token → same visitor, unknown appId → 404, site look and conversations', async (t) => {
    const r = await s.request('POST', '/api/v1/widget/init', { body: { appId: A.site.appId } });
    t.equal(r.status, 200);
    t.type(r.body.visitorToken, 'string');
    t.type(r.body.visitor.id, 'string');
    t.equal(r.body.site.name, 'Shop');
    t.type(r.body.site.widget, 'object');
    t.type(r.body.site.widget.primaryColor, 'string');
    t.type(r.body.site.online, 'boolean');
    t.same(r.body.conversations, []);

    const again = await s.request('POST', '/api/v1/widget/init', { body: { appId: A.site.appId, visitorToken: r.body.visitorToken } });
    t.equal(again.status, 200);
    t.equal(again.body.visitor.id, r.body.visitor.id, 'same visitorToken → same visitor');

    const fresh = await s.request('POST', '/api/v1/widget/init', { body: { appId: A.site.appId } });
    t.not(fresh.body.visitor.id, r.body.visitor.id, 'no token → a new visitor');

    const garbage = await s.request('POST', '/api/v1/widget/init', { body: { appId: A.site.appId, visitorToken: 'not.a.token' } });
    t.equal(garbage.status, 200, 'a garbage token starts a new visitor');
    t.not(garbage.body.visitor.id, r.body.visitor.id);

    const unknown = await s.request('POST', '/api/v1/widget/init', { body: { appId: 'no-such-app-id' } });
    isProblem(t, unknown, 404, 'unknown appId');
  });

  t.test('init with a visitorToken of another site gives a new visitor, never that one', async (t) => {
    const a = await initVisitor(s, A.site.appId);
    await send(s, a.token, 'my secret question');
    const onB = await initVisitor(s, B.site.appId, { visitorToken: a.token });
    t.not(onB.id, a.id, 'a new visitor on B');
    t.same(onB.init.conversations, [], 'none of the A visitor conversations');
    // Another site of the same account: still a different visitor.
    const second = await addSite(s, A.owner.token, { name: 'Second shop' });
    const onSecond = await initVisitor(s, second.appId, { visitorToken: a.token });
    t.not(onSecond.id, a.id, 'a new visitor on another site of the same account');
    // The original token still works on its own site.
    const back = await initVisitor(s, A.site.appId, { visitorToken: a.token });
    t.equal(back.id, a.id);
    t.equal(back.init.conversations.length, 1);
  });

  t.test('init records the page and maps the locale to the language', async (t) => {
    const v = await initVisitor(s, A.site.appId, { page: { url: 'https://shop.example.com/pricing?x=1', title: 'Pricing', referrer: 'https://google.com/' }, locale: 'es-MX' });
    const agentView = await s.request('GET', `/api/v1/inbox/visitors/${v.id}`, { token: A.owner.token });
    t.equal(agentView.status, 200);
    t.equal(agentView.body.currentUrl, 'https://shop.example.com/pricing?x=1');
    t.equal(agentView.body.currentTitle, 'Pricing');
    t.equal(agentView.body.language, 'es-MX');
    t.equal(agentView.body.country, 'MX');
    t.equal(agentView.body.pages.length, 1);
    t.equal(agentView.body.pages[0].url, 'https://shop.example.com/pricing?x=1');

    const viaHeader = await initVisitor(s, A.site.appId, {}, { 'accept-language': 'fr-CA,fr;q=0.9' });
    const v2 = await s.request('GET', `/api/v1/inbox/visitors/${viaHeader.id}`, { token: A.owner.token });
    t.equal(v2.body.language, 'fr-CA', 'Accept-Language when no locale is sent');
  });

  t.test('conversations: create and list the visitor\'s own', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const empty = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.equal(empty.status, 200);
    t.same(empty.body.conversations, []);

    const bare = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: {} });
    t.equal(bare.status, 201);
    t.equal(bare.body.conversation.status, 'open');
    t.notOk(bare.body.message, 'no message without content');

    const withMsg = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'Hi there', clientId: cid() } });
    t.equal(withMsg.status, 201);
    t.equal(withMsg.body.message.content, 'Hi there');
    t.equal(withMsg.body.message.seq, 1);
    t.equal(withMsg.body.message.conversationId, withMsg.body.conversation.id);
    t.not(withMsg.body.conversation.id, bare.body.conversation.id, 'a new conversation each time');

    const list = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.same(list.body.conversations.map((c: { id: string }) => c.id).sort(), [bare.body.conversation.id, withMsg.body.conversation.id].sort());
    t.equal(list.body.conversations.find((c: { id: string }) => c.id === withMsg.body.conversation.id).lastMessage.content, 'Hi there');

    // A retried start with the same clientId returns the first conversation and message (200), no second conversation.
    const retryClientId = cid();
    const start = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'Start me once', clientId: retryClientId } });
    t.equal(start.status, 201);
    const retry = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'Start me once', clientId: retryClientId } });
    t.equal(retry.status, 200, 'a repeat is 200');
    t.equal(retry.body.conversation.id, start.body.conversation.id, 'the same conversation');
    t.equal(retry.body.message.id, start.body.message.id, 'the same message');
    const burstId = cid();
    const burst = await Promise.all(Array.from({ length: 5 }, () => s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'burst start', clientId: burstId } })));
    t.same(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 201], `concurrent repeats: one 201 (got ${burst.map((r) => r.status)})`);
    t.equal(new Set(burst.map((r) => r.body?.conversation?.id)).size, 1, 'concurrent repeats: one conversation');
    const afterRetries = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.equal(afterRetries.body.conversations.length, 4, 'retries opened no extra conversation');
    const inboxOfVisitor = (await listAll(s, A.owner.token)).filter((c) => c.visitorId === v.id);
    t.equal(inboxOfVisitor.length, 4, 'nor in the inbox');

    const other = await initVisitor(s, A.site.appId);
    const otherList = await s.request('GET', '/api/v1/widget/conversations', { token: other.token });
    t.same(otherList.body.conversations, [], 'another visitor sees none of them');
  });

  t.test('messages: 201 with seq; no conversationId → latest open one or a new one', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const m1 = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'first', clientId: cid() } });
    t.equal(m1.status, 201);
    t.equal(m1.body.message.seq, 1);
    t.equal(m1.body.message.senderType, 'visitor');
    t.equal(m1.body.message.senderId, v.id);
    t.equal(m1.body.message.private, false);
    t.type(m1.body.message.createdAt, 'string');
    t.equal(m1.body.conversation.status, 'open');
    const convId = m1.body.conversation.id;

    const m2 = await send(s, v.token, 'second');
    t.equal(m2.conversation.id, convId, 'goes to the latest open conversation');
    t.equal(m2.message.seq, 2, 'seq grows by one');
    const m3 = await send(s, v.token, 'third', convId);
    t.equal(m3.message.seq, 3);

    // A newer open conversation becomes the target.
    const newer = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: {} });
    const m4 = await send(s, v.token, 'to the newest');
    t.equal(m4.conversation.id, newer.body.conversation.id, 'the latest open conversation');
    t.equal(m4.message.seq, 1, 'seq is per conversation');

    // Closed conversations are not reused.
    for (const id of [convId, newer.body.conversation.id]) {
      const closed = await s.request('PATCH', `/api/v1/inbox/conversations/${id}`, { token: A.owner.token, body: { status: 'closed' } });
      t.equal(closed.status, 200);
    }
    const m5 = await send(s, v.token, 'after close');
    t.not(m5.conversation.id, convId);
    t.not(m5.conversation.id, newer.body.conversation.id);
    t.equal(m5.message.seq, 1, 'a new conversation');

    // Explicitly to a closed one: stored there, and the conversation reopens.
    const m6 = await send(s, v.token, 'back to the first', convId);
    t.equal(m6.conversation.id, convId);
    t.equal(m6.message.seq, 4);
    t.equal(m6.conversation.status, 'open', 'a visitor message reopens a closed conversation');

    const unknown = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'x', clientId: cid(), conversationId: missingId() } });
    isProblem(t, unknown, 404, 'unknown conversationId');
  });

  t.test('messages: a repeated clientId returns 200 and the same message, never a duplicate', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const clientId = cid();
    const first = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'only once', clientId } });
    t.equal(first.status, 201);
    t.equal(first.body.message.clientId, clientId);
    const again = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'only once', clientId } });
    t.equal(again.status, 200);
    t.same(again.body.message, first.body.message, 'the same message');
    const withConv = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'only once', clientId, conversationId: first.body.conversation.id } });
    t.equal(withConv.status, 200);
    t.equal(withConv.body.message.id, first.body.message.id);
    const hist = await s.request('GET', `/api/v1/widget/conversations/${first.body.conversation.id}/messages`, { token: v.token });
    t.equal(hist.body.messages.length, 1, 'stored once');

    // Concurrent repeats of one clientId also store it once.
    const clientId2 = cid();
    const burst = await Promise.all(Array.from({ length: 6 }, () => s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'burst', clientId: clientId2, conversationId: first.body.conversation.id } })));
    t.same(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 201], `one 201, the rest 200 (got ${burst.map((r) => r.status)})`);
    t.equal(new Set(burst.map((r) => r.body?.message?.id)).size, 1, 'all the same message');
    const hist2 = await s.request('GET', `/api/v1/widget/conversations/${first.body.conversation.id}/messages`, { token: v.token });
    t.equal(hist2.body.messages.length, 2, 'stored once');
  });

  t.test('20 concurrent sends without conversationId from a fresh visitor open exactly one conversation', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `burst ${i}`, clientId: cid() } })));
    t.same(results.map((r) => r.status), Array(20).fill(201), 'all stored');
    t.equal(new Set(results.map((r) => r.body.conversation.id)).size, 1, 'one conversation in the responses');
    const seqs = results.map((r) => r.body.message.seq).sort((a: number, b: number) => a - b);
    t.same(seqs, Array.from({ length: 20 }, (_, i) => i + 1), 'seq 1..20, no gaps, no repeats');
    const inbox = (await listAll(s, A.owner.token)).filter((c) => c.visitorId === v.id);
    t.equal(inbox.length, 1, 'the inbox has exactly one conversation of this visitor');
    t.equal(inbox[0].lastSeq, 20);
    t.equal(inbox[0].unreadCount, 20);
  });

  t.test('history: oldest first; after=, before=, limit; unknown after → 4xx', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const sent = [];
    for (let i = 1; i <= 6; i++) sent.push(await send(s, v.token, `m${i}`));
    const conv = sent[0].conversation.id;
    const url = `/api/v1/widget/conversations/${conv}/messages`;

    const all = await s.request('GET', url, { token: v.token });
    t.equal(all.status, 200);
    t.same(all.body.messages.map((m: { content: string }) => m.content), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'], 'oldest first');
    t.same(all.body.messages.map((m: { seq: number }) => m.seq), [1, 2, 3, 4, 5, 6]);

    const after = await s.request('GET', `${url}?after=${sent[2].message.id}`, { token: v.token });
    t.same(after.body.messages.map((m: { content: string }) => m.content), ['m4', 'm5', 'm6'], 'only later messages, oldest first');
    const afterLimited = await s.request('GET', `${url}?after=${sent[0].message.id}&limit=2`, { token: v.token });
    t.same(afterLimited.body.messages.map((m: { content: string }) => m.content), ['m2', 'm3'], 'after + limit: the next ones');
    const afterLast = await s.request('GET', `${url}?after=${sent[5].message.id}`, { token: v.token });
    t.same(afterLast.body.messages, [], 'nothing after the last');

    const before = await s.request('GET', `${url}?before=${sent[3].message.id}`, { token: v.token });
    t.same(before.body.messages.map((m: { content: string }) => m.content), ['m1', 'm2', 'm3']);
    const beforeLimited = await s.request('GET', `${url}?before=${sent[5].message.id}&limit=2`, { token: v.token });
    t.same(beforeLimited.body.messages.map((m: { content: string }) => m.content), ['m4', 'm5'], 'before + limit: the page just before, oldest first');
    const latest = await s.request('GET', `${url}?limit=2`, { token: v.token });
    t.same(latest.body.messages.map((m: { content: string }) => m.content), ['m5', 'm6'], 'limit alone: the latest ones');

    const unknownAfter = await s.request('GET', `${url}?after=${missingId()}`, { token: v.token });
    isProblem(t, unknownAfter, (x) => x >= 400 && x < 500, 'unknown after');
    const otherConvMsg = await send(s, v.token, 'elsewhere', (await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: {} })).body.conversation.id);
    const foreignAfter = await s.request('GET', `${url}?after=${otherConvMsg.message.id}`, { token: v.token });
    isProblem(t, foreignAfter, (x) => x >= 400 && x < 500, 'after = a message of another conversation');
  });

  t.test('identify: a new token; the old one is 401 afterwards', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const m = await send(s, v.token, 'before identify');
    const r = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email: 'Jane@Example.com', name: 'Jane', attributes: { plan: 'pro', seats: 3, beta: true } } });
    t.equal(r.status, 200);
    t.type(r.body.visitorToken, 'string');
    t.not(r.body.visitorToken, v.token, 'a new token');
    t.equal(r.body.visitor.id, v.id, 'the same visitor');
    t.equal(r.body.visitor.email, 'jane@example.com');
    t.equal(r.body.visitor.name, 'Jane');

    const old = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    isProblem(t, old, 401, 'old token');
    const oldSend = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'x', clientId: cid() } });
    isProblem(t, oldSend, 401, 'old token send');
    const oldInit = await initVisitor(s, A.site.appId, { visitorToken: v.token });
    t.not(oldInit.id, v.id, 'the old token no longer resumes the visitor at init');

    const fresh = await s.request('GET', '/api/v1/widget/conversations', { token: r.body.visitorToken });
    t.equal(fresh.status, 200);
    t.equal(fresh.body.conversations[0].id, m.conversation.id, 'the new token keeps the history');

    const agentView = await s.request('GET', `/api/v1/inbox/visitors/${v.id}`, { token: A.owner.token });
    t.equal(agentView.body.email, 'jane@example.com');
    t.same(agentView.body.attributes, { plan: 'pro', seats: 3, beta: true });

    // identify again: attributes merge, the previous token dies too.
    const r2 = await s.request('POST', '/api/v1/widget/identify', { token: r.body.visitorToken, body: { attributes: { plan: 'enterprise' } } });
    t.equal(r2.status, 200);
    isProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: r.body.visitorToken }), 401, 'second-generation token');
    const agentView2 = await s.request('GET', `/api/v1/inbox/visitors/${v.id}`, { token: A.owner.token });
    t.same(agentView2.body.attributes, { plan: 'enterprise', seats: 3, beta: true });
  });

  t.test('track → 202; page → 202 and the inbox shows currentUrl', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const m = await send(s, v.token, 'hello');
    const tr = await s.request('POST', '/api/v1/widget/track', { token: v.token, body: { name: 'checkout.started', properties: { total: 42.5, currency: 'EUR' } } });
    t.equal(tr.status, 202);
    const pg = await s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: 'https://shop.example.com/checkout', title: 'Checkout' } });
    t.equal(pg.status, 202);
    const conv = await s.request('GET', `/api/v1/inbox/conversations/${m.conversation.id}`, { token: A.owner.token });
    t.equal(conv.body.visitor.currentUrl, 'https://shop.example.com/checkout');
    t.equal(conv.body.visitor.currentTitle, 'Checkout');
    const list = (await listAll(s, A.owner.token)).find((c) => c.id === m.conversation.id);
    t.equal(list.visitor.currentUrl, 'https://shop.example.com/checkout', 'the inbox list too');
    t.equal(conv.body.visitor.pages[0].url, 'https://shop.example.com/checkout', 'the latest page first');
  });

  t.test('read receipt: the visitor marks agent replies read', async (t) => {
    const v = await initVisitor(s, A.site.appId);
    const m = await send(s, v.token, 'question');
    const r1 = await reply(s, A.owner.token, m.conversation.id, 'answer 1');
    await reply(s, A.owner.token, m.conversation.id, 'answer 2');
    let list = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.equal(list.body.conversations[0].unreadCount, 2);
    const read = await s.request('POST', `/api/v1/widget/conversations/${m.conversation.id}/read`, { token: v.token, body: { messageId: r1.message.id } });
    t.equal(read.status, 200);
    t.equal(read.body.seq, r1.message.seq);
    list = await s.request('GET', '/api/v1/widget/conversations', { token: v.token });
    t.equal(list.body.conversations[0].unreadCount, 1, 'one left unread');
    const hist = await s.request('GET', `/api/v1/widget/conversations/${m.conversation.id}/messages`, { token: v.token });
    t.type(hist.body.messages.find((x: { id: string }) => x.id === r1.message.id).readAt, 'string', 'readAt set');
  });
});
