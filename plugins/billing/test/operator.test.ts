import t from 'tap';
import { ManualClock } from '@charla/core';
import { connectSocket, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import billing from '../src/server/index.js';
import { OPERATOR, PLANS, cradle, expectProblem, operator, settle, signup, site, visitorWrites } from './helpers.js';

const DAY = 86_400_000;
const clock = new ManualClock();
const s = await startTestServer({ clock, listen: true, plugins: [conversations, billing], config: { plans: PLANS as never, defaultPlan: 'small', operatorEmails: [OPERATOR] } });
t.teardown(() => s.close());

interface Row { id: string; name: string; plan: string; agents: number; sites: number; suspended: boolean; conversationsLast30Days: number; lastActivityAt: string | null; trend: number | null; churnRisk: string }

t.test('the operator\'s account list: figures, trend and churn risk on a controlled clock; sort and paging', async (t) => {
  const falling = await signup(s, 'Falling');
  const quiet = await signup(s, 'Quiet');
  const steady = await signup(s, 'Steady');
  const app = { falling: (await site(s, falling.token)).body.appId, quiet: (await site(s, quiet.token)).body.appId, steady: (await site(s, steady.token)).body.appId };
  // Day 0
  for (let i = 0; i < 4; i++) await visitorWrites(s, app.falling);
  for (let i = 0; i < 2; i++) await visitorWrites(s, app.steady);
  await settle(s);
  clock.advance(25 * DAY);
  await visitorWrites(s, app.quiet);
  for (let i = 0; i < 2; i++) await visitorWrites(s, app.steady);
  await settle(s);
  clock.advance(20 * DAY); // day 45: last 30 days = (15, 45], the 30 before = (-15, 15]
  await visitorWrites(s, app.falling);
  await visitorWrites(s, app.steady);
  await settle(s);

  const op = await operator(s);
  const res = await s.request('GET', '/api/v1/operator/accounts?limit=100', { token: op });
  t.equal(res.status, 200, res.text);
  const by = new Map<string, Row>(res.body.accounts.map((a: Row) => [a.id, a]));
  t.match(by.get(falling.accountId), { name: 'Falling', plan: 'small', agents: 1, sites: 1, suspended: false, conversationsLast30Days: 1, trend: -0.75, churnRisk: 'medium' }, 'down by three quarters: medium');
  t.match(by.get(quiet.accountId), { conversationsLast30Days: 1, trend: null, churnRisk: 'high' }, 'quiet for 20 days: high');
  t.match(by.get(steady.accountId), { conversationsLast30Days: 3, trend: 0.5, churnRisk: 'low' }, 'growing: low');
  const lastQuiet = new Date(by.get(quiet.accountId)!.lastActivityAt!).getTime();
  t.ok(Math.abs(clock.now().getTime() - 20 * DAY - lastQuiet) < 60_000, 'last activity: the quiet account\'s message, 20 days ago');

  const sorted = await s.request('GET', '/api/v1/operator/accounts?limit=100&sort=-churnRisk', { token: op });
  const order = (sorted.body.accounts as Row[]).map((a) => a.id).filter((id) => [falling.accountId, quiet.accountId, steady.accountId].includes(id));
  t.same(order, [quiet.accountId, falling.accountId, steady.accountId], 'high, then medium, then low');
  const busiest = await s.request('GET', '/api/v1/operator/accounts?limit=1&sort=-conversationsLast30Days', { token: op });
  t.equal(busiest.body.accounts[0].id, steady.accountId);

  // Paging through with a cursor visits every account once, in the sort order.
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await s.request('GET', `/api/v1/operator/accounts?limit=2&sort=name${cursor ? `&cursor=${cursor}` : ''}`, { token: op });
    t.equal(page.status, 200);
    seen.push(...(page.body.accounts as Row[]).map((a) => a.name));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.same(seen, [...seen].sort(), 'sorted by name across pages');
  t.equal(seen.length, res.body.accounts.length);
  expectProblem(t, await s.request('GET', `/api/v1/operator/accounts?sort=-name&cursor=${busiest.body.nextCursor}`, { token: op }), 400, 'CHARLA_CORE_BAD_REQUEST');
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts?cursor=garbage', { token: op }), 400);
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts?sort=password', { token: op }), 400);
  // Tenant users (an owner is not an operator) never see other accounts.
  const owner = await signup(s, 'Nosy');
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts', { token: owner.token }), 403, 'CHARLA_CORE_FORBIDDEN');
  expectProblem(t, await s.request('PATCH', `/api/v1/operator/accounts/${quiet.accountId}`, { token: owner.token, body: { suspended: true } }), 403, 'CHARLA_CORE_FORBIDDEN');
});

t.test('suspend: agents (HTTP and sockets) and widgets refused, nothing deleted; resume restores; audited', async (t) => {
  const op = await operator(s).catch(async () => {
    const r = await s.request('POST', '/api/v1/auth/login', { body: { email: OPERATOR, password: 'operator password' } });
    return r.body.token as string;
  });
  const a = await signup(s, 'Suspended Co');
  const { body: st } = await site(s, a.token);
  const visitor = await visitorWrites(s, st.appId);
  const agentSocket = await connectSocket(s.url, a.token);
  const visitorSocket = await connectSocket(s.url, visitor.visitorToken);

  const r = await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { suspended: true } });
  t.equal(r.status, 200, r.text);
  t.match(r.body, { id: a.accountId, suspended: true });
  t.match(await agentSocket.closed, { code: 4401, reason: 'account suspended' }, 'the agent socket is closed');
  t.match(await visitorSocket.closed, { code: 4401 }, 'the visitor socket is closed');
  const refused = await s.request('GET', '/api/v1/sites', { token: a.token });
  expectProblem(t, refused, 403, 'CHARLA_CORE_ACCOUNT_SUSPENDED');
  t.match(refused.body.detail, /suspended/);
  expectProblem(t, await s.request('POST', '/api/v1/widget/init', { body: { appId: st.appId } }), 403, 'CHARLA_CORE_ACCOUNT_SUSPENDED');
  expectProblem(t, await s.request('GET', '/api/v1/widget/conversations', { token: visitor.visitorToken }), 403, 'CHARLA_CORE_ACCOUNT_SUSPENDED');
  await t.rejects(connectSocket(s.url, a.token), { message: 'upgrade refused: 403' } as never, 'a new socket is refused');
  const list = await s.request('GET', '/api/v1/operator/accounts?limit=100', { token: op });
  t.match((list.body.accounts as Row[]).find((x) => x.id === a.accountId), { suspended: true, sites: 1 });

  const back = await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { suspended: false } });
  t.match(back.body, { suspended: false });
  const sites = await s.request('GET', '/api/v1/sites', { token: a.token });
  t.equal(sites.status, 200, 'the same session works again');
  t.equal((sites.body.sites ?? sites.body).length, 1, 'nothing was deleted');
  t.equal((await s.request('POST', '/api/v1/widget/init', { body: { appId: st.appId } })).status, 200);
  const convs = await s.request('GET', '/api/v1/widget/conversations', { token: visitor.visitorToken });
  t.equal(convs.body.conversations.length, 1, 'the visitor\'s conversation is still there');
  (await connectSocket(s.url, a.token)).close();

  const { db, models } = cradle(s);
  const audit = await db.withoutTenant('test reads the audit', () => models.OperatorAudit.findAll({ where: { email: OPERATOR }, order: [['createdAt', 'ASC']] }));
  const actions = audit.map((x) => x.action);
  t.ok(actions.includes('suspend account') && actions.includes('resume account') && actions.includes('list accounts'), `audited: ${actions.join(', ')}`);
  expectProblem(t, await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: {} }), 400);
  expectProblem(t, await s.request('PATCH', `/api/v1/operator/accounts/${a.accountId}`, { token: op, body: { suspended: 'yes' } }), 400);
  expectProblem(t, await s.request('PATCH', '/api/v1/operator/accounts/nope', { token: op, body: { suspended: true } }), 404);
});
