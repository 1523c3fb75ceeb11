import t from 'tap';
import { backend, connectSocket, createTestStore, requirePart } from '@charla/core/testing';
import { reply, send, startServer, visitor, world } from './helpers.js';

// Two servers sharing PostgreSQL + Redis: what happens on one reaches sockets on the other.
t.test('two instances share events, typing, presence and status', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const s1 = await startServer({ store });
  const s2 = await startServer({ store });
  t.teardown(async () => {
    await s1.close();
    await s2.close();
    await store.cleanup();
  });
  const w = await world(s1);
  const v = await visitor(s1, w.site.appId);

  const agent = await connectSocket(s2.url, w.agent.token); // agent on instance 2
  agent.send({ op: 'subscribe', channel: `account:${w.agent.accountId}` });
  await agent.waitFor((f) => f.op === 'subscribed');
  const vis = await connectSocket(s1.url, v.token); // visitor on instance 1
  vis.send({ op: 'subscribe', channel: `visitor:${v.id}` });
  await vis.waitFor((f) => f.op === 'subscribed');

  const online = await agent.waitFor((f) => f.event === 'visitor:online' && f.data.visitor.id === v.id);
  t.ok(online, 'visitor:online from instance 1 reaches an agent on instance 2');
  const list = await s2.request('GET', '/api/v1/inbox/visitors/online', { token: w.agent.token });
  t.ok(list.body.visitors.some((x: { id: string }) => x.id === v.id), 'instance 2 lists a visitor connected to instance 1');

  const m = await send(s1, v.token, 'hello from instance 1');
  const got = await agent.waitFor((f) => f.event === 'message:new' && f.data.message.id === m.message.id);
  t.equal(got.data.message.content, 'hello from instance 1');

  const conv = m.conversation.id;
  vis.send({ op: 'subscribe', channel: `conversation:${conv}` });
  agent.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await vis.waitFor((f) => f.op === 'subscribed' && f.channel === `conversation:${conv}`);
  await agent.waitFor((f) => f.op === 'subscribed' && f.channel === `conversation:${conv}`);

  const viewing = await vis.waitFor((f) => f.event === 'conversation:presence' && f.data.agents.length === 1);
  t.same(viewing.data.agents.map((a: { id: string }) => a.id), [w.agent.userId], 'the visitor on instance 1 sees the agent viewing from instance 2');
  const agent1 = await connectSocket(s1.url, w.agent.token); // the same agent on a second device, on instance 1
  agent1.send({ op: 'subscribe', channel: `conversation:${conv}` });
  await agent1.waitFor((f) => f.op === 'subscribed');
  agent1.close();
  await vis.waitFor((f) => f.event === 'conversation:presence' && f.data.agents.length === 1 && f !== viewing);
  t.pass('one agent on two instances is listed once, and stays listed when one device leaves');

  const r = await reply(s2, w.agent.token, conv, 'answer from instance 2');
  const back = await vis.waitFor((f) => f.event === 'message:new' && f.data.message.id === r.message.id);
  t.equal(back.data.message.seq, 2, 'seq continues across instances');

  agent.send({ op: 'typing', conversationId: conv, typing: true });
  await vis.waitFor((f) => f.event === 'agent:typing' && f.data.typing === true);
  vis.send({ op: 'typing', conversationId: conv, typing: true });
  await agent.waitFor((f) => f.event === 'visitor:typing' && f.data.typing === true);
  t.pass('typing crosses instances both ways');

  const patch = await s1.request('PATCH', `/api/v1/inbox/conversations/${conv}`, { token: w.agent.token, body: { status: 'pending' } });
  t.equal(patch.status, 200);
  await agent.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.status === 'pending');
  await vis.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.status === 'pending');
  t.pass('status changes cross instances');

  vis.close();
  await agent.waitFor((f) => f.event === 'visitor:offline' && f.data.visitor.id === v.id);
  t.pass('visitor:offline crosses instances');
  agent.close();
});
