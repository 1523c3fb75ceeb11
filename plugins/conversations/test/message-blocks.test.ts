import t from 'tap';
import { RESPONDER_ORDER, Type, definePlugin } from '@charla/core';
import conversations from '../src/server/index.js';
import { RESPOND_JOB } from '../src/server/responders.js';
import { send, startServer, visitor, world } from './helpers.js';

// Message blocks owned by a plugin: checked against its schema when stored, pressed
// through the widget's postback route, which becomes a visitor message and a
// message.postback event for the owner.
const Card = Type.Object({
  type: Type.Literal('card'),
  title: Type.String({ maxLength: 50 }),
  buttons: Type.Optional(Type.Array(Type.Object({ id: Type.String(), label: Type.String() }))),
});

t.test('blocks are validated on write and a button press is a visitor message and an event', async (t) => {
  const postbacks: Array<Record<string, unknown>> = [];
  const cards = definePlugin({
    name: 'test-cards', version: '1.0.0', dependsOn: ['conversations'],
    blocks: { card: Card },
    events: { 'message.postback': (p) => void postbacks.push(p) },
    responder: {
      order: RESPONDER_ORDER.rules,
      async respond(turn, api) {
        if (turn.content === 'menu') await api.reply('Pick one', { metadata: { blocks: [{ type: 'card', title: 'Plans', buttons: [{ id: 'pro', label: '<img src=x onerror=alert(1)> Pro' }] }] } });
      },
    },
  });
  const s = await startServer({ plugins: [conversations, cards] });
  t.teardown(() => s.close());
  const { events, jobs, messages } = s.app.charla.container.cradle;
  const settle = async () => {
    await events.drain();
    await jobs.runDue([RESPOND_JOB]);
    await jobs.idle();
    await events.drain();
  };
  const w = await world(s);
  const v = await visitor(s, w.site.appId);
  const asked = await send(s, v.token, 'menu');
  const conv = asked.conversation.id;
  await settle();
  const history = (await s.request('GET', `/api/v1/widget/conversations/${conv}/messages`, { token: v.token })).body.messages;
  const menu = history[1];
  t.match(menu, { senderType: 'bot', metadata: { blocks: [{ type: 'card', title: 'Plans' }] } }, 'a valid block is stored with the bot message');

  const post = (blocks: unknown) => messages.post({ accountId: w.agent.accountId, conversationId: conv, senderType: 'bot', senderId: null, content: 'x', metadata: { blocks } });
  await t.rejects(post([{ type: 'nope' }]), { code: 'CHARLA_CONVERSATIONS_BAD_BLOCKS', statusCode: 400, message: /unknown block type "nope"/ }, 'an undeclared block type is refused');
  await t.rejects(post([{ type: 'card', title: 'x'.repeat(51) }]), { code: 'CHARLA_CONVERSATIONS_BAD_BLOCKS', message: /blocks\[0\] \(card\)\/title/ }, 'a block is checked against its owner\'s schema');
  await t.rejects(post([{ type: 'card', title: 'a', buttons: [{ id: 'b', label: '1' }] }, { type: 'card', title: 'b', buttons: [{ id: 'b', label: '2' }] }]), { message: /button id "b" is used twice/ }, 'button ids are unique in a message');
  await t.rejects(post({ type: 'card' }), { message: /must be a list/ });

  const press = (body: Record<string, unknown>, token = v.token, id = conv) => s.request('POST', `/api/v1/widget/conversations/${id}/postback`, { token, body });
  const bad = await press({ messageId: menu.id, buttonId: 'free' });
  t.equal(bad.status, 400, 'a button the message does not have is a 400');
  t.match(bad.headers['content-type'], /problem\+json/);
  t.match(bad.body, { code: 'CHARLA_CONVERSATIONS_BAD_POSTBACK', detail: /no button "free"/ });
  t.equal((await press({ messageId: asked.message.id, buttonId: 'pro' })).status, 400, 'a message without blocks has nothing to press');
  t.equal((await press({ messageId: 'missing', buttonId: 'pro' })).status, 404);
  const other = await visitor(s, w.site.appId);
  t.equal((await press({ messageId: menu.id, buttonId: 'pro' }, other.token)).status, 404, 'another visitor cannot press it');

  const ok = await press({ messageId: menu.id, buttonId: 'pro' });
  t.equal(ok.status, 201);
  t.match(ok.body.message, { senderType: 'visitor', content: '<img src=x onerror=alert(1)> Pro', metadata: { postback: { messageId: menu.id, buttonId: 'pro', blockType: 'card' } } }, 'the press is the visitor\'s message: the label as plain text');
  const again = await press({ messageId: menu.id, buttonId: 'pro' });
  t.equal(again.status, 200, 'pressing again repeats nothing');
  t.equal(again.body.message.id, ok.body.message.id);
  await settle();
  t.same(postbacks, [{ accountId: w.agent.accountId, conversationId: conv, messageId: ok.body.message.id, sourceMessageId: menu.id, buttonId: 'pro', blockType: 'card', owner: 'test-cards' }], 'the owner handles message.postback once');
});

t.test('two plugins declaring one block type stop the boot', async (t) => {
  const a = definePlugin({ name: 'test-a', version: '1.0.0', blocks: { card: Card } });
  const b = definePlugin({ name: 'test-b', version: '1.0.0', blocks: { card: Card } });
  await t.rejects(startServer({ plugins: [conversations, a, b] }), { name: 'PluginLoadError', message: 'plugin "test-b" declares message block type "card", which plugin "test-a" already declares' });
});
