import t from 'tap';
import { RESPONDER_ORDER, definePlugin, type CharlaPlugin, type ResponderTurn } from '@charla/core';
import { createTestStore, type TestServer } from '@charla/core/testing';
import { RESPOND_JOB } from '../src/server/responders.js';
import { reply, send, startServer, visitor, world } from './helpers.js';

// Automated responders through real plugins, the real job queue and the database: order,
// claim, pass, hand-off, silence after a human reply, never answering a bot, at most once
// per visitor message on redelivery and across two instances sharing the store.

/** A responder plugin that records its turns; `decide` says what it does with each. */
function responderPlugin(name: string, order: number, decide: (turn: ResponderTurn) => 'reply' | 'pass' | 'handoff' | 'slow', seen: ResponderTurn[]): CharlaPlugin {
  return definePlugin({
    name, version: '1.0.0', dependsOn: ['conversations'],
    responder: {
      order,
      async respond(turn, api) {
        seen.push(turn);
        const what = decide(turn);
        if (what === 'slow') await new Promise((r) => setTimeout(r, 200));
        if (what === 'reply' || what === 'slow') await api.reply(`${name}: ${turn.content}`, { metadata: { note: 'x' } });
        if (what === 'handoff') await api.handOff();
      },
    },
  });
}

async function settle(...servers: TestServer[]): Promise<void> {
  for (let i = 0; i < 2; i++) {
    for (const s of servers) {
      const { events, jobs } = s.app.charla.container.cradle;
      await events.drain();
      await jobs.runDue([RESPOND_JOB]);
      await jobs.idle();
    }
  }
}

async function messagesOf(s: TestServer, token: string, conversationId: string) {
  const r = await s.request('GET', `/api/v1/inbox/conversations/${conversationId}/messages`, { token });
  return r.body.messages as Array<{ senderType: string; content: string; metadata?: Record<string, unknown> | null }>;
}

t.test('responders answer in order, claim, pass, hand off and fall silent', async (t) => {
  const rulesSeen: ResponderTurn[] = [];
  const aiSeen: ResponderTurn[] = [];
  // Declared AI first: the order, not the declaration, decides.
  const ai = responderPlugin('test-ai', RESPONDER_ORDER.ai, (turn) => (turn.content.includes('human') ? 'handoff' : 'reply'), aiSeen);
  const rules = responderPlugin('test-rules', RESPONDER_ORDER.rules, (turn) => (turn.content.startsWith('rule') ? 'reply' : 'pass'), rulesSeen);
  const s = await startServer({ plugins: [(await import('../src/server/index.js')).default, ai, rules] });
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId);

  const first = await send(s, v.token, 'rule: opening hours?');
  await settle(s);
  let msgs = await messagesOf(s, w.agent.token, first.conversation.id);
  t.same(msgs.map((m) => [m.senderType, m.content]), [['visitor', 'rule: opening hours?'], ['bot', 'test-rules: rule: opening hours?']], 'the rules responder (order 100) answers first, as sender bot');
  t.match(msgs[1].metadata, { responder: 'test-rules', note: 'x' }, 'the bot message names its responder');
  t.equal(aiSeen.length, 0, 'a later responder is not asked once one answered');
  t.equal(rulesSeen[0].claimedBy, null, 'the first turn has no claim yet');

  await send(s, v.token, 'no rule here', first.conversation.id);
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, first.conversation.id);
  t.equal(msgs.length, 3, 'the claiming responder passed: nobody else is asked');
  t.equal(rulesSeen.at(-1)!.claimedBy, 'test-rules', 'the claim is passed to the responder');
  t.equal(aiSeen.length, 0, 'only the claiming responder is asked after a claim');

  // A second conversation: rules pass, AI answers and claims.
  const v2 = await visitor(s, w.site.appId);
  const c2 = await send(s, v2.token, 'hello');
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, c2.conversation.id);
  t.same(msgs.map((m) => m.content), ['hello', 'test-ai: hello'], 'a responder that passes hands the turn to the next in order');
  t.equal(msgs.filter((m) => m.senderType === 'bot').length, 1, 'a bot message is never answered (no loop)');

  await send(s, v2.token, 'a human please', c2.conversation.id);
  await settle(s);
  const afterHandOff = aiSeen.length;
  await send(s, v2.token, 'still there?', c2.conversation.id);
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, c2.conversation.id);
  t.same(msgs.map((m) => m.content), ['hello', 'test-ai: hello', 'a human please', 'still there?'], 'after a hand-off responders are silent');
  t.equal(aiSeen.length, afterHandOff, 'and not even asked');

  // A human reply silences responders.
  const v3 = await visitor(s, w.site.appId);
  const c3 = await send(s, v3.token, 'rule one');
  await settle(s);
  await reply(s, w.agent.token, c3.conversation.id, 'A person here');
  await send(s, v3.token, 'rule two', c3.conversation.id);
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, c3.conversation.id);
  t.same(msgs.map((m) => m.senderType), ['visitor', 'bot', 'agent', 'visitor'], 'once an agent replied, responders stay silent');

  // A responder plugin turned off for the account is passed over.
  await s.request('PATCH', '/api/v1/plugins/test-rules', { token: w.agent.token, body: { enabled: false } });
  const v4 = await visitor(s, w.site.appId);
  const c4 = await send(s, v4.token, 'rule: off?');
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, c4.conversation.id);
  t.same(msgs.map((m) => m.content), ['rule: off?', 'test-ai: rule: off?'], 'a responder whose plugin is off for the account is not asked');
});

