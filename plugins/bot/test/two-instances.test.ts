import t from 'tap';
import { backend, createTestStore, requirePart } from '@charla/core/testing';
import { history, lines, rule, say, startBotServer, until, visitor, world } from './helpers.js';

/**
 * Two instances on one PostgreSQL database and one Redis: both run job workers, the
 * visitor's message is stored by one, and its responder turn is queued again on the
 * other (a redelivery). The bot still answers exactly once.
 */
t.test('two instances: one bot answer per visitor message', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const s1 = await startBotServer({ store });
  const s2 = await startBotServer({ store });
  t.teardown(async () => {
    await s1.close();
    await s2.close();
    await store.cleanup();
  });
  const w = await world(s1);
  await rule(s1, w.token, { name: 'Precio', trigger: 'message', conditions: { keywords: ['precio'] }, actions: [{ type: 'reply', content: 'Desde 10 €.' }] });
  const v = await visitor(s2, w.site.appId);
  let conv = '';
  for (let i = 0; i < 3; i++) {
    const sent = await say(s2, v.token, `precio ${i}?`);
    conv = sent.conversation.id;
    const payload = { accountId: w.accountId, conversationId: conv, messageId: sent.message.id };
    // The same turn offered to both instances at once, besides the one queued with the message.
    await Promise.all([s1, s2].map((s) => s.app.charla.container.cradle.jobs.enqueue('conversations.respond', payload, { accountId: w.accountId })));
    await Promise.all([s1, s2].map((s) => s.app.charla.container.cradle.jobs.runDue(['conversations.respond'])));
    await until(() => history(s1, w.token, conv), (m) => m.filter((x) => x.senderType === 'bot').length === i + 1, 10_000);
  }
  // Let every queued copy of the turns run on both instances before counting.
  for (const s of [s1, s2]) {
    await s.app.charla.container.cradle.jobs.runDue(['conversations.respond']);
    await s.app.charla.container.cradle.jobs.idle();
  }
  t.same(lines(await history(s1, w.token, conv)), ['visitor: precio 0?', 'bot: Desde 10 €.', 'visitor: precio 1?', 'bot: Desde 10 €.', 'visitor: precio 2?', 'bot: Desde 10 €.'], 'one answer each');
});
