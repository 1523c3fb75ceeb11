import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { addAgent, conversation, cradle, goOnline, newConversation, replyAs, settle, startEnv, until, world } from './helpers.js';

t.test('routing: least-loaded online agent, away, capacity, queue with positions, next assigned when an agent frees up', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s, { capacity: 1 });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const cal = await addAgent(s, smtp, w, 'Cal');
  // The owner never connects: offline agents get nothing.
  const beaSock = await goOnline(s, bea);
  const calSock = await goOnline(s, cal);
  t.equal((await s.request('PATCH', '/api/v1/inbox/agents/me', { token: cal.token, body: { status: 'away' } })).body.presence, 'away');

  const c1 = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, c1.id)).assigneeId, bea.userId, 'the only online, available agent gets it');
  await beaSock.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.id === c1.id && f.data.changes.assigneeId === bea.userId);
  t.pass('the assignment is seen as conversation:updated on the account channel');

  // Bea is full (capacity 1), Cal is away: the next two wait, in order.
  const c2 = await newConversation(s, w.site.appId);
  const v2 = await connectSocket(s.url, c2.visitor.token);
  v2.send({ op: 'subscribe', channel: `conversation:${c2.id}` });
  await v2.waitFor((f) => f.op === 'subscribed');
  const c3 = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, c2.id)).assigneeId, null);
  t.equal((await conversation(s, bea.token, c3.id)).assigneeId, null);
  const q2 = await s.request('GET', `/api/v1/widget/inbox/queue/${c2.id}`, { token: c2.visitor.token });
  t.same(q2.body, { conversationId: c2.id, position: 1, queueLength: 2 }, 'the visitor sees its place in the queue');
  const q3 = await s.request('GET', `/api/v1/widget/inbox/queue/${c3.id}`, { token: c3.visitor.token });
  t.equal(q3.body.position, 2);
  const st = await s.request('GET', `/api/v1/inbox/conversations/${c3.id}/state`, { token: bea.token });
  t.equal(st.body.queuePosition, 2);
  t.equal((await s.request('GET', `/api/v1/widget/inbox/queue/${c2.id}`, { token: c3.visitor.token })).status, 404, 'another visitor\'s conversation is 404');

  // Cal comes back: the head of the queue goes to Cal; c3 moves up and is told so.
  await s.request('PATCH', '/api/v1/inbox/agents/me', { token: cal.token, body: { status: 'available' } });
  await settle(s);
  t.equal((await conversation(s, cal.token, c2.id)).assigneeId, cal.userId, 'the first waiting conversation goes to the agent who became available');
  t.equal((await conversation(s, cal.token, c3.id)).assigneeId, null);
  await v2.waitFor((f) => f.event === 'inbox:queue' && f.data.position === null);
  t.equal((await s.request('GET', `/api/v1/widget/inbox/queue/${c3.id}`, { token: c3.visitor.token })).body.position, 1);

  // Bea closes hers: the next waiting one is hers.
  t.equal((await s.request('PATCH', `/api/v1/inbox/conversations/${c1.id}`, { token: bea.token, body: { status: 'closed' } })).status, 200);
  await settle(s);
  t.equal((await conversation(s, bea.token, c3.id)).assigneeId, bea.userId, 'an agent who frees a slot gets the next in the queue');

  // Raising a capacity lets an agent take more at once.
  const c4 = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, c4.id)).assigneeId, null, 'everyone is full');
  const raised = await s.request('PATCH', `/api/v1/inbox/agents/${cal.userId}`, { token: w.owner.token, body: { capacity: 2 } });
  t.equal(raised.status, 200);
  t.equal(raised.body.capacity, 2);
  t.equal((await conversation(s, bea.token, c4.id)).assigneeId, cal.userId, 'raising a capacity assigns the next waiting conversation');
  t.equal((await s.request('PATCH', `/api/v1/inbox/agents/${cal.userId}`, { token: bea.token, body: { capacity: 9 } })).status, 403, 'agents cannot change capacities');

  // The presence board and the agent list count them.
  const board = await s.request('GET', '/api/v1/inbox/presence', { token: bea.token });
  const byId = Object.fromEntries(board.body.agents.map((a: { userId: string }) => [a.userId, a]));
  t.equal(byId[w.owner.userId].presence, 'offline');
  t.equal(byId[bea.userId].presence, 'online');
  t.equal(byId[bea.userId].openCount, 1);
  t.equal(byId[cal.userId].openCount, 2);
  t.equal(board.body.sites[0].id, w.site.id);

  beaSock.close();
  calSock.close();
  v2.close();
});