t.test('at most once per visitor message: redelivery and a direct job for a bot message', async (t) => {
  const seen: ResponderTurn[] = [];
  const echo = responderPlugin('test-echo', RESPONDER_ORDER.rules, () => 'reply', seen);
  const s = await startServer({ plugins: [(await import('../src/server/index.js')).default, echo] });
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId);
  const m = await send(s, v.token, 'once');
  await settle(s);
  const { jobs } = s.app.charla.container.cradle;
  const payload = { accountId: w.agent.accountId, conversationId: m.conversation.id, messageId: m.message.id };
  // The same turn delivered again (a worker died after running it), twice at once.
  await jobs.enqueue(RESPOND_JOB, payload, { accountId: w.agent.accountId });
  await jobs.enqueue(RESPOND_JOB, payload, { accountId: w.agent.accountId });
  await settle(s);
  let msgs = await messagesOf(s, w.agent.token, m.conversation.id);
  t.same(msgs.map((x) => x.senderType), ['visitor', 'bot'], 'a redelivered turn answers nothing more');
  t.equal(seen.length, 1, 'the responder ran once');

  const bot = (await s.request('GET', `/api/v1/inbox/conversations/${m.conversation.id}/messages`, { token: w.agent.token })).body.messages[1];
  await jobs.enqueue(RESPOND_JOB, { ...payload, messageId: bot.id }, { accountId: w.agent.accountId });
  await settle(s);
  msgs = await messagesOf(s, w.agent.token, m.conversation.id);
  t.equal(msgs.length, 2, 'a turn for a bot message does nothing');
  t.equal(seen.length, 1, 'and asks no responder');
});

t.test('two instances sharing the store answer a visitor message once', async (t) => {
  const store = await createTestStore();
  const seen: ResponderTurn[] = [];
  const conversations = (await import('../src/server/index.js')).default;
  const s1 = await startServer({ store, plugins: [conversations, responderPlugin('test-slow', RESPONDER_ORDER.rules, () => 'slow', seen)] });
  const s2 = await startServer({ store, plugins: [conversations, responderPlugin('test-slow', RESPONDER_ORDER.rules, () => 'slow', seen)] });
  t.teardown(() => Promise.all([s1.close(), s2.close()]).then(() => store.cleanup()));
  const w = await world(s1);
  const m = await send(s1, (await visitor(s1, w.site.appId)).token, 'two instances');
  const payload = { accountId: w.agent.accountId, conversationId: m.conversation.id, messageId: m.message.id };
  // Both instances hold a delivery of the same turn and run them at the same moment.
  await s2.app.charla.container.cradle.jobs.enqueue(RESPOND_JOB, payload, { accountId: w.agent.accountId });
  await Promise.all([s1, s2].map((s) => s.app.charla.container.cradle.jobs.runDue([RESPOND_JOB])));
  await settle(s1, s2);
  const msgs = await messagesOf(s2, w.agent.token, m.conversation.id);
  t.same(msgs.map((x) => x.senderType), ['visitor', 'bot'], 'one bot answer across both instances');
  t.equal(seen.length, 1, 'one responder run across both instances');
});

t.test('a hand-off with a note and status leaves a private note for the team and the conversation pending', async (t) => {
  const handing = definePlugin({
    name: 'test-handoff', version: '1.0.0', dependsOn: ['conversations'],
    responder: {
      order: RESPONDER_ORDER.ai,
      async respond(turn, api) {
        await api.reply('Connecting you with the team.');
        await api.handOff({ note: `Summary: the visitor asked "${turn.content}".`, status: 'pending' });
        await api.handOff({ note: 'a second note', status: 'pending' });   // already handed off: nothing more
      },
    },
  });
  const s = await startServer({ plugins: [(await import('../src/server/index.js')).default, handing] });
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId);
  const first = await send(s, v.token, 'I want a refund');
  await settle(s);
  const msgs = await s.request('GET', `/api/v1/inbox/conversations/${first.conversation.id}/messages`, { token: w.agent.token });
  const notes = (msgs.body.messages as Array<{ senderType: string; private: boolean; content: string; metadata: Record<string, unknown> }>).filter((m) => m.private);
  t.equal(notes.length, 1, 'one private note, however often handOff is called');
  t.match(notes[0], { senderType: 'bot', content: 'Summary: the visitor asked "I want a refund".', metadata: { responder: 'test-handoff', handOff: true } });
  const conv = await s.request('GET', `/api/v1/inbox/conversations/${first.conversation.id}`, { token: w.agent.token });
  t.equal(conv.body.status ?? conv.body.conversation?.status, 'pending', 'the conversation waits for the team');
  const history = await s.request('GET', `/api/v1/widget/conversations/${first.conversation.id}/messages`, { token: v.token });
  t.notOk(JSON.stringify(history.body).includes('Summary:'), 'the visitor never sees the note');
});
