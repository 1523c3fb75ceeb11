import t from 'tap';
import { startSmtpServer } from '@charla/core/testing';
import { account, addMember, addSite, boot, cid, initVisitor, isProblem, missingId, reply, send, type Res } from './contract-helpers.js';

/**
 * Every widget and inbox route (read from the running app's OpenAPI document, so a new
 * route without a row here fails) × every kind of caller: owner/admin/agent of A, owner
 * of B, visitors of A's site, of A's other site and of B's site, and nobody.
 */
t.test('tenant and visitor isolation matrix', async (t) => {
  const smtp = await startSmtpServer();
  const s = await boot({ config: { smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });

  const A = await account(s);
  const B = await account(s);
  const adminA = await addMember(s, smtp, A.owner.token, 'admin');
  const agentA = await addMember(s, smtp, A.owner.token, 'agent');
  const secondSiteA = await addSite(s, A.owner.token, { name: 'A second site' });

  const SECRET = 'A-SECRET-order-4711';
  const vA = await initVisitor(s, A.site.appId);
  const sentA = await send(s, vA.token, `${SECRET} visitor message`);
  const convA = sentA.conversation.id;
  const replyA = await reply(s, A.owner.token, convA, `${SECRET} agent reply`);
  await reply(s, A.owner.token, convA, `${SECRET} private note`, true);

  const vA2 = await initVisitor(s, A.site.appId);
  const convA2 = (await send(s, vA2.token, 'another visitor of A')).conversation.id;
  const vAsite2 = await initVisitor(s, secondSiteA.appId);
  await send(s, vAsite2.token, 'visitor of A\'s second site');
  const vB = await initVisitor(s, B.site.appId);
  const sentB = await send(s, vB.token, 'visitor of B');
  const convB = sentB.conversation.id;

  interface Actor { name: string; kind: 'agent' | 'visitor' | 'anon'; inA: boolean; token?: string; ref?: { token: string } }
  const actors: Actor[] = [
    { name: 'owner of A', kind: 'agent', inA: true, token: A.owner.token },
    { name: 'admin of A', kind: 'agent', inA: true, token: adminA.token },
    { name: 'agent of A', kind: 'agent', inA: true, token: agentA.token },
    { name: 'owner of B', kind: 'agent', inA: false, token: B.owner.token },
    { name: 'visitor of A (owns the conversation)', kind: 'visitor', inA: true, token: vA.token, ref: vA },
    { name: 'another visitor of A\'s site', kind: 'visitor', inA: false, token: vA2.token, ref: vA2 },
    { name: 'visitor of A\'s second site', kind: 'visitor', inA: false, token: vAsite2.token, ref: vAsite2 },
    { name: 'visitor of B\'s site', kind: 'visitor', inA: false, token: vB.token, ref: vB },
    { name: 'anonymous', kind: 'anon', inA: false },
  ];

  interface Row { kind: 'public' | 'widget' | 'inbox'; scoped: boolean; ok: number; path: string; body?: () => unknown }
  const rows: Record<string, Row> = {
    'POST /api/v1/widget/init': { kind: 'public', scoped: false, ok: 200, path: '/api/v1/widget/init', body: () => ({ appId: A.site.appId }) },
    'GET /api/v1/widget/conversations': { kind: 'widget', scoped: false, ok: 200, path: '/api/v1/widget/conversations' },
    'POST /api/v1/widget/conversations': { kind: 'widget', scoped: false, ok: 201, path: '/api/v1/widget/conversations', body: () => ({}) },
    'POST /api/v1/widget/messages': { kind: 'widget', scoped: true, ok: 201, path: '/api/v1/widget/messages', body: () => ({ conversationId: convA, content: 'matrix', clientId: cid() }) },
    'GET /api/v1/widget/conversations/{id}/messages': { kind: 'widget', scoped: true, ok: 200, path: `/api/v1/widget/conversations/${convA}/messages` },
    'POST /api/v1/widget/conversations/{id}/read': { kind: 'widget', scoped: true, ok: 200, path: `/api/v1/widget/conversations/${convA}/read`, body: () => ({ messageId: replyA.message.id }) },
    // An agent's reply has no buttons: the owner gets a clear 400, everyone else the refusal.
    'POST /api/v1/widget/conversations/{id}/postback': { kind: 'widget', scoped: true, ok: 400, path: `/api/v1/widget/conversations/${convA}/postback`, body: () => ({ messageId: replyA.message.id, buttonId: 'yes' }) },
    'POST /api/v1/widget/identify': { kind: 'widget', scoped: false, ok: 200, path: '/api/v1/widget/identify', body: () => ({ name: 'Matrix' }) },
    'POST /api/v1/widget/track': { kind: 'widget', scoped: false, ok: 202, path: '/api/v1/widget/track', body: () => ({ name: 'matrix' }) },
    'POST /api/v1/widget/page': { kind: 'widget', scoped: false, ok: 202, path: '/api/v1/widget/page', body: () => ({ url: 'https://shop.example.com/matrix' }) },
    'GET /api/v1/inbox/conversations': { kind: 'inbox', scoped: false, ok: 200, path: '/api/v1/inbox/conversations' },
    'GET /api/v1/inbox/conversations/{id}': { kind: 'inbox', scoped: true, ok: 200, path: `/api/v1/inbox/conversations/${convA}` },
    'PATCH /api/v1/inbox/conversations/{id}': { kind: 'inbox', scoped: true, ok: 200, path: `/api/v1/inbox/conversations/${convA}`, body: () => ({ status: 'open' }) },
    'GET /api/v1/inbox/conversations/{id}/messages': { kind: 'inbox', scoped: true, ok: 200, path: `/api/v1/inbox/conversations/${convA}/messages` },
    'POST /api/v1/inbox/conversations/{id}/messages': { kind: 'inbox', scoped: true, ok: 201, path: `/api/v1/inbox/conversations/${convA}/messages`, body: () => ({ content: 'matrix reply', clientId: cid() }) },
    'POST /api/v1/inbox/conversations/{id}/read': { kind: 'inbox', scoped: true, ok: 200, path: `/api/v1/inbox/conversations/${convA}/read`, body: () => ({ messageId: sentA.message.id }) },
    'GET /api/v1/inbox/visitors/online': { kind: 'inbox', scoped: false, ok: 200, path: '/api/v1/inbox/visitors/online' },
    'GET /api/v1/inbox/visitors/{id}': { kind: 'inbox', scoped: true, ok: 200, path: `/api/v1/inbox/visitors/${vA.id}` },
  };

  const expected = (row: Row, a: Actor): number => {
    if (row.kind === 'public') return row.ok;
    if (a.kind === 'anon') return 401;
    if (row.kind === 'inbox') {
      if (a.kind === 'visitor') return 403;
      return a.inA || !row.scoped ? row.ok : 404;
    }
    if (a.kind === 'agent') return 403;
    return a.inA || !row.scoped ? row.ok : 404;
  };

  t.test('every widget and inbox route of the running app has a row', async (t) => {
    const docs = await s.request('GET', '/api/docs/json');
    t.equal(docs.status, 200);
    const live: string[] = [];
    for (const [path, ops] of Object.entries(docs.body.paths as Record<string, Record<string, unknown>>)) {
      if (!/^\/api\/v1\/(widget|inbox)\//.test(path)) continue;
      for (const method of Object.keys(ops)) live.push(`${method.toUpperCase()} ${path}`);
    }
    t.ok(live.length >= Object.keys(rows).length, `found ${live.length} routes`);
    t.same(live.filter((r) => !rows[r]), [], 'no route without a matrix row');
    t.same(Object.keys(rows).filter((r) => !live.includes(r)), [], 'no row for a route that does not exist');
  });

  t.test('route × caller', async (t) => {
    for (const [key, row] of Object.entries(rows)) {
      const method = key.split(' ')[0];
      for (const a of actors) {
        const want = expected(row, a);
        const r: Res = await s.request(method, row.path, { token: a.token, ...(row.body ? { body: row.body() } : {}) });
        const label = `${key} as ${a.name}`;
        if (want >= 400) isProblem(t, r, want, label);
        else t.equal(r.status, want, `${label} → ${want}${r.status === want ? '' : `: ${r.text.slice(0, 200)}`}`);
        if (!a.inA && a.kind !== 'anon') {
          t.notOk(r.text.includes(SECRET), `${label}: none of A's conversation content`);
          t.notOk(r.text.includes(convA), `${label}: not A's conversation id`);
        }
        if (a.kind === 'visitor') t.notOk(r.text.includes('private note'), `${label}: no private note`);
        if (r.body?.visitorToken && key === 'POST /api/v1/widget/identify') {
          // identify rotates the token: the old one must be dead, the new one is used from now on.
          isProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: a.token }), 401, `${a.name}: old token after identify`);
          a.token = r.body.visitorToken;
          a.ref!.token = r.body.visitorToken;
        }
      }
    }
  });

  t.test('another tenant\'s id is a 404 exactly like a missing id', async (t) => {
    const strip = (r: Res) => ({ status: r.status, code: r.body?.code, title: r.body?.title, detail: r.body?.detail, type: r.body?.type });
    const inbox: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/inbox/conversations/:id'],
      ['GET', '/api/v1/inbox/conversations/:id/messages'],
      ['POST', '/api/v1/inbox/conversations/:id/messages', { content: 'x', clientId: cid() }],
      ['PATCH', '/api/v1/inbox/conversations/:id', { status: 'closed' }],
      ['POST', '/api/v1/inbox/conversations/:id/read', { messageId: sentA.message.id }],
    ];
    for (const [method, path, body] of inbox) {
      const foreign = await s.request(method, path.replace(':id', convA), { token: B.owner.token, body });
      const missing = await s.request(method, path.replace(':id', missingId()), { token: B.owner.token, body });
      t.same(strip(foreign), strip(missing), `${method} ${path}: A's id looks missing to B`);
      t.equal(foreign.status, 404);
    }
    const foreignVisitor = await s.request('GET', `/api/v1/inbox/visitors/${vA.id}`, { token: B.owner.token });
    const missingVisitor = await s.request('GET', `/api/v1/inbox/visitors/${missingId()}`, { token: B.owner.token });
    t.same(strip(foreignVisitor), strip(missingVisitor), 'visitor of A looks missing to B');

    const widget: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/widget/conversations/:id/messages'],
      ['POST', '/api/v1/widget/conversations/:id/read', { messageId: replyA.message.id }],
    ];
    for (const [method, path, body] of widget) {
      for (const other of [vA2, vB]) {
        const foreign = await s.request(method, path.replace(':id', convA), { token: other.token, body });
        const missing = await s.request(method, path.replace(':id', missingId()), { token: vA2.token, body });
        t.same(strip(foreign), strip(missing), `${method} ${path}: another visitor's conversation looks missing`);
      }
    }
    const sendForeign = await s.request('POST', '/api/v1/widget/messages', { token: vB.token, body: { conversationId: convA, content: 'x', clientId: cid() } });
    const sendMissing = await s.request('POST', '/api/v1/widget/messages', { token: vB.token, body: { conversationId: missingId(), content: 'x', clientId: cid() } });
    t.same(strip(sendForeign), strip(sendMissing), 'sending into another visitor\'s conversation looks missing');
  });

  t.test('lookups by secondary keys stay inside the tenant and the visitor', async (t) => {
    // A clientId reused by another visitor is a separate message.
    const clientId = cid();
    const mine = await send(s, vA2.token, 'mine', convA2, clientId);
    const theirs = await s.request('POST', '/api/v1/widget/messages', { token: vB.token, body: { content: 'theirs', clientId, conversationId: convB } });
    t.equal(theirs.status, 201, 'another visitor with the same clientId: a new message');
    t.not(theirs.body.message.id, mine.message.id);
    t.equal(theirs.body.message.content, 'theirs');
    t.equal(theirs.body.conversation.id, convB, 'in their own conversation');
    // The same for agents: B's owner reusing A's reply clientId in B's conversation.
    const agentClientId = cid();
    const aReply = await s.request('POST', `/api/v1/inbox/conversations/${convA}/messages`, { token: A.owner.token, body: { content: 'from A', clientId: agentClientId } });
    const bReply = await s.request('POST', `/api/v1/inbox/conversations/${convB}/messages`, { token: B.owner.token, body: { content: 'from B', clientId: agentClientId } });
    t.equal(bReply.status, 201);
    t.not(bReply.body.message.id, aReply.body.message.id);
    t.equal(bReply.body.message.conversationId, convB);
    // Two agents of A with the same clientId are two senders.
    const agentReply = await s.request('POST', `/api/v1/inbox/conversations/${convA}/messages`, { token: agentA.token, body: { content: 'from A\'s agent', clientId: agentClientId } });
    t.equal(agentReply.status, 201);

    // appId of B with A's visitor token: a new visitor of B, not A's.
    const cross = await s.request('POST', '/api/v1/widget/init', { body: { appId: B.site.appId, visitorToken: vA2.token } });
    t.equal(cross.status, 200);
    t.not(cross.body.visitor.id, vA2.id);
    t.same(cross.body.conversations, []);
    // A's visitor token in the header of an init for B changes nothing either.
    const crossHeader = await s.request('POST', '/api/v1/widget/init', { token: vA2.token, body: { appId: B.site.appId } });
    t.not(crossHeader.body.visitor.id, vA2.id);

    // Filters and references by id never reach into another tenant.
    const bySite = await s.request('GET', `/api/v1/inbox/conversations?siteId=${B.site.id}`, { token: A.owner.token });
    t.same(bySite.body.conversations, [], 'siteId of B in A\'s inbox: empty');
    const byAssignee = await s.request('GET', `/api/v1/inbox/conversations?assignee=${B.owner.userId}`, { token: A.owner.token });
    t.same(byAssignee.body.conversations, []);
    const onlineB = await s.request('GET', `/api/v1/inbox/visitors/online?siteId=${A.site.id}`, { token: B.owner.token });
    t.same(onlineB.body.visitors, []);
    isProblem(t, await s.request('PATCH', `/api/v1/inbox/conversations/${convA}`, { token: A.owner.token, body: { assigneeId: B.owner.userId } }), 400, 'assigning to B\'s user');
    isProblem(t, await s.request('POST', `/api/v1/inbox/conversations/${convA}/read`, { token: A.owner.token, body: { messageId: sentB.message.id } }), 404, 'read receipt with B\'s message id');
    isProblem(t, await s.request('GET', `/api/v1/inbox/conversations/${convA}/messages?after=${sentB.message.id}`, { token: A.owner.token }), (x) => x >= 400 && x < 500, 'after= B\'s message');
    isProblem(t, await s.request('GET', `/api/v1/inbox/visitors/${vB.id}`, { token: A.owner.token }), 404, 'B\'s visitor from A');
    isProblem(t, await s.request('POST', `/api/v1/widget/conversations/${convA2}/read`, { token: vA2.token, body: { messageId: sentA.message.id } }), 404, 'widget read with a message of another visitor\'s conversation');
    const ownB = await s.request('GET', '/api/v1/inbox/conversations', { token: B.owner.token });
    t.ok(ownB.body.conversations.some((c: { id: string }) => c.id === convB), 'B\'s inbox has B\'s conversation');
    t.same(ownB.body.conversations.filter((c: { siteId: string; visitorId: string }) => c.siteId !== B.site.id || c.visitorId !== vB.id), [], 'and only conversations of B\'s site and visitor');
    const ownA = await s.request('GET', '/api/v1/inbox/conversations?limit=100', { token: agentA.token });
    t.notOk(ownA.body.conversations.some((c: { id: string }) => c.id === convB), 'A\'s inbox never lists B\'s conversation');
  });
});
