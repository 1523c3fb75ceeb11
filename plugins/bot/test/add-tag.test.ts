import t from 'tap';
import { startTestServer } from '@charla/core/testing';
import tags from '@charla/plugin-tags';
import { bot, conversations, knowledgeBase, rule, say, settle, visitor, world } from './helpers.js';

t.test('add_tag: with the tags plugin on, a matching rule tags the conversation (one tags_changed, by the system); the test console only reports it', async (t) => {
  const s = await startTestServer({ plugins: [conversations, knowledgeBase, bot, tags] });
  t.teardown(() => s.close());
  const w = await world(s);
  const changes: Array<{ tags: string[]; actorId: string | null }> = [];
  s.app.charla.container.cradle.events.on('conversation.tags_changed', 'add-tag-test', (p) => void changes.push({ tags: p.tags, actorId: p.actorId }));
  await rule(s, w.token, { name: 'Precios', trigger: 'message', conditions: { keywords: ['precio'] }, actions: [{ type: 'add_tag', tag: 'Ventas' }, { type: 'reply', content: 'Te paso con ventas.' }] });

  const tried = await s.request('POST', '/api/v1/bot/test', { token: w.token, body: { content: '¿Qué precio tiene?' } });
  t.equal(tried.status, 200, tried.text);
  t.same(tried.body.effects, [{ type: 'add_tag', detail: { tag: 'Ventas' } }], 'the console says what it would tag');

  const v = await visitor(s, w.site.appId);
  const other = await say(s, v.token, 'hola');
  await settle(s);
  t.same(changes, [], 'a message that matches no rule tags nothing (and the console tagged nothing)');
  await say(s, v.token, 'el precio por favor', other.conversation.id);
  await settle(s);
  const listed = await s.request('GET', `/api/v1/inbox/conversations?tag=Ventas`, { token: w.token });
  t.equal(listed.status, 200, listed.text);
  t.same(listed.body.conversations.map((c: { id: string }) => c.id), [other.conversation.id], 'the inbox finds the conversation by its new tag');
  t.same(changes, [{ tags: ['Ventas'], actorId: null }], 'one change, by the system');
});

t.test('add_tag without the tags plugin is refused when saved, naming the plugin', async (t) => {
  const s = await startTestServer({ plugins: [conversations, knowledgeBase, bot] });
  t.teardown(() => s.close());
  const w = await world(s);
  const r = await s.request('POST', '/api/v1/bot/rules', { token: w.token, body: { name: 'x', trigger: 'message', conditions: { keywords: ['a'] }, actions: [{ type: 'add_tag', tag: 'vip' }] } });
  t.equal(r.status, 400);
  t.equal(r.body.code, 'CHARLA_BOT_TAGS_UNAVAILABLE');
  t.match(r.body.detail, /tags plugin/);
});
