import t from 'tap';
import { cid, cradle, settle, startEnv, world } from './helpers.js';

// The inbox's reaction to `message.created` is cheap: after the first agent reply the
// SLA bookkeeping writes nothing, and an agent's activity is recorded at most once per
// TOUCH_INTERVAL_MS rather than on every message.

const env = await startEnv({ jobs: false });
t.teardown(() => env.close());
const { s, clock } = env;
const w = await world(s);
const c = cradle(s);

/** Counts the SQL write statements on one table while `fn` runs. */
async function writesTo(table: string, fn: () => Promise<unknown>): Promise<number> {
  const seq = s.app.charla.db.sequelize as unknown as { query: (...a: unknown[]) => Promise<unknown> };
  const orig = seq.query;
  let n = 0;
  seq.query = function (this: unknown, sql: unknown, ...rest: unknown[]) {
    const text = typeof sql === 'string' ? sql : String((sql as { query?: string })?.query ?? sql);
    if (/^\s*(UPDATE|INSERT|DELETE)\b/i.test(text) && text.includes(table)) n++;
    return orig.call(this, sql, ...rest);
  };
  try {
    await fn();
  } finally {
    seq.query = orig;
  }
  return n;
}

t.test('only the first agent reply writes the SLA state; later replies write nothing', async (t) => {
  const init = await s.request('POST', '/api/v1/widget/init', { body: { appId: w.site.appId } });
  const sent = await s.request('POST', '/api/v1/widget/messages', { token: init.body.visitorToken, body: { content: 'help', clientId: cid() } });
  const conv = sent.body.conversation.id as string;
  await settle(s);
  const state = await c.inboxSla.stateOf(w.owner.accountId, conv);
  t.ok(state?.slaDueAt, 'the conversation has an SLA due time');
  t.equal(state?.slaMetAt, null);

  const first = await writesTo('inbox_conversations', () => c.inboxSla.responded(w.owner.accountId, conv));
  t.equal(first, 1, 'the first reply marks the SLA met (one write)');
  const met = (await c.inboxSla.stateOf(w.owner.accountId, conv))!.slaMetAt;
  t.ok(met);

  const again = await writesTo('inbox_conversations', () => c.inboxSla.responded(w.owner.accountId, conv));
  t.equal(again, 0, 'a later reply writes nothing');
  t.same((await c.inboxSla.stateOf(w.owner.accountId, conv))!.slaMetAt, met, 'and the met time is unchanged');

  // Through the API too: replies after the first do not touch the SLA row.
  const viaApi = await writesTo('inbox_conversations', async () => {
    const r = await s.request('POST', `/api/v1/inbox/conversations/${conv}/messages`, { token: w.owner.token, body: { content: 'more', clientId: cid() } });
    t.equal(r.status, 201);
    await settle(s);
  });
  t.equal(viaApi, 0, 'an agent reply after the first leaves the SLA state alone');
});

t.test('agent activity is written at most once per interval', async (t) => {
  const { TOUCH_INTERVAL_MS } = await import('../src/server/agent-service.js');
  const userId = w.owner.userId;
  await c.inboxAgents.ensure(w.owner.accountId, [userId]);
  const lastActive = async () => (await c.db.scope(w.owner.accountId).findOne(c.inboxModels.AgentState, { where: { userId } }))!.lastActiveAt;
  const t0 = new Date(clock.now().getTime() + 10 * TOUCH_INTERVAL_MS); // past the touch of the reply above
  t.equal(await writesTo('inbox_agents', () => c.inboxAgents.touch(w.owner.accountId, userId, t0)), 1, 'the first touch writes');
  t.same(new Date(await lastActive() as Date), t0);
  const soon = new Date(t0.getTime() + TOUCH_INTERVAL_MS - 1000);
  t.equal(await writesTo('inbox_agents', () => c.inboxAgents.touch(w.owner.accountId, userId, soon)), 0, 'a touch within the interval writes nothing');
  t.same(new Date(await lastActive() as Date), t0);
  const later = new Date(t0.getTime() + TOUCH_INTERVAL_MS + 1000);
  t.equal(await writesTo('inbox_agents', () => c.inboxAgents.touch(w.owner.accountId, userId, later)), 1, 'after the interval it writes again');
  t.same(new Date(await lastActive() as Date), later);
});
