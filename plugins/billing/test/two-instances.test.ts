import t from 'tap';
import { backend, createTestStore, requirePart, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { OPERATOR, PLANS, expectProblem, operator, signup, site } from './helpers.js';

// Two servers sharing PostgreSQL + Redis: a plan change on one holds at once on the other.
t.test('two instances: an operator\'s plan change takes effect at once on the other instance', async (t) => {
  if (!requirePart('two instances (needs DATABASE_URL and REDIS_URL)', backend.postgres && backend.redis, t)) return;
  const store = await createTestStore();
  const config = { plans: PLANS as never, defaultPlan: 'small', operatorEmails: [OPERATOR] };
  const s1 = await startTestServer({ store, plugins: [conversations, billing], config });
  const s2 = await startTestServer({ store, plugins: [conversations, billing], config });
  t.teardown(async () => {
    await s1.close();
    await s2.close();
    await store.cleanup();
  });
  const op = await operator(s1);
  const a = await signup(s1, 'Two Co');
  t.equal((await site(s2, a.token, 'One')).status, 201);
  expectProblem(t, await site(s2, a.token, 'Two'), 402, 'CHARLA_BILLING_LIMIT'); // s2 has the small plan cached now
  t.equal((await s1.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'big' } })).status, 200);
  // The change reaches s2 through Redis (sys/entitlements.changed): wait for it, well within the 3 s cache.
  const started = Date.now();
  let r = await site(s2, a.token, 'Two');
  while (r.status === 402 && Date.now() - started < 2500) {
    await new Promise((res) => setImmediate(res));
    r = await site(s2, a.token, 'Two');
  }
  t.equal(r.status, 201, 'allowed on the other instance');
  t.ok(Date.now() - started < 2500, `before the cache would have expired (${Date.now() - started} ms)`);
  const back = await s2.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'small' } });
  t.equal(back.status, 200);
  const started2 = Date.now();
  let r2 = await site(s1, a.token, 'Three');
  while (r2.status === 201 && Date.now() - started2 < 2500) r2 = await site(s1, a.token, `Three ${Date.now()}`);
  expectProblem(t, r2, 402, 'CHARLA_BILLING_LIMIT');
});
