import t from 'tap';
import { addAgent, newConversation, startEnv, world } from './helpers.js';

t.test('quick replies: CRUD with /shortcuts, variables filled from the conversation, permissions', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s);
  const bea = await addAgent(s, smtp, w, 'Bea Smith');
  const created = await s.request('POST', '/api/v1/inbox/quick-replies', { token: bea.token, body: { shortcut: '/refund', title: 'Refund', content: 'Hi {{visitor.firstName | there}}, {{agent.firstName}} from {{site.name}} here. Your plan: {{visitor.attributes.plan}}.' } });
  t.equal(created.status, 201);
  t.equal(created.body.shortcut, '/refund');
  t.same(created.body.variables, ['visitor.firstName', 'agent.firstName', 'site.name', 'visitor.attributes.plan']);
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.owner.token, body: { shortcut: 'REFUND', content: 'x' } })).status, 400, 'shortcuts are lowercase');
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.owner.token, body: { shortcut: 'refund', content: 'again' } })).status, 409, 'a shortcut is unique per account');
  const unknown = await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.owner.token, body: { shortcut: 'oops', content: 'Hi {{visitor.password}}' } });
  t.equal(unknown.status, 400);
  t.equal(unknown.body.code, 'CHARLA_INBOX_BAD_TEMPLATE');
  t.match(unknown.body.detail, '{{visitor.password}}');
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.owner.token, body: { shortcut: 'open', content: 'Hi {{visitor.name' } })).status, 400, 'unclosed variable');
  const hello = await s.request('POST', '/api/v1/inbox/quick-replies', { token: w.owner.token, body: { shortcut: 'hello', content: 'Hello {{visitor.name}}!' } });
  t.equal(hello.body.title, 'hello', 'the title defaults to the shortcut');

  const list = await s.request('GET', '/api/v1/inbox/quick-replies?q=/ref', { token: bea.token });
  t.same(list.body.quickReplies.map((q: { shortcut: string }) => q.shortcut), ['/refund'], 'searched by shortcut prefix');
  t.equal((await s.request('GET', '/api/v1/inbox/quick-replies', { token: bea.token })).body.quickReplies.length, 2);

  const anon = await newConversation(s, w.site.appId);
  const known = await newConversation(s, w.site.appId, 'hi', { name: 'Ana Lopez', email: 'ana@example.com', attributes: { plan: 'pro' } });
  const r1 = await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: bea.token, body: { conversationId: known.id, shortcut: '/refund' } });
  t.equal(r1.status, 200);
  t.equal(r1.body.content, 'Hi Ana, Bea from Shop here. Your plan: pro.');
  t.same(r1.body.missing, []);
  const r2 = await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: bea.token, body: { conversationId: anon.id, id: created.body.id } });
  t.equal(r2.body.content, 'Hi there, Bea from Shop here. Your plan: .', 'fallbacks fill unknown values');
  t.same(r2.body.missing, ['visitor.attributes.plan']);
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: bea.token, body: { conversationId: anon.id } })).status, 400, 'id or shortcut is required');
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: bea.token, body: { conversationId: anon.id, shortcut: 'nope' } })).status, 404);

  t.equal((await s.request('PATCH', `/api/v1/inbox/quick-replies/${hello.body.id}`, { token: bea.token, body: { content: 'mine now' } })).status, 403, 'agents change only their own');
  const edit = await s.request('PATCH', `/api/v1/inbox/quick-replies/${created.body.id}`, { token: bea.token, body: { shortcut: 'refunds', content: 'Refunds take 5 days, {{visitor.name | friend}}.' } });
  t.equal(edit.status, 200);
  t.equal(edit.body.shortcut, '/refunds');
  t.equal((await s.request('PATCH', `/api/v1/inbox/quick-replies/${hello.body.id}`, { token: w.owner.token, body: { shortcut: 'refunds' } })).status, 409);
  t.equal((await s.request('GET', `/api/v1/inbox/quick-replies/${created.body.id}`, { token: w.owner.token })).body.content, 'Refunds take 5 days, {{visitor.name | friend}}.');
  t.equal((await s.request('DELETE', `/api/v1/inbox/quick-replies/${created.body.id}`, { token: w.owner.token })).status, 204, 'admins and owners delete any');
  t.equal((await s.request('GET', `/api/v1/inbox/quick-replies/${created.body.id}`, { token: w.owner.token })).status, 404);
});

