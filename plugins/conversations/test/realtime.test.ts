import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { reply, send, startServer, visitor, world, sleep } from './helpers.js';

/** The HTTP status of a refused upgrade (null when the socket opened). */
async function refusal(p: Promise<{ close(): void }>): Promise<number | null> {
  try {
    (await p).close();
    return null;
  } catch (err) {
    return (err as { statusCode?: number }).statusCode ?? -1;
  }
}

t.test('realtime protocol', async (t) => {
  const s = await startServer();
  t.teardown(() => s.close());
  const w = await world(s);
  const other = await world(s);

  t.test('a bad or missing token is refused on the upgrade', async (t) => {
    t.equal(await refusal(connectSocket(s.url, 'not-a-token')), 401);
    t.equal(await refusal(connectSocket(s.url, null)), 401);
  });

  t.test('browsers may authenticate with the charla.token subprotocol', async (t) => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/realtime`, ['charla', `charla.token.${w.agent.token}`]);
    await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
    t.equal(ws.protocol, 'charla', 'the server answers the "charla" subprotocol, not the token');
    ws.send(JSON.stringify({ op: 'subscribe', channel: `account:${w.agent.accountId}` }));
    // Events of the channel (this agent's own agent:online, say) may arrive before the reply.
    const frame = await new Promise<{ op: string; channel?: string }>((resolve) => {
      const onMessage = (d: unknown) => {
        const f = JSON.parse(String(d)) as { op: string; channel?: string };
        if (f.op === 'event') return;
        ws.off('message', onMessage);
        resolve(f);
      };
      ws.on('message', onMessage);
    });
    t.same(frame, { op: 'subscribed', channel: `account:${w.agent.accountId}` });
    ws.close();
  });

  t.test('agent sockets from a foreign browser Origin are refused', async (t) => {
    t.equal(await refusal(connectSocket(s.url, w.agent.token, { headers: { origin: 'https://evil.example' } })), 403);
    t.equal(await refusal(connectSocket(s.url, w.agent.token, { headers: { origin: 'http://localhost:3000' } })), null, 'PUBLIC_URL origin accepted');
    t.equal(await refusal(connectSocket(s.url, w.agent.token, { headers: { origin: 'http://127.0.0.1:3000' } })), null, 'the other loopback spelling of a local PUBLIC_URL too');
    t.equal(await refusal(connectSocket(s.url, w.agent.token, { headers: { origin: 'http://127.0.0.1:4000' } })), 403, 'but not another port');
  });

  t.test('ping → pong; malformed frames get an error frame and the socket stays usable', async (t) => {
    const a = await connectSocket(s.url, w.agent.token);
    a.send('{not json');
    await a.waitFor((f) => f.op === 'error' && f.code === 'bad_frame');
    a.send({ op: 'nonsense' });
    await a.waitFor((f) => f.op === 'error' && f.code === 'unknown_op');
    a.send({ op: 'subscribe', channel: 42 });
    await a.waitFor((f) => f.op === 'error' && /channel/.test(f.detail ?? ''));
    a.send({ op: 'ping' });
    await a.waitFor((f) => f.op === 'pong');
    t.equal(a.ws.readyState, 1, 'still open after bad frames');
    a.close();
  });

  t.test('subscriptions are authorized', async (t) => {
    const v = await visitor(s, w.site.appId);
    const v2 = await visitor(s, w.site.appId);
    const sent = await send(s, v.token, 'hello');
    const conv = sent.conversation.id;
    const a = await connectSocket(s.url, w.agent.token);
    const b = await connectSocket(s.url, other.agent.token);
    const vs = await connectSocket(s.url, v.token);
    const vs2 = await connectSocket(s.url, v2.token);
    const expect = async (sock: typeof a, channel: string, ok: boolean) => {
      sock.send({ op: 'subscribe', channel });
      const f = await sock.waitFor((x) => x.channel === channel && (x.op === 'subscribed' || x.op === 'error'));
      t.equal(f.op, ok ? 'subscribed' : 'error', `${channel} → ${ok ? 'allowed' : 'forbidden'}`);
      if (!ok) t.equal(f.code, 'forbidden');
    };
    await expect(a, `account:${w.agent.accountId}`, true);
    await expect(a, `conversation:${conv}`, true);
    await expect(a, `visitor:${v.id}`, true);
    await expect(b, `account:${w.agent.accountId}`, false);
    await expect(b, `conversation:${conv}`, false);
    await expect(b, `visitor:${v.id}`, false);
    await expect(vs, `visitor:${v.id}`, true);
    await expect(vs, `conversation:${conv}`, true);
    await expect(vs, `account:${w.agent.accountId}`, false);
    await expect(vs2, `visitor:${v.id}`, false);
    await expect(vs2, `conversation:${conv}`, false);
    await expect(vs, 'nokind:123', false);
    await expect(vs, 'conversation:', false);
    for (const x of [a, b, vs, vs2]) x.close();
  });

  t.test('message:new reaches the account, conversation and visitor channels; private notes only agents', async (t) => {
    const v = await visitor(s, w.site.appId);
    const first = await send(s, v.token, 'first');
    const conv = first.conversation.id;
    const a = await connectSocket(s.url, w.agent.token);
    a.send({ op: 'subscribe', channel: `account:${w.agent.accountId}` });
    a.send({ op: 'subscribe', channel: `conversation:${conv}` });
    const vs = await connectSocket(s.url, v.token);
    vs.send({ op: 'subscribe', channel: `visitor:${v.id}` });
    vs.send({ op: 'subscribe', channel: `conversation:${conv}` });
    await a.waitFor((f) => f.op === 'subscribed' && f.channel === `conversation:${conv}`);
    await vs.waitFor((f) => f.op === 'subscribed' && f.channel === `conversation:${conv}`);

    const m = await send(s, v.token, 'second');
    const onAccount = await a.waitFor((f) => f.event === 'message:new' && f.channel === `account:${w.agent.accountId}` && f.data.message.id === m.message.id);
    t.equal(onAccount.data.conversation.id, conv);
    t.equal(onAccount.data.message.seq, 2);
    await a.waitFor((f) => f.event === 'message:new' && f.channel === `conversation:${conv}` && f.data.message.id === m.message.id);

    const note = await reply(s, w.agent.token, conv, 'internal note', true);
    const pub = await reply(s, w.agent.token, conv, 'public answer');
    await a.waitFor((f) => f.event === 'message:new' && f.channel === `account:${w.agent.accountId}` && f.data.message.id === note.message.id);
    await a.waitFor((f) => f.event === 'message:new' && f.channel === `conversation:${conv}` && f.data.message.id === note.message.id);
    await vs.waitFor((f) => f.event === 'message:new' && f.channel === `visitor:${v.id}` && f.data.message.id === pub.message.id);
    await vs.waitFor((f) => f.event === 'message:new' && f.channel === `conversation:${conv}` && f.data.message.id === pub.message.id);
    await sleep(150);
    t.notOk(vs.frames.some((f) => JSON.stringify(f).includes('internal note')), 'the visitor never sees the private note');
    const visitorConv = vs.frames.find((f) => f.event === 'message:new' && f.data.message.id === pub.message.id).data.conversation;
    t.notOk('tags' in visitorConv || 'assigneeId' in visitorConv, 'visitors get the visitor view of the conversation');
    a.close();
    vs.close();
  });

  t.test('typing goes to the conversation channel; agent typing reaches visitors and other agents', async (t) => {
    const v = await visitor(s, w.site.appId);
    const { conversation } = await send(s, v.token, 'typing test');
    const ch = `conversation:${conversation.id}`;
    const a1 = await connectSocket(s.url, w.agent.token);
    const a2 = await connectSocket(s.url, w.agent.token);
    const vs = await connectSocket(s.url, v.token);
    for (const x of [a1, a2, vs]) x.send({ op: 'subscribe', channel: ch });
    for (const x of [a1, a2, vs]) await x.waitFor((f) => f.op === 'subscribed');
    a1.send({ op: 'typing', conversationId: conversation.id, typing: true });
    const seenByVisitor = await vs.waitFor((f) => f.event === 'agent:typing');
    t.same(seenByVisitor.data, { conversationId: conversation.id, typing: true, userId: w.agent.userId, name: 'Owner' });
    await a2.waitFor((f) => f.event === 'agent:typing' && f.data.typing === true);
    vs.send({ op: 'typing', conversationId: conversation.id, typing: true });
    const seenByAgent = await a1.waitFor((f) => f.event === 'visitor:typing');
    t.same(seenByAgent.data, { conversationId: conversation.id, typing: true });
    const other2 = await connectSocket(s.url, other.agent.token);
    other2.send({ op: 'typing', conversationId: conversation.id, typing: true });
    await other2.waitFor((f) => f.op === 'error' && f.code === 'forbidden');
    for (const x of [a1, a2, vs, other2]) x.close();
  });

  t.test('read receipts are stored and announced', async (t) => {
    const v = await visitor(s, w.site.appId);
    const { conversation } = await send(s, v.token, 'read test');
    const r = await reply(s, w.agent.token, conversation.id, 'have you read this?');
    const a = await connectSocket(s.url, w.agent.token);
    a.send({ op: 'subscribe', channel: `conversation:${conversation.id}` });
    await a.waitFor((f) => f.op === 'subscribed');
    const vs = await connectSocket(s.url, v.token);
    vs.send({ op: 'read', conversationId: conversation.id, messageId: r.message.id });
    const f = await a.waitFor((x) => x.event === 'message:read');
    t.same(f.data, { conversationId: conversation.id, messageId: r.message.id, by: 'visitor' });
    const hist = await s.request('GET', `/api/v1/widget/conversations/${conversation.id}/messages`, { token: v.token });
    t.ok(hist.body.messages.find((m: { id: string }) => m.id === r.message.id).readAt, 'readAt is stored');
    a.close();
    vs.close();
  });

  t.test('visitor presence: visitor:online / visitor:offline on the account channel', async (t) => {
    const v = await visitor(s, w.site.appId);
    const a = await connectSocket(s.url, w.agent.token);
    a.send({ op: 'subscribe', channel: `account:${w.agent.accountId}` });
    await a.waitFor((f) => f.op === 'subscribed');
    const vs1 = await connectSocket(s.url, v.token);
    const on = await a.waitFor((f) => f.event === 'visitor:online' && f.data.visitor.id === v.id);
    t.equal(on.data.siteId, w.site.id);
    const online = await s.request('GET', '/api/v1/inbox/visitors/online', { token: w.agent.token });
    t.ok(online.body.visitors.some((x: { id: string }) => x.id === v.id), 'listed as online');
    const vs2 = await connectSocket(s.url, v.token);
    vs1.close();
    await sleep(200);
    t.notOk(a.frames.some((f) => f.event === 'visitor:offline' && f.data.visitor.id === v.id), 'still online while another tab is open');
    vs2.close();
    await a.waitFor((f) => f.event === 'visitor:offline' && f.data.visitor.id === v.id);
    a.close();
  });

  t.test('agents viewing a conversation are shown to its visitor', async (t) => {
    const v = await visitor(s, w.site.appId);
    const { conversation } = await send(s, v.token, 'anyone there?');
    const ch = `conversation:${conversation.id}`;
    const vs = await connectSocket(s.url, v.token);
    vs.send({ op: 'subscribe', channel: ch });
    await vs.waitFor((f) => f.event === 'conversation:presence' && f.data.agents.length === 0);
    const a = await connectSocket(s.url, w.agent.token);
    a.send({ op: 'subscribe', channel: ch });
    const p = await vs.waitFor((f) => f.event === 'conversation:presence' && f.data.agents.length === 1);
    t.same(p.data.agents, [{ id: w.agent.userId, name: 'Owner' }]);
    a.close();
    await vs.waitFor((f) => f.event === 'conversation:presence' && f.data.agents.length === 0 && f !== p);
    vs.close();
  });

  t.test('conversation:updated reaches agents and the visitor', async (t) => {
    const v = await visitor(s, w.site.appId);
    const { conversation } = await send(s, v.token, 'close me');
    const vs = await connectSocket(s.url, v.token);
    vs.send({ op: 'subscribe', channel: `visitor:${v.id}` });
    await vs.waitFor((f) => f.op === 'subscribed');
    const a = await connectSocket(s.url, w.agent.token);
    a.send({ op: 'subscribe', channel: `account:${w.agent.accountId}` });
    await a.waitFor((f) => f.op === 'subscribed');
    const r = await s.request('PATCH', `/api/v1/inbox/conversations/${conversation.id}`, { token: w.agent.token, body: { status: 'closed', assigneeId: w.agent.userId } });
    t.equal(r.status, 200);
    const fa = await a.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.id === conversation.id);
    t.same(fa.data.changes.status, 'closed');
    t.equal(fa.data.conversation.assigneeId, w.agent.userId);
    const fv = await vs.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.id === conversation.id);
    t.equal(fv.data.conversation.status, 'closed');
    t.same(fv.data.conversation.assignee, { id: w.agent.userId, name: 'Owner' });
    a.close();
    vs.close();
  });

  t.test('revocation: logout closes that session\'s sockets with 4401', async (t) => {
    const login = await s.request('POST', '/api/v1/auth/login', { body: { email: (await s.request('GET', '/api/v1/auth/me', { token: w.agent.token })).body.user.email, password: 'x' } });
    t.equal(login.status, 401, 'wrong password refused');
    const extra = await (await import('@charla/core/testing')).signup(s);
    const sock = await connectSocket(s.url, extra.token);
    const out = await s.request('POST', '/api/v1/auth/logout', { token: extra.token });
    t.equal(out.status, 204);
    const closed = await sock.closed;
    t.equal(closed.code, 4401);
  });

  t.test('identify rotates the visitor token: sockets with the old one close', async (t) => {
    const v = await visitor(s, w.site.appId);
    const sock = await connectSocket(s.url, v.token);
    const r = await s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { email: 'rotate@example.com' } });
    t.equal(r.status, 200);
    t.equal((await sock.closed).code, 4401);
    const fresh = await connectSocket(s.url, r.body.visitorToken);
    fresh.close();
  });
});

t.test('limits: oversized frames close 1009, floods close 1008', async (t) => {
  const s = await startServer({ config: { realtime: { maxPayloadBytes: 64 * 1024, maxFramesPerSecond: 20, idleTimeoutSeconds: 60, presenceTtlSeconds: 45, allowedAgentOrigins: [] } } });
  t.teardown(() => s.close());
  const w = await world(s);
  const big = await connectSocket(s.url, w.agent.token);
  big.ws.on('error', () => undefined);
  big.send({ op: 'ping', pad: 'x'.repeat(1024 * 1024) });
  t.equal((await big.closed).code, 1009);
  const flood = await connectSocket(s.url, w.agent.token);
  for (let i = 0; i < 200; i++) flood.send({ op: 'ping' });
  t.equal((await flood.closed).code, 1008);
  const polite = await connectSocket(s.url, w.agent.token);
  for (let i = 0; i < 10; i++) {
    polite.send({ op: 'ping' });
    await sleep(60);
  }
  await polite.waitFor(() => polite.frames.filter((f) => f.op === 'pong').length === 10);
  t.equal(polite.ws.readyState, 1, 'a client within the rate stays connected');
  polite.close();
});

t.test('agent presence: agent:online / agent:offline once per agent, however many devices', async (t) => {
  const { startSmtpServer } = await import('@charla/core/testing');
  const smtp = await startSmtpServer();
  const s = await startServer({ config: { smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const w = await world(s);
  const email = `ana-${Date.now()}@example.com`;
  t.equal((await s.request('POST', '/api/v1/team/invitations', { token: w.agent.token, body: { email, role: 'agent' } })).status, 201);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const ana = await s.request('POST', '/api/v1/auth/invitations/accept', { body: { token, name: 'Ana', password: 'ana-secret-pw' } });
  t.equal(ana.status, 201);

  const watcher = await connectSocket(s.url, w.agent.token);
  watcher.send({ op: 'subscribe', channel: `account:${w.agent.accountId}` });
  await watcher.waitFor((f) => f.op === 'subscribed');
  const phone = await connectSocket(s.url, ana.body.token);
  await watcher.waitFor((f) => f.event === 'agent:online' && f.data.userId === ana.body.user.id);
  const laptop = await connectSocket(s.url, ana.body.token);
  await sleep(150);
  phone.close();
  await sleep(150);
  t.equal(watcher.frames.filter((f) => f.event === 'agent:offline' && f.data.userId === ana.body.user.id).length, 0, 'still online on the laptop');
  laptop.close();
  const off = await watcher.waitFor((f) => f.event === 'agent:offline' && f.data.userId === ana.body.user.id);
  t.same(off.data, { userId: ana.body.user.id, name: 'Ana' });
  const anas = watcher.frames.filter((f) => (f.event === 'agent:online' || f.event === 'agent:offline') && f.data.userId === ana.body.user.id);
  t.same(anas.map((f) => f.event), ['agent:online', 'agent:offline'], 'two devices, one online and one offline event');
  watcher.close();
});
