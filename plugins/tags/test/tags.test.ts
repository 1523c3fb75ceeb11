import t from 'tap';
import { definePlugin } from '@charla/core';
import { conversation, conversations, isProblem, member, startEnv, tags, world } from './helpers.js';
import { TagsService, type TagsApi } from '../src/server/index.js';

t.test('agents tag and untag conversations; the inbox filters by tag; the event tells who changed what', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s);
  const agent = await member(s, env.smtp, w, 'agent');
  const c1 = await conversation(s, w.site.appId, 'My invoice is wrong');
  const c2 = await conversation(s, w.site.appId, 'Shipping question');
  const c3 = await conversation(s, w.site.appId, 'Another invoice');

  const r1 = await s.request('POST', `/api/v1/tags/conversations/${c1}`, { token: agent.token, body: { add: ['  Billing  ', 'VIP customer'] } });
  t.equal(r1.status, 200, 'an agent tags a conversation');
  t.same(r1.body.tags, ['Billing', 'VIP customer'], 'names trimmed, spelling kept, order of addition');
  const r3 = await s.request('POST', `/api/v1/tags/conversations/${c3}`, { token: agent.token, body: { add: ['billing'] } });
  t.same(r3.body.tags, ['Billing'], 'another spelling of a known tag uses the catalogue\'s');
  await s.request('POST', `/api/v1/tags/conversations/${c2}`, { token: agent.token, body: { add: ['shipping'] } });

  const catalogue = await s.request('GET', '/api/v1/tags', { token: agent.token });
  t.same(catalogue.body.tags.map((x: { name: string }) => x.name), ['Billing', 'shipping', 'VIP customer'], 'used names join the catalogue, by name');
  t.ok(catalogue.body.tags.every((x: { color: string }) => /^#[0-9a-f]{6}$/.test(x.color)), 'each with a colour');

  const view = await s.request('GET', `/api/v1/inbox/conversations/${c1}`, { token: agent.token });
  t.same(view.body.tags, ['Billing', 'VIP customer'], 'the conversation shows its tags');

  const billing = await s.request('GET', '/api/v1/inbox/conversations?tag=Billing', { token: agent.token });
  t.same(billing.body.conversations.map((c: { id: string }) => c.id).sort(), [c1, c3].sort(), 'the inbox list filters by tag');
  const none = await s.request('GET', '/api/v1/inbox/conversations?tag=nothing', { token: agent.token });
  t.same(none.body.conversations, [], 'an unused tag lists nothing');
  const paged = await s.request('GET', '/api/v1/inbox/conversations?tag=Billing&limit=1', { token: agent.token });
  t.equal(paged.body.conversations.length, 1);
  const next = await s.request('GET', `/api/v1/inbox/conversations?tag=Billing&limit=1&cursor=${encodeURIComponent(paged.body.nextCursor)}`, { token: agent.token });
  t.equal(next.body.conversations.length, 1, 'the tag filter keeps through the cursor');
  t.not(next.body.conversations[0].id, paged.body.conversations[0].id);

  const removed = await s.request('POST', `/api/v1/tags/conversations/${c1}`, { token: agent.token, body: { remove: ['vip CUSTOMER'] } });
  t.same(removed.body.tags, ['Billing'], 'removal matches whatever the case');
  const again = await s.request('POST', `/api/v1/tags/conversations/${c1}`, { token: agent.token, body: { add: ['Billing'] } });
  t.same(again.body.tags, ['Billing'], 'adding a tag it has changes nothing');

  // Events: conversation.tags_changed carries the difference and the actor.
  const seen: Array<Record<string, unknown>> = [];
  s.app.charla.container.cradle.events.on('conversation.tags_changed', 'test', (p: Record<string, unknown>) => { seen.push(p); });
  await s.request('POST', `/api/v1/tags/conversations/${c2}`, { token: agent.token, body: { add: ['Urgent'], remove: ['shipping'] } });
  await s.request('POST', `/api/v1/tags/conversations/${c2}`, { token: agent.token, body: { add: ['Urgent'] } });
  t.same(seen, [{ accountId: w.owner.accountId, conversationId: c2, tags: ['Urgent'], added: ['Urgent'], removed: ['shipping'], actorId: agent.userId }], 'one event per real change, none for a no-op');
});

t.test('TagsService: what the bot\'s add_tag calls', async (t) => {
  let service!: TagsApi;
  const probe = definePlugin({ name: 'tag-probe', version: '0.1.0', uses: [TagsService], register(ctx) { service = ctx.services.get(TagsService); } });
  const env = await startEnv({ plugins: [conversations, tags, probe] });
  t.teardown(() => env.close());
  const { s } = env;
  const w = await world(s);
  const other = await world(s);
  const c = await conversation(s, w.site.appId);
  t.same(await service.add(w.owner.accountId, c, ['refund', 'Refund', 'order']), ['refund', 'order'], 'duplicates in one call collapse');
  t.same(await service.remove(w.owner.accountId, c, ['order']), ['refund']);
  await t.rejects(service.add(other.owner.accountId, c, ['x']), { code: 'CHARLA_CONVERSATIONS_CONVERSATION_NOT_FOUND' }, 'another account\'s conversation is not found');
  await t.rejects(service.add(w.owner.accountId, c, ['a,b']), { code: 'CHARLA_TAGS_INVALID' }, 'a comma is refused');
  t.same((await service.list(other.owner.accountId)), [], 'the other account\'s catalogue stays empty');
});

