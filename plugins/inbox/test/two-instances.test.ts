import t from 'tap';
import { backend, createTestStore, requirePart, startSmtpServer } from '@charla/core/testing';
import { addAgent, cid, conversation, cradle, goOnline, settle, sleep, startEnv, visitor, world } from './helpers.js';

// Two servers sharing PostgreSQL + Redis.
t.test('routing on two instances: agents on both are counted; each conversation is assigned exactly once', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const smtp = await startSmtpServer();
  const e1 = await startEnv({ store, smtp });
  const e2 = await startEnv({ store, smtp });
  t.teardown(async () => {
    await e1.close();
    await e2.close();
    await store.cleanup();
    await smtp.close();
  });
  const [s1, s2] = [e1.s, e2.s];
  const w = await world(s1, { capacity: 3 });
  const bea = await addAgent(s1, smtp, w, 'Bea');
  const cal = await addAgent(s1, smtp, w, 'Cal');
  const beaSock = await goOnline(s1, bea, s1.url); // on instance 1
  const calSock = await goOnline(s2, cal, s2.url); // on instance 2

  for (const s of [s1, s2]) {
    const d = await s.request('GET', '/api/v1/inbox/dashboard', { token: w.owner.token });
    t.equal(d.body.agentsOnline, 2, 'both instances count both agents');
    const board = await s.request('GET', '/api/v1/inbox/presence', { token: w.owner.token });
    t.same(board.body.agents.filter((a: { online: boolean }) => a.online).map((a: { userId: string }) => a.userId).sort(), [bea.userId, cal.userId].sort());
  }

  // Eight visitors write at the same moment, half through each instance.
  const visitors = await Promise.all(Array.from({ length: 8 }, (_, i) => visitor(i % 2 ? s2 : s1, w.site.appId)));
  const sent = await Promise.all(visitors.map((v, i) => (i % 2 ? s2 : s1).request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `hi ${i}`, clientId: cid() } })));
  const ids = sent.map((r) => r.body.conversation.id as string);
  // And every routing trigger fires again on both instances at once.
  await Promise.all([cradle(s1).inboxRouter.route(w.owner.accountId), cradle(s2).inboxRouter.route(w.owner.accountId), cradle(s1).inboxRouter.route(w.owner.accountId), cradle(s2).inboxRouter.route(w.owner.accountId)]);
  await Promise.all([settle(s1), settle(s2)]);
  await sleep(300);

  const owners = await Promise.all(ids.map(async (id) => (await conversation(s1, w.owner.token, id)).assigneeId));
  t.equal(owners.filter((o) => o === bea.userId).length, 3, 'Bea filled to capacity, not beyond');
  t.equal(owners.filter((o) => o === cal.userId).length, 3, 'Cal filled to capacity, not beyond');
  t.equal(owners.filter((o) => o === null).length, 2, 'the rest wait in the queue');
  for (const id of ids) {
    const assigned = beaSock.frames.filter((f) => f.event === 'conversation:updated' && f.data.conversation.id === id && f.data.changes.assigneeId);
    t.ok(assigned.length <= 1, `conversation ${id.slice(-6)} assigned at most once (${assigned.length})`);
  }
  const d = await s2.request('GET', '/api/v1/inbox/dashboard', { token: w.owner.token });
  t.match(d.body, { activeConversations: 8, queueLength: 2, agentsBusy: 2, agentsAvailable: 0 });

  // Bea (instance 1) closes one: exactly one waiting conversation moves, to her.
  const hers = ids[owners.indexOf(bea.userId)];
  await s2.request('PATCH', `/api/v1/inbox/conversations/${hers}`, { token: bea.token, body: { status: 'closed' } });
  await Promise.all([settle(s1), settle(s2), cradle(s1).inboxRouter.route(w.owner.accountId), cradle(s2).inboxRouter.route(w.owner.accountId)]);
  const after = await Promise.all(ids.map(async (id) => (await conversation(s1, w.owner.token, id)).assigneeId));
  t.equal(after.filter((o) => o === null).length, 1, 'one left waiting');
  t.equal(after.filter((o) => o === bea.userId).length, 4, 'three open plus the closed one');
  beaSock.close();
  calSock.close();
});