t.test('tenant matrix and bad input: every inbox route', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const a = await world(s);
  const b = await world(s);
  const conv = await newConversation(s, a.site.appId);
  const otherVisitor = await newConversation(s, b.site.appId);
  const qr = await s.request('POST', '/api/v1/inbox/quick-replies', { token: a.owner.token, body: { shortcut: 'a', content: 'A only' } });
  const day = new Date().toISOString();

  const agentRoutes: Array<[string, string, unknown?]> = [
    ['GET', '/api/v1/inbox/agents'], ['GET', '/api/v1/inbox/agents/me'], ['PATCH', '/api/v1/inbox/agents/me', { status: 'away' }],
    ['GET', `/api/v1/inbox/agents/${a.owner.userId}`], ['PATCH', `/api/v1/inbox/agents/${a.owner.userId}`, { capacity: 3 }],
    ['GET', '/api/v1/inbox/presence'], ['GET', '/api/v1/inbox/dashboard'],
    ['GET', '/api/v1/inbox/notifications/preferences'], ['PATCH', '/api/v1/inbox/notifications/preferences', { email: { newMessage: false } }],
    ['GET', `/api/v1/inbox/conversations/${conv.id}/state`], ['GET', '/api/v1/inbox/sla'], ['GET', `/api/v1/inbox/sla/summary?from=${day}`],
    ['GET', '/api/v1/inbox/quick-replies'], ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'zz', content: 'z' }],
    ['POST', '/api/v1/inbox/quick-replies/render', { conversationId: conv.id, id: qr.body.id }],
    ['GET', `/api/v1/inbox/quick-replies/${qr.body.id}`], ['PATCH', `/api/v1/inbox/quick-replies/${qr.body.id}`, { title: 'x' }], ['DELETE', `/api/v1/inbox/quick-replies/${qr.body.id}`],
  ];
  for (const [method, path, body] of agentRoutes) {
    const anon = await s.request(method, path, { body });
    t.equal(anon.status, 401, `anonymous ${method} ${path}`);
    const vis = await s.request(method, path, { token: conv.visitor.token, body });
    t.equal(vis.status, 403, `visitor token ${method} ${path}`);
    if (/[0-9a-f]{8}-[0-9a-f]{4}/.test(path)) {
      const other = await s.request(method, path, { token: b.owner.token, body });
      t.equal(other.status, 404, `another account's id ${method} ${path}`);
      t.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
  }
  t.notOk((await s.request('GET', '/api/v1/inbox/agents', { token: b.owner.token })).body.agents.some((x: { userId: string }) => x.userId === a.owner.userId), 'lists hold only the account\'s own');
  t.equal((await s.request('GET', '/api/v1/inbox/quick-replies', { token: b.owner.token })).body.quickReplies.length, 0, 'none of A\'s quick replies');

  const queue = `/api/v1/widget/inbox/queue/${conv.id}`;
  t.equal((await s.request('GET', queue)).status, 401, 'widget queue: anonymous');
  t.equal((await s.request('GET', queue, { token: a.owner.token })).status, 403, 'widget queue: an agent token');
  t.equal((await s.request('GET', queue, { token: otherVisitor.visitor.token })).status, 404, 'widget queue: another account\'s visitor');
  t.equal((await s.request('GET', queue, { token: conv.visitor.token })).status, 200);

  const bad: Array<[string, string, unknown?, string?]> = [
    ['PATCH', '/api/v1/inbox/agents/me', { status: 'sleeping' }],
    ['PATCH', '/api/v1/inbox/agents/me', { status: ['away'] }],
    ['PATCH', '/api/v1/inbox/agents/me', undefined, '{"status":'],
    ['PATCH', `/api/v1/inbox/agents/${a.owner.userId}`, { capacity: 0 }],
    ['PATCH', `/api/v1/inbox/agents/${a.owner.userId}`, { capacity: 'lots' }],
    ['PATCH', '/api/v1/inbox/notifications/preferences', { email: { newMessage: 'yes' } }],
    ['PATCH', '/api/v1/inbox/notifications/preferences', { email: [] }],
    ['GET', '/api/v1/inbox/sla/summary'],
    ['GET', '/api/v1/inbox/sla/summary?from=yesterday'],
    ['GET', `/api/v1/inbox/sla/summary?from=${day}&to=2000-01-01T00:00:00Z`],
    ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'has space', content: 'x' }],
    ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'ok', content: '' }],
    ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'ok', content: '   ' }],
    ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'ok', content: { text: 'x' } }],
    ['POST', '/api/v1/inbox/quick-replies', { shortcut: 'ok', content: 'x'.repeat(5001) }],
    ['POST', '/api/v1/inbox/quick-replies/render', { conversationId: 42, id: qr.body.id }],
    ['PATCH', `/api/v1/inbox/quick-replies/${qr.body.id}`, { content: null }],
  ];
  for (const [method, path, body, raw] of bad) {
    const r = await s.request(method, path, { token: a.owner.token, body, raw });
    t.equal(r.status, 400, `400 for ${method} ${path} ${raw ?? JSON.stringify(body)}`);
    t.ok(r.body?.code, 'with a problem code');
  }
  t.equal((await s.request('GET', '/api/v1/inbox/agents/not-an-id', { token: a.owner.token })).status, 404);
  t.equal((await s.request('GET', '/api/v1/inbox/conversations/not-an-id/state', { token: a.owner.token })).status, 404);
  t.equal((await s.request('POST', '/api/v1/inbox/quick-replies/render', { token: a.owner.token, body: { conversationId: 'nope', id: qr.body.id } })).status, 404);
  const settings = await s.request('PATCH', '/api/v1/plugins/inbox', { token: a.owner.token, body: { settings: { capacity: 0, priorityRules: [{ attribute: 'plan' }] } } });
  t.equal(settings.status, 400, 'invalid settings are refused');

  const docs = await s.request('GET', '/api/docs/json');
  for (const p of ['/api/v1/inbox/agents/me', '/api/v1/inbox/presence', '/api/v1/inbox/dashboard', '/api/v1/inbox/sla', '/api/v1/inbox/quick-replies/render', '/api/v1/inbox/notifications/preferences', '/api/v1/widget/inbox/queue/{id}']) {
    t.ok(docs.body.paths[p], `${p} is in the OpenAPI document`);
  }
});