t.test('bad input: clear 400s, never a 500; roles and tenants', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const A = await world(s);
  const B = await world(s);
  const agentA = await member(s, env.smtp, A, 'agent');
  const cA = await conversation(s, A.site.appId);
  const post = (body: unknown, token = agentA.token, id = cA) => s.request('POST', `/api/v1/tags/conversations/${id}`, { token, body });

  for (const [body, why] of [
    [{}, 'nothing to do'], [{ add: [] }, 'an empty list'], [{ add: [''] }, 'an empty name'], [{ add: ['   '] }, 'only spaces'],
    [{ add: ['x'.repeat(41)] }, 'too long'], [{ add: ['a,b'] }, 'a comma'], [{ add: ['bell\u0007here'] }, 'a control character'],
    [{ add: 'billing' }, 'not a list'], [{ add: [7] }, 'not a string'],
    [{ add: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'more than 20 at once'],
  ] as Array<[unknown, string]>) {
    const r = await post(body);
    t.ok(isProblem(r, 400), `${why} → 400 problem (${r.status} ${r.body?.detail ?? ''})`);
  }
  t.same((await s.request('GET', `/api/v1/inbox/conversations/${cA}`, { token: agentA.token })).body.tags, [], 'refused input changed nothing');
  for (let i = 0; i < 2; i++) t.equal((await post({ add: Array.from({ length: 10 }, (_, j) => `n${i}-${j}`) })).status, 200);
  const over = await post({ add: ['one-too-many'] });
  t.ok(isProblem(over, 400, 'CHARLA_TAGS_INVALID') && /at most 20/.test(over.body.detail), 'a 21st tag on a conversation is refused, saying the limit');

  t.ok(isProblem(await post({ add: ['x'] }, B.owner.token), 404), 'B cannot tag A\'s conversation (404)');
  t.ok(isProblem(await post({ add: ['x'] }, agentA.token, 'nope'), 404), 'an unknown id is a 404');
  const bList = await s.request('GET', '/api/v1/inbox/conversations?tag=n0-0', { token: B.owner.token });
  t.same(bList.body.conversations, [], 'B\'s inbox filtered by A\'s tag lists nothing');
  t.same((await s.request('GET', '/api/v1/tags', { token: B.owner.token })).body.tags, [], 'B sees none of A\'s tags');

  // Catalogue management is for admins.
  t.ok(isProblem(await s.request('POST', '/api/v1/tags', { token: agentA.token, body: { name: 'x' } }), 403), 'an agent cannot create tags in the catalogue');
  const created = await s.request('POST', '/api/v1/tags', { token: A.owner.token, body: { name: 'Returns', color: '#AA00FF' } });
  t.equal(created.status, 201);
  t.equal(created.body.color, '#aa00ff');
  t.ok(isProblem(await s.request('POST', '/api/v1/tags', { token: A.owner.token, body: { name: 'RETURNS' } }), 409, 'CHARLA_TAGS_DUPLICATE'), 'a name that exists whatever the case → 409');
  t.ok(isProblem(await s.request('POST', '/api/v1/tags', { token: A.owner.token, body: { name: 'x', color: 'red' } }), 400), 'a colour not #rrggbb → 400');
  t.ok(isProblem(await s.request('PATCH', `/api/v1/tags/${created.body.id}`, { token: B.owner.token, body: { color: '#000000' } }), 404), 'B cannot change A\'s tag');
  const patched = await s.request('PATCH', `/api/v1/tags/${created.body.id}`, { token: A.owner.token, body: { color: '#000000' } });
  t.equal(patched.body.color, '#000000', 'an admin changes the colour');
  t.ok(isProblem(await s.request('DELETE', `/api/v1/tags/${created.body.id}`, { token: B.owner.token }), 404), 'B cannot delete A\'s tag');

  // Deleting a tag takes it off every conversation.
  const cA2 = await conversation(s, A.site.appId);
  await post({ add: ['Returns', 'keep'] }, agentA.token, cA2);
  t.equal((await s.request('DELETE', `/api/v1/tags/${created.body.id}`, { token: A.owner.token })).status, 204);
  t.same((await s.request('GET', `/api/v1/inbox/conversations/${cA2}`, { token: agentA.token })).body.tags, ['keep'], 'the deleted tag is gone from its conversations');
  t.notOk((await s.request('GET', '/api/v1/tags', { token: agentA.token })).body.tags.some((x: { name: string }) => x.name === 'Returns'), 'and from the catalogue');
  t.ok(tags, 'plugin loaded');
});
