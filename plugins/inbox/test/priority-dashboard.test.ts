import t from 'tap';
import { connectSocket } from '@charla/core/testing';
import { DASHBOARD_THROTTLE_MS } from '../src/server/index.js';
import { addAgent, conversation, cradle, goOnline, newConversation, settle, sleep, startEnv, until, visitor, world } from './helpers.js';

t.test('priority rules: matching visitors make conversations high priority, notify agents at once, jump the queue and sort first', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s, { capacity: 1, priorityRules: [{ attribute: 'plan', equals: 'enterprise' }, { attribute: 'email', equals: 'ceo@bigco.com' }] });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const sock = await goOnline(s, bea);
  const busy = await newConversation(s, w.site.appId, 'I take the only slot');
  t.equal((await conversation(s, bea.token, busy.id)).assigneeId, bea.userId);

  const normal = await newConversation(s, w.site.appId, 'normal');
  const vip = await newConversation(s, w.site.appId, 'we pay a lot', { email: 'ops@bigco.com', attributes: { plan: 'Enterprise' } });
  const note = await sock.waitFor((f) => f.event === 'inbox:priority' && f.data.conversationId === vip.id);
  t.equal(note.data.rule, 'plan = enterprise');
  t.equal(note.data.visitor.email, 'ops@bigco.com');
  t.equal((await conversation(s, bea.token, vip.id)).priority, 'high');
  t.equal((await conversation(s, bea.token, normal.id)).priority, 'normal');
  await sock.waitFor((f) => f.event === 'conversation:updated' && f.data.conversation.id === vip.id && f.data.changes.priority === 'high');

  const list = await s.request('GET', '/api/v1/inbox/conversations', { token: bea.token });
  t.equal(list.body.conversations[0].id, vip.id, 'high priority sorts first in the inbox');
  t.equal((await s.request('GET', `/api/v1/widget/inbox/queue/${vip.id}`, { token: vip.visitor.token })).body.position, 1, 'and jumps the queue');
  t.equal((await s.request('GET', `/api/v1/widget/inbox/queue/${normal.id}`, { token: normal.visitor.token })).body.position, 2);

  // Identified later (a rule on a visitor field): the open conversation becomes high priority.
  const later = await newConversation(s, w.site.appId, 'hi');
  const id = await s.request('POST', '/api/v1/widget/identify', { token: later.visitor.token, body: { email: 'ceo@bigco.com' } });
  t.equal(id.status, 200);
  await cradle(s).events.drain();
  await sock.waitFor((f) => f.event === 'inbox:priority' && f.data.conversationId === later.id);
  t.equal((await conversation(s, bea.token, later.id)).priority, 'high');

  // Bea frees her slot: the VIP (first in the queue) is next.
  await s.request('PATCH', `/api/v1/inbox/conversations/${busy.id}`, { token: bea.token, body: { status: 'closed' } });
  await settle(s);
  t.equal((await conversation(s, bea.token, vip.id)).assigneeId, bea.userId);
  t.equal((await conversation(s, bea.token, normal.id)).assigneeId, null);
  sock.close();
});

t.test('dashboard: figures on demand and inbox:dashboard pushed (throttled) when they change', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp } = env;
  const w = await world(s, { capacity: 1 });
  const bea = await addAgent(s, smtp, w, 'Bea');
  const cal = await addAgent(s, smtp, w, 'Cal');
  const empty = await s.request('GET', '/api/v1/inbox/dashboard', { token: w.owner.token });
  t.match(empty.body, { visitorsOnline: 0, activeConversations: 0, agentsOnline: 0, agentsOffline: 3, queueLength: 0 });

  const watch = await goOnline(s, bea);
  const calSock = await goOnline(s, cal);
  await s.request('PATCH', '/api/v1/inbox/agents/me', { token: cal.token, body: { status: 'away' } });
  const v = await visitor(s, w.site.appId);
  const vs = await connectSocket(s.url, v.token);
  await newConversation(s, w.site.appId); // Bea's
  await newConversation(s, w.site.appId); // waits
  await newConversation(s, w.site.appId); // waits
  const figures = await s.request('GET', '/api/v1/inbox/dashboard', { token: bea.token });
  t.match(figures.body, { visitorsOnline: 1, activeConversations: 3, unassignedConversations: 2, queueLength: 2, agentsOnline: 2, agentsAvailable: 0, agentsBusy: 1, agentsAway: 1, agentsOffline: 1 });

  const pushed = await watch.waitFor((f) => f.event === 'inbox:dashboard' && f.data.queueLength === 2 && f.data.visitorsOnline === 1, 4000);
  t.equal(pushed.data.agentsBusy, 1, 'the live event carries the same figures');
  const times = watch.frames.filter((f) => f.event === 'inbox:dashboard').length;
  t.ok(times <= 4, `throttled: ${times} events for a burst of changes`);
  const before = watch.frames.length;
  await sleep(DASHBOARD_THROTTLE_MS + 300);
  t.equal(watch.frames.slice(before).filter((f) => f.event === 'inbox:dashboard').length, 0, 'no event when nothing changed');
  vs.close();
  watch.close();
  calSock.close();
});

t.test('dashboard: a change right after a touch that an older waiting job took is still pushed', async (t) => {
  const env = await startEnv({ jobs: false });
  t.teardown(() => env.close());
  const { s, clock } = env;
  const w = await world(s);
  const watch = await goOnline(s, w.owner);
  t.teardown(() => watch.close());
  await settle(s);
  const { db, events, inboxDashboard, jobs } = cradle(s);
  const waiting = async () => (await db.withoutTenant('test: read jobs', () => jobs.model.findAll({ where: { type: 'inbox.dashboard', status: 'pending' } }))).length;

  clock.advance(5 * DASHBOARD_THROTTLE_MS);
  await inboxDashboard.touch(w.owner.accountId); // queues a run now
  clock.advance(10);
  await inboxDashboard.touch(w.owner.accountId); // the first job still waits and takes this one
  t.equal(await waiting(), 1, 'one waiting job for both touches');
  await jobs.runDue(['inbox.dashboard']); // it runs before the throttled time the second touch asked for
  t.equal(await waiting(), 0);

  // A visitor comes online inside that window: the change must get a run of its own.
  const v = await visitor(s, w.site.appId);
  const vs = await connectSocket(s.url, v.token);
  t.teardown(() => vs.close());
  await until(async () => {
    await events.drain();
    return waiting();
  }, (n) => n === 1, 5000);
  t.pass('the change queued a run of its own');
  clock.advance(2 * DASHBOARD_THROTTLE_MS);
  await jobs.runDue(['inbox.dashboard']);
  const pushed = await watch.waitFor((f) => f.event === 'inbox:dashboard' && f.data.visitorsOnline === 1, 4000);
  t.ok(pushed, 'agents get the figures with the visitor online');
});
