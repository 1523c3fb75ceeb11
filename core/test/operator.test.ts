import t from 'tap';
import { signup, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';

// The operator actor: users in OPERATOR_EMAILS get an explicit, audited cross-account
// scope; owners of other accounts do not.

const OPERATOR = 'Ops@Charla.Example';
const s = await startTestServer({ plugins: [], config: { operatorEmails: [OPERATOR.toLowerCase()] } });
t.teardown(() => s.close());

t.test('an operator lists every account, audited; everyone else gets 403', async (t) => {
  const created = await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'Operator Co', name: 'Olga', email: OPERATOR, password: 'operator password' } });
  t.equal(created.status, 201, created.text);
  const op = { token: created.body.token as string, accountId: created.body.account.id as string, userId: created.body.user.id as string, email: OPERATOR.toLowerCase() };
  const a = await signup(s, 'Alpha');
  const b = await signup(s, 'Beta');
  await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'A1' } });
  await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'A2' } });

  const res = await s.request('GET', '/api/v1/operator/accounts?limit=100', { token: op.token });
  t.equal(res.status, 200, res.text);
  const byId = new Map(res.body.accounts.map((x: { id: string }) => [x.id, x]));
  t.match(byId.get(a.accountId), { name: 'Alpha', plan: String, createdAt: String, agents: 1, sites: 2 });
  t.match(byId.get(b.accountId), { name: 'Beta', agents: 1, sites: 0 });
  t.ok(byId.has(op.accountId), 'the operator\'s own account is listed too');

  const first = await s.request('GET', '/api/v1/operator/accounts?limit=1', { token: op.token });
  t.equal(first.body.accounts.length, 1);
  t.type(first.body.nextCursor, 'string');
  const second = await s.request('GET', `/api/v1/operator/accounts?limit=1&cursor=${first.body.nextCursor}`, { token: op.token });
  t.not(second.body.accounts[0].id, first.body.accounts[0].id, 'the cursor pages on');

  const { db, models } = s.app.charla.container.cradle;
  const audit = await db.withoutTenant('test reads the audit', () => models.OperatorAudit.findAll({ where: { email: op.email } }));
  t.equal(audit.length, 3, 'one audit row per cross-account use');
  t.match(audit[0]!.get({ plain: true }), { userId: op.userId, email: OPERATOR.toLowerCase(), action: 'list accounts', detail: { limit: 100 }, createdAt: Date });

  // An owner is not an operator.
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts', { token: a.token }), 403, 'CHARLA_CORE_FORBIDDEN');
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts'), 401, 'CHARLA_CORE_UNAUTHORIZED');
  const key = await s.request('POST', '/api/v1/api-keys', { token: op.token, body: { name: 'ops key', scopes: ['conversations:read'] } });
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts', { token: key.body.key }), 403, 'CHARLA_CORE_FORBIDDEN');
  expectProblem(t, await s.request('GET', '/api/v1/operator/accounts?limit=0', { token: op.token }), 400);
  const after = await db.withoutTenant('test reads the audit', () => models.OperatorAudit.count());
  t.equal(after, 3, 'refused calls write no audit row');
});
