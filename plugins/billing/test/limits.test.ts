import t from 'tap';
import { startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { OPERATOR, PLANS, expectProblem, invite, operator, settle, signup, site, visitorWrites } from './helpers.js';

const s = await startTestServer({ plugins: [conversations, billing], config: { plans: PLANS as never, defaultPlan: 'small', operatorEmails: [OPERATOR] } });
t.teardown(() => s.close());

t.test('invitations: at the agents limit the next one is 402 CHARLA_BILLING_LIMIT naming "agents"', async (t) => {
  const a = await signup(s, 'Agents Co');
  const first = await invite(s, a.token, 'one@example.com');
  t.equal(first.status, 201, 'owner + 1 pending = 2 = the limit: allowed');
  const again = await invite(s, a.token, 'one@example.com');
  t.equal(again.status, 201, 'inviting the same address again replaces it, it does not count twice');
  const past = await invite(s, a.token, 'two@example.com');
  expectProblem(t, past, 402, 'CHARLA_BILLING_LIMIT');
  t.match(past.body.detail, /"agents"/);
  t.match(past.body.detail, /Small plan allows 2/);
  const usage = await s.request('GET', '/api/v1/billing/usage', { token: a.token });
  t.match(usage.body.agents, { used: 1, limit: 2, pending: 1 });
  // The pending invitation withdrawn: room again.
  const list = await s.request('GET', '/api/v1/team/invitations', { token: a.token });
  const pending = (list.body.invitations ?? list.body.items ?? []) as Array<{ id: string; email: string }>;
  const del = await s.request('DELETE', `/api/v1/team/invitations/${pending.find((i) => i.email === 'one@example.com')!.id}`, { token: a.token });
  t.ok(del.status === 204 || del.status === 200, `withdrawn (${del.status})`);
  t.equal((await invite(s, a.token, 'two@example.com')).status, 201, 'below the limit again');
});

t.test('sites: the first is allowed, the one past the limit is 402 naming "sites"', async (t) => {
  const a = await signup(s, 'Sites Co');
  const before = await s.request('GET', '/api/v1/billing/usage', { token: a.token });
  t.equal(before.body.sites.used, 0);
  t.equal((await site(s, a.token, 'One')).status, 201, 'at the limit');
  const past = await site(s, a.token, 'Two');
  expectProblem(t, past, 402, 'CHARLA_BILLING_LIMIT');
  t.match(past.body.detail, /"sites"/);
  const list = await s.request('GET', '/api/v1/sites', { token: a.token });
  t.equal((list.body.sites ?? list.body).length, 1, 'nothing was created');
});

t.test('conversations past the monthly limit are accepted and counted as overage', async (t) => {
  const a = await signup(s, 'Busy Co');
  const { body: st } = await site(s, a.token);
  for (let i = 0; i < 3; i++) await visitorWrites(s, st.appId, `hello ${i}`);
  await settle(s);
  const usage = await s.request('GET', '/api/v1/billing/usage', { token: a.token });
  t.equal(usage.status, 200, usage.text);
  t.match(usage.body, { plan: 'small', planName: 'Small', conversations: { used: 3, limit: 2, overage: 1 }, sites: { used: 1, limit: 1 }, agents: { used: 1, limit: 2 } });
  t.ok(new Date(usage.body.periodStart) <= new Date() && new Date(usage.body.periodEnd) > new Date(), 'the current period');
  // A redelivered event is not counted twice (the meter is idempotent on the event id).
  const meter = s.app.charla.container.cradle.billingMeter;
  const event = { id: 'redelivered-event', name: 'conversation.created' as const, attempt: 1, emittedAt: new Date().toISOString() };
  await meter.conversationCreated(a.accountId, event);
  await meter.conversationCreated(a.accountId, { ...event, attempt: 2 });
  t.equal((await s.request('GET', '/api/v1/billing/usage', { token: a.token })).body.conversations.used, 4, 'counted once');
});

t.test('plans: any agent reads them; usage is for admins; bad callers are refused', async (t) => {
  const a = await signup(s, 'Readers');
  const plans = await s.request('GET', '/api/v1/billing/plans', { token: a.token });
  t.equal(plans.status, 200);
  t.equal(plans.body.current, 'small');
  t.match(plans.body.plans, [{ id: 'small', name: 'Small', limits: { agents: 2, sites: 1, conversationsPerMonth: 2 } }, { id: 'big', limits: { agents: null } }]);
  expectProblem(t, await s.request('GET', '/api/v1/billing/usage'), 401);
  expectProblem(t, await s.request('GET', '/api/v1/billing/plans'), 401);
});

t.test('an operator moves an account to another plan: the limit changes at once', async (t) => {
  const op = await operator(s);
  const a = await signup(s, 'Growing Co');
  t.equal((await site(s, a.token, 'One')).status, 201);
  expectProblem(t, await site(s, a.token, 'Two'), 402, 'CHARLA_BILLING_LIMIT');
  const patch = await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'big' } });
  t.equal(patch.status, 200, patch.text);
  t.equal((await site(s, a.token, 'Two')).status, 201, 'allowed on the big plan');
  const usage = await s.request('GET', '/api/v1/billing/usage', { token: a.token });
  t.match(usage.body, { plan: 'big', sites: { used: 2, limit: null }, conversations: { limit: null, overage: 0 } });
  // Down again: nothing is deleted, but no new site.
  await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { plan: 'small' } });
  expectProblem(t, await site(s, a.token, 'Three'), 402, 'CHARLA_BILLING_LIMIT');
  t.equal((await s.request('GET', '/api/v1/billing/usage', { token: a.token })).body.sites.used, 2, 'the sites over the limit stay');
});
