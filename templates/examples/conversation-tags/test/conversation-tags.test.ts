import t from 'tap';
import { randomBytes } from 'node:crypto';
import { signup, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import tags from '../src/server/index.js';

t.test('conversation tags', async (t) => {
  const s = await startTestServer({ plugins: [conversations, tags] });
  t.teardown(() => s.close());
  const a = await signup(s);
  const b = await signup(s);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  const init = (await s.request('POST', '/api/v1/widget/init', { body: { appId: site.appId } })).body;
  const say = async (content: string) => (await s.request('POST', '/api/v1/widget/messages', { token: init.visitorToken, body: { content, clientId: randomBytes(6).toString('hex') } })).body;

  const created = await s.request('POST', '/api/v1/conversation-tags', { token: a.token, body: { name: 'Refund', color: '#FF0000', keywords: ['devolución', 'refund'] } });
  t.equal(created.status, 201);
  t.match(created.body, { name: 'Refund', color: '#ff0000' });
  t.equal((await s.request('POST', '/api/v1/conversation-tags', { token: a.token, body: { name: 'Refund', color: '#00ff00' } })).status, 409, 'names are unique per account');
  t.equal((await s.request('POST', '/api/v1/conversation-tags', { token: a.token, body: { name: 'Bad', color: 'red' } })).status, 400, 'colours are #rrggbb');
  t.equal((await s.request('POST', '/api/v1/conversation-tags', { token: b.token, body: { name: 'Refund', color: '#00ff00' } })).status, 201, 'another account may use the same name');
  t.same((await s.request('GET', '/api/v1/conversation-tags', { token: b.token })).body.tags.map((x: { color: string }) => x.color), ['#00ff00'], 'accounts never see each other\'s tags');

  const first = await say('Hola, quiero una devolución');
  await s.app.charla.container.cradle.events.drain();
  const conv = await s.request('GET', `/api/v1/inbox/conversations/${first.conversation.id}`, { token: a.token });
  t.same(conv.body.tags, ['Refund'], 'a keyword in a visitor message tags the conversation (message.created)');

  const vip = (await s.request('POST', '/api/v1/conversation-tags', { token: a.token, body: { name: 'VIP', color: '#0000ff' } })).body;
  const put = await s.request('PUT', `/api/v1/conversation-tags/${vip.id}/conversations/${first.conversation.id}`, { token: a.token });
  t.same(put.body.tags, ['Refund', 'VIP']);
  const del = await s.request('DELETE', `/api/v1/conversation-tags/${vip.id}/conversations/${first.conversation.id}`, { token: a.token });
  t.same(del.body.tags, ['Refund']);
  t.equal((await s.request('PUT', `/api/v1/conversation-tags/${vip.id}/conversations/${first.conversation.id}`, { token: b.token })).status, 404, 'another account cannot tag it');

  await s.request('PATCH', '/api/v1/plugins/conversation-tags', { token: a.token, body: { settings: { autoTag: false } } });
  const second = await s.request('POST', '/api/v1/widget/conversations', { token: init.visitorToken, body: { content: 'refund please', clientId: 'x2' } });
  await s.app.charla.container.cradle.events.drain();
  const conv2 = await s.request('GET', `/api/v1/inbox/conversations/${second.body.conversation.id}`, { token: a.token });
  t.same(conv2.body.tags, [], 'the autoTag setting turns keyword tagging off');
});

t.test('turned off for one account, the plugin tags nothing there and keeps tagging for the others', async (t) => {
  const s = await startTestServer({ plugins: [conversations, tags] });
  t.teardown(() => s.close());
  const tagged = async (who: Awaited<ReturnType<typeof signup>>) => {
    const site = (await s.request('POST', '/api/v1/sites', { token: who.token, body: { name: 'Shop' } })).body;
    const init = (await s.request('POST', '/api/v1/widget/init', { body: { appId: site.appId } })).body;
    const sent = await s.request('POST', '/api/v1/widget/messages', { token: init.visitorToken, body: { content: 'I want a refund', clientId: randomBytes(6).toString('hex') } });
    await s.app.charla.container.cradle.events.drain();
    return (await s.request('GET', `/api/v1/inbox/conversations/${sent.body.conversation.id}`, { token: who.token })).body.tags;
  };
  const a = await signup(s);
  const b = await signup(s);
  for (const who of [a, b]) t.equal((await s.request('POST', '/api/v1/conversation-tags', { token: who.token, body: { name: 'Refund', color: '#ff0000', keywords: ['refund'] } })).status, 201);
  t.equal((await s.request('PATCH', '/api/v1/plugins/conversation-tags', { token: a.token, body: { enabled: false } })).status, 200);
  t.same(await tagged(a), [], "A's message.created does not reach the plugin");
  t.same(await tagged(b), ['Refund'], "B's does");
});
