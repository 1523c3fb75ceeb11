import t from 'tap';
import { addMember, createHook, settle, startEnv, until, verify, visitorWrites, world } from './helpers.js';

t.test('conversation.assigned: in the catalogue, and delivered with the full conversation on assign and unassign', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, smtp, receiver } = env;
  const w = await world(s);
  const catalogue = (await s.request('GET', '/api/v1/events/catalogue', { token: w.token })).body;
  const names = (catalogue.events ?? catalogue).map((e: { name: string }) => e.name);
  t.ok(names.includes('conversation.assigned'), 'the catalogue lists conversation.assigned');
  const agent = await addMember(s, smtp, w, 'agent');
  const agentId = (await s.request('GET', '/api/v1/auth/me', { token: agent.token })).body.user.id as string;
  const hook = await createHook(s, w.token, { url: receiver.url, events: ['conversation.assigned'] });
  const { conversationId } = await visitorWrites(s, w.appId);
  await settle(s);
  t.equal(receiver.received.length, 0, 'a new conversation is not an assignment');

  t.equal((await s.request('PATCH', `/api/v1/inbox/conversations/${conversationId}`, { token: w.token, body: { assigneeId: agentId } })).status, 200);
  await settle(s);
  const [assigned] = await until(() => receiver.received, (r) => r.length === 1);
  t.ok(verify(hook.secret, assigned.headers, assigned.body));
  t.match(assigned.json, {
    type: 'conversation.assigned', accountId: w.accountId,
    data: { conversationId, assigneeId: agentId, previousAssigneeId: null, actorId: w.userId, conversation: { id: conversationId, assigneeId: agentId } },
  });

  // Changing only the status is no assignment; unassigning is one (assigneeId null).
  await s.request('PATCH', `/api/v1/inbox/conversations/${conversationId}`, { token: w.token, body: { status: 'pending' } });
  await s.request('PATCH', `/api/v1/inbox/conversations/${conversationId}`, { token: w.token, body: { assigneeId: null } });
  await settle(s);
  const [, unassigned] = await until(() => receiver.received, (r) => r.length === 2);
  await settle(s);
  t.equal(receiver.received.length, 2, 'the status change sent nothing');
  t.match(unassigned.json.data, { assigneeId: null, previousAssigneeId: agentId, conversation: { assigneeId: null, status: 'pending' } });
});