t.test('routing: load spreads evenly; ties go to the agent idle longest; unassigning by hand does not bounce back', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s);
  const bea = await addAgent(s, smtp, w, 'Bea');
  const cal = await addAgent(s, smtp, w, 'Cal');
  const socks = [await goOnline(s, bea), await goOnline(s, cal)];
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await newConversation(s, w.site.appId)).id);
  const owners = await Promise.all(ids.map(async (id) => (await conversation(s, bea.token, id)).assigneeId));
  t.equal(owners.filter((o) => o === bea.userId).length, 2, 'two each');
  t.equal(owners.filter((o) => o === cal.userId).length, 2);
  t.not(owners[0], owners[1], 'alternating while loads tie');

  // Equal loads: the agent who answered most recently is not the idle one.
  const busy = owners[3] === bea.userId ? bea : cal;
  const idle = busy === bea ? cal : bea;
  await replyAs(s, busy, ids[owners.indexOf(busy.userId)]);
  const next = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, next.id)).assigneeId, idle.userId, 'tie goes to the agent idle longest');

  // Unassigning by hand puts it back in the queue for someone else.
  const mine = next.id;
  const un = await s.request('PATCH', `/api/v1/inbox/conversations/${mine}`, { token: idle.token, body: { assigneeId: null } });
  t.equal(un.status, 200);
  await settle(s);
  t.equal((await conversation(s, bea.token, mine)).assigneeId, busy.userId, 'goes to the other agent, not back to the one who let it go');

  // Auto-assignment off: new conversations stay unassigned.
  await s.request('PATCH', '/api/v1/plugins/inbox', { token: w.owner.token, body: { settings: { autoAssign: false } } });
  cradle(s).pluginRegistry.forget(w.owner.accountId);
  const manual = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, manual.id)).assigneeId, null, 'auto-assignment can be turned off');
  for (const x of socks) x.close();
});

t.test('disconnect: after the grace period the agent\'s conversations are reassigned; coming back in time keeps them', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, clock } = env;
  const w = await world(s, { disconnectGraceSeconds: 60 });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const cal = await addAgent(s, smtp, w, 'Cal');
  const beaSock = await goOnline(s, bea);
  const c1 = await newConversation(s, w.site.appId);
  t.equal((await conversation(s, bea.token, c1.id)).assigneeId, bea.userId);
  const calSock = await goOnline(s, cal);

  // A short drop: back within the grace period, nothing moves.
  beaSock.close();
  await until(() => s.request('GET', `/api/v1/inbox/agents/${bea.userId}`, { token: cal.token }), (r) => !!r.body.offlineSince);
  clock.advance(30_000);
  const back = await goOnline(s, bea);
  clock.advance(31_000);
  await settle(s);
  t.equal((await conversation(s, bea.token, c1.id)).assigneeId, bea.userId, 'reconnected within the grace: still hers');

  // Gone for good: reassigned to Cal once the grace is over, not before.
  back.close();
  await until(() => s.request('GET', `/api/v1/inbox/agents/${bea.userId}`, { token: cal.token }), (r) => !!r.body.offlineSince);
  clock.advance(59_000);
  await settle(s);
  t.equal((await conversation(s, cal.token, c1.id)).assigneeId, bea.userId, 'not before the grace period');
  clock.advance(2_000);
  await settle(s);
  t.equal((await conversation(s, cal.token, c1.id)).assigneeId, cal.userId, 'reassigned to the online agent after the grace period');
  await calSock.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.id === c1.id && f.data.changes.assigneeId === cal.userId);

  // "queue" mode with nobody else online: it waits unassigned.
  await s.request('PATCH', '/api/v1/plugins/inbox', { token: w.owner.token, body: { settings: { onAgentDisconnect: 'queue' } } });
  cradle(s).pluginRegistry.forget(w.owner.accountId);
  calSock.close();
  await until(() => s.request('GET', `/api/v1/inbox/agents/${cal.userId}`, { token: bea.token }), (r) => !!r.body.offlineSince);
  clock.advance(61_000);
  await settle(s);
  t.equal((await conversation(s, cal.token, c1.id)).assigneeId, null, 'returned to the queue');
  const again = await goOnline(s, bea);
  await settle(s);
  t.equal((await conversation(s, cal.token, c1.id)).assigneeId, bea.userId, 'an agent coming online takes the waiting conversation');
  again.close();
});
