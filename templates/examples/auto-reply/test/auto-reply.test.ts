import t from 'tap';
import { randomBytes } from 'node:crypto';
import { signup, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import autoReply from '../src/server/index.js';

t.test('auto-reply echoes as a bot, hands off on request, and stops after a human reply', async (t) => {
  const s = await startTestServer({ plugins: [conversations, autoReply] });
  t.teardown(() => s.close());
  const a = await signup(s);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  const { events, jobs } = s.app.charla.container.cradle;
  const settle = async () => {
    await events.drain();
    await jobs.runDue(['conversations.respond']);
    await jobs.idle();
  };
  const start = async () => (await s.request('POST', '/api/v1/widget/init', { body: { appId: site.appId } })).body.visitorToken as string;
  const say = async (token: string, content: string, conversationId?: string) =>
    (await s.request('POST', '/api/v1/widget/messages', { token, body: { content, clientId: randomBytes(6).toString('hex'), conversationId } })).body;
  const thread = async (id: string) =>
    ((await s.request('GET', `/api/v1/inbox/conversations/${id}/messages`, { token: a.token })).body.messages as Array<{ senderType: string; content: string }>)
      .map((m) => `${m.senderType}: ${m.content}`);

  const v = await start();
  const first = await say(v, 'Do you ship to Spain?');
  await settle();
  t.same(await thread(first.conversation.id), ['visitor: Do you ship to Spain?', 'bot: Echo: Do you ship to Spain?']);
  const messages = (await s.request('GET', `/api/v1/widget/conversations/${first.conversation.id}/messages`, { token: v })).body.messages;
  t.same(messages[1].metadata.blocks, [{ type: 'quick-replies', buttons: [{ id: 'human', label: 'Talk to a human' }] }], 'the first answer offers a quick reply');
  await say(v, 'not yet', first.conversation.id);
  await settle();
  t.same((await thread(first.conversation.id)).slice(2), ['visitor: not yet', 'bot: Echo: not yet']);
  const pressed = await s.request('POST', `/api/v1/widget/conversations/${first.conversation.id}/postback`, { token: v, body: { messageId: messages[1].id, buttonId: 'human' } });
  t.equal(pressed.status, 201, 'the visitor presses "Talk to a human"');
  await settle();
  await say(v, 'hello?', first.conversation.id);
  await settle();
  t.same((await thread(first.conversation.id)).slice(4), ['visitor: Talk to a human', 'bot: Connecting you with the team.', 'visitor: hello?'], 'after the hand-off the bot is silent');

  const v2 = await start();
  const second = await say(v2, 'hi');
  await settle();
  await s.request('POST', `/api/v1/inbox/conversations/${second.conversation.id}/messages`, { token: a.token, body: { content: 'Hi, Ana here', clientId: 'a1' } });
  await say(v2, 'thanks', second.conversation.id);
  await settle();
  t.same(await thread(second.conversation.id), ['visitor: hi', 'bot: Echo: hi', 'agent: Hi, Ana here', 'visitor: thanks'], 'an agent reply silences the bot');
});
