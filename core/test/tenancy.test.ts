import t from 'tap';
import { randomBytes } from 'node:crypto';
import { Op, asValue, definePlugin, newId, type TokenClaims, type VisitorActor } from '@charla/core';
import { signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { addMember, inviteAndReadToken, login, uniqueEmail } from './team-fixtures.js';

// The tenant matrix: every kernel route, enumerated from the running app, × {owner,
// admin and agent of A, owner of B, anonymous, a visitor of A}: the right status, and
// never the other account's data. Then the tenant guard itself.

// Stands in for the conversations plugin's visitor authenticator so a visitor token
// resolves to a visitor actor (the kernel must then refuse it on agent routes).
const visitorAuth = definePlugin({
  name: 'visitor-tokens',
  version: '1.0.0',
  register(ctx) {
    ctx.container.register({
      visitorAuthenticator: asValue(async (claims: TokenClaims): Promise<VisitorActor> => ({ kind: 'visitor', accountId: claims.acc, siteId: String(claims.site), visitorId: claims.sub, tokenVersion: 0 })),
    });
  },
});

const smtp = await startSmtpServer();
const s = await startTestServer({ plugins: [visitorAuth], config: { smtpUrl: smtp.url } });
t.teardown(async () => {
  await s.close();
  await smtp.close();
});

type Who = 'ownerA' | 'adminA' | 'agentA' | 'ownerB' | 'anonymous' | 'visitorA';
const WHO: Who[] = ['ownerA', 'adminA', 'agentA', 'ownerB', 'anonymous', 'visitorA'];

// Fixtures: two accounts with a site each; A has an admin, an agent and a pending invitation.
const ownerA = await signup(s, 'Tenant A');
const ownerB = await signup(s, 'Tenant B');
const outsider = await signup(s, 'Tenant C');
const adminA = await addMember(s, smtp, ownerA.token, 'admin');
const agentA = await addMember(s, smtp, ownerA.token, 'agent');
const agentB = await addMember(s, smtp, ownerB.token, 'agent');
const siteA = (await s.request('POST', '/api/v1/sites', { token: ownerA.token, body: { name: 'Site of A', domain: 'a-shop.example' } })).body;
const siteB = (await s.request('POST', '/api/v1/sites', { token: ownerB.token, body: { name: 'Site of B', domain: 'b-shop.example' } })).body;
const invA = await inviteAndReadToken(s, smtp, ownerA.token, 'agent');
const invB = await inviteAndReadToken(s, smtp, ownerB.token, 'agent');
const accountName = async (token: string) => (await s.request('GET', '/api/v1/account', { token })).body.name as string;
const nameA = await accountName(ownerA.token);
const nameB = await accountName(ownerB.token);
const visitorToken = s.app.charla.container.cradle.tokens.sign({ typ: 'visitor', sub: newId(), acc: ownerA.accountId, site: siteA.id }, 3600);

/** Strings that identify each account's data; none may appear in a response to the other. */
const secretsOf = {
  A: [ownerA.accountId, nameA, ownerA.userId, ownerA.email, adminA.userId, adminA.email, agentA.userId, agentA.email, siteA.id, siteA.appId, siteA.identityVerification.secret, invA.invitationId, invA.email],
  B: [ownerB.accountId, nameB, ownerB.userId, ownerB.email, agentB.userId, agentB.email, siteB.id, siteB.appId, siteB.identityVerification.secret, invB.invitationId, invB.email],
};
const credentials: Record<'ownerA' | 'adminA' | 'agentA' | 'ownerB', { email: string; password: string; token: string }> = { ownerA, adminA, agentA, ownerB };

interface Call {
  params?: Record<string, string>;
  body?: unknown;
  /** This call ends or changes the caller's session: use a fresh one. */
  freshSession?: boolean;
}
interface Expectation {
  expect: Record<Who, number>;
  /** The request for one actor (fresh resources for destructive calls). */
  call?: (who: Who) => Promise<Call> | Call;
}

const all = (status: number): Record<Who, number> => ({ ownerA: status, adminA: status, agentA: status, ownerB: status, anonymous: status, visitorA: status });
const anyAgent = (status: number): Record<Who, number> => ({ ownerA: status, adminA: status, agentA: status, ownerB: status, anonymous: 401, visitorA: 403 });
const managersOwnAccount = (status: number): Record<Who, number> => ({ ...anyAgent(status), agentA: 403 });
const managersOnA = (status: number): Record<Who, number> => ({ ...anyAgent(status), agentA: 403, ownerB: 404 });
const readOnA = (status: number): Record<Who, number> => ({ ...anyAgent(status), ownerB: 404 });
const ownAccountName = (who: Who) => (who === 'ownerB' ? nameB : nameA);
/**
 * A target in A for a destructive call: a fresh one for callers that may succeed (owner
 * and admin of A); one shared, never-consumed target for everyone who must be refused —
 * if a refusal wrongly succeeded, the later cells on that target fail too.
 */
function targetInA(make: () => Promise<string>): (who: Who) => Promise<string> {
  let shared: Promise<string> | undefined;
  return (who) => (who === 'ownerA' || who === 'adminA' ? make() : (shared ??= make()));
}
const memberToPatch = targetInA(async () => (await addMember(s, smtp, ownerA.token, 'agent')).userId);
const memberToDelete = targetInA(async () => (await addMember(s, smtp, ownerA.token, 'agent')).userId);
const invitationToDelete = targetInA(async () => (await inviteAndReadToken(s, smtp, ownerA.token, 'agent')).invitationId);
const keyToDelete = targetInA(async () => (await s.request('POST', '/api/v1/api-keys', { token: ownerA.token, body: { name: 'Doomed', scopes: ['conversations:read'] } })).body.id);
const siteToDelete = targetInA(async () => (await s.request('POST', '/api/v1/sites', { token: ownerA.token, body: { name: 'Doomed' } })).body.id);

const EXPECTATIONS: Record<string, Expectation> = {
  'GET /healthz': { expect: all(200) },
  'GET /readyz': { expect: all(200) },
  'GET /metrics': { expect: all(200) },
  'GET /api/docs': { expect: all(200) },
  'GET /api/docs/json': { expect: all(200) },
  'POST /api/v1/auth/signup': { expect: all(201), call: () => ({ body: { accountName: 'New Co', name: 'New', email: uniqueEmail('matrix'), password: 'quiet-harbor-lamp-42' } }) },
  'POST /api/v1/auth/login': { expect: all(200), call: () => ({ body: { email: outsider.email, password: outsider.password } }) },
  'POST /api/v1/auth/logout': { expect: anyAgent(204), call: () => ({ freshSession: true }) },
  'GET /api/v1/auth/me': { expect: anyAgent(200) },
  'POST /api/v1/auth/password/change': {
    expect: anyAgent(204),
    call: (who) => ({ freshSession: true, body: who in credentials ? { currentPassword: credentials[who as keyof typeof credentials].password, newPassword: credentials[who as keyof typeof credentials].password } : { currentPassword: 'whatever', newPassword: 'quiet-harbor-lamp-43' } }),
  },
  'POST /api/v1/auth/password/forgot': { expect: all(202), call: () => ({ body: { email: uniqueEmail('nobody') } }) },
  'POST /api/v1/auth/password/reset': { expect: all(400), call: () => ({ body: { token: randomBytes(32).toString('base64url'), password: 'quiet-harbor-lamp-42' } }) },
  'POST /api/v1/auth/invitations/accept': { expect: all(400), call: () => ({ body: { token: randomBytes(32).toString('base64url'), name: 'X', password: 'quiet-harbor-lamp-42' } }) },
  'GET /api/v1/account': { expect: anyAgent(200) },
  'PATCH /api/v1/account': { expect: managersOwnAccount(200), call: (who) => ({ body: { name: ownAccountName(who) } }) },
  'GET /api/v1/team/members': { expect: anyAgent(200) },
  'PATCH /api/v1/team/members/:id': { expect: managersOnA(200), call: async (who) => ({ params: { id: await memberToPatch(who) }, body: { role: 'admin' } }) },
  'DELETE /api/v1/team/members/:id': { expect: managersOnA(204), call: async (who) => ({ params: { id: await memberToDelete(who) } }) },
  'POST /api/v1/team/invitations': { expect: managersOwnAccount(201), call: () => ({ body: { email: uniqueEmail('matrix-invite'), role: 'agent' } }) },
  'GET /api/v1/team/invitations': { expect: managersOwnAccount(200) },
  'DELETE /api/v1/team/invitations/:id': { expect: managersOnA(204), call: async (who) => ({ params: { id: await invitationToDelete(who) } }) },
  'POST /api/v1/sites': { expect: managersOwnAccount(201), call: () => ({ body: { name: 'Matrix site' } }) },
  'GET /api/v1/sites': { expect: anyAgent(200) },
  'GET /api/v1/sites/:id': { expect: readOnA(200), call: () => ({ params: { id: siteA.id } }) },
  'PATCH /api/v1/sites/:id': { expect: managersOnA(200), call: () => ({ params: { id: siteA.id }, body: { name: siteA.name } }) },
  'DELETE /api/v1/sites/:id': { expect: managersOnA(204), call: async (who) => ({ params: { id: await siteToDelete(who) } }) },
  'GET /api/v1/plugins': { expect: anyAgent(200) },
  'GET /api/v1/plugins/:name': { expect: anyAgent(200), call: () => ({ params: { name: 'visitor-tokens' } }) },
  'POST /api/v1/api-keys': { expect: managersOwnAccount(201), call: () => ({ body: { name: 'Matrix', scopes: ['conversations:read'] } }) },
  'GET /api/v1/api-keys': { expect: managersOwnAccount(200) },
  'DELETE /api/v1/api-keys/:id': { expect: managersOnA(204), call: async (who) => ({ params: { id: await keyToDelete(who) } }) },
  // Nobody in this matrix is in OPERATOR_EMAILS (operator.test.ts covers operators).
  'GET /api/v1/operator/accounts': { expect: { ...anyAgent(403), anonymous: 401 } },
  'PATCH /api/v1/operator/accounts/:id': { expect: { ...anyAgent(403), anonymous: 401 }, call: () => ({ params: { id: ownerA.accountId }, body: { plan: 'enterprise' } }) },
  'GET /api/v1/account/entitlements': { expect: anyAgent(200) },
  'PATCH /api/v1/plugins/:name': { expect: managersOwnAccount(200), call: () => ({ params: { name: 'visitor-tokens' }, body: { enabled: true } }) },
  'GET /api/v1/events/catalogue': { expect: managersOwnAccount(200) },
};

// The realtime endpoint is a WebSocket upgrade: only its refusal of anonymous callers is
// checked here; the authenticated upgrade is the realtime tests' business.
const WEBSOCKET = new Set(['GET /api/v1/realtime']);
// The admin SPA, the widget bundle and the demo page are static files, not tenant data.
const STATIC = /^\/(admin|widget|demo)(\/|$)|^\/$|^\/\*$|^\/favicon\.ico$/;

/** Every route of the running app, from its router (hidden routes included), as "METHOD /path". */
function enumerateRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│]*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const path = depth === 0 ? m[2] : `${stack[depth - 1]}${m[2]}`.replace(/\/\/+/g, '/').replace(/^([^/])/, '/$1');
    const full = depth > 0 && !stack[depth - 1].endsWith('/') && !m[2].startsWith('/') ? `${stack[depth - 1]}/${m[2]}` : path;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of m[3].split(',').map((x) => x.trim())) if (method !== 'HEAD') out.push(`${method} ${full}`);
  }
  return [...new Set(out)];
}

const routes = enumerateRoutes(s.app.printRoutes({ commonPrefix: false }));

t.test('the route list comes from the running app and agrees with the OpenAPI document', async (t) => {
  for (const r of ['POST /api/v1/auth/signup', 'GET /api/v1/sites/:id', 'DELETE /api/v1/team/members/:id', 'GET /healthz']) t.ok(routes.includes(r), `${r} enumerated`);
  const doc = (await s.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      t.ok(routes.includes(key), `${key} from the OpenAPI document is enumerated`);
    }
  }
});

t.test('every kernel route has an expectation (a new route must be added to this matrix)', async (t) => {
  const uncovered = routes.filter((r) => !EXPECTATIONS[r] && !WEBSOCKET.has(r) && !STATIC.test(r.split(' ')[1]));
  t.same(uncovered, [], 'routes without an expectation');
  const stale = Object.keys(EXPECTATIONS).filter((r) => !routes.includes(r));
  t.same(stale, [], 'expectations for routes that no longer exist');
});

async function tokenFor(who: Who, fresh: boolean): Promise<string | undefined> {
  if (who === 'anonymous') return undefined;
  if (who === 'visitorA') return visitorToken;
  const c = credentials[who];
  return fresh ? login(s, c.email, c.password) : c.token;
}

for (const route of routes.filter((r) => EXPECTATIONS[r])) {
  t.test(`${route} × {owner A, admin A, agent A, owner B, anonymous, visitor of A}`, async (t) => {
    const [method, pattern] = route.split(' ');
    const exp = EXPECTATIONS[route];
    for (const who of WHO) {
      const call = (await exp.call?.(who)) ?? {};
      const url = pattern.replace(/:(\w+)/g, (_m, k: string) => encodeURIComponent(call.params?.[k] ?? 'missing-param'));
      const token = await tokenFor(who, !!call.freshSession);
      const res = await s.request(method, url, { token, body: call.body ?? (['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined) });
      t.equal(res.status, exp.expect[who], `${who}: ${res.status} ${res.text.slice(0, 200)}`);
      t.ok(res.status < 500, `${who}: never a 5xx`);
      const foreign = who === 'ownerB' ? secretsOf.A : who === 'anonymous' || who === 'visitorA' ? [...secretsOf.A, ...secretsOf.B] : secretsOf.B;
      const leaked = foreign.filter((x) => res.text.includes(x));
      t.same(leaked, [], `${who}: no data of another account in the response`);
      // A password change ends the caller's other sessions: keep a live one for the next routes.
      if (call.freshSession && who in credentials) {
        const c = credentials[who as keyof typeof credentials];
        c.token = await login(s, c.email, c.password);
      }
    }
  });
}

t.test('the WebSocket endpoint refuses anonymous callers', async (t) => {
  t.equal((await s.request('GET', '/api/v1/realtime')).status, 401);
});

t.test('B asking for A\'s resources gets exactly what a non-existent id gets', async (t) => {
  const missing = newId();
  const pairs: Array<[string, string, unknown?]> = [
    ['GET', `/api/v1/sites/${siteA.id}`],
    ['PATCH', `/api/v1/sites/${siteA.id}`, { name: 'Stolen' }],
    ['DELETE', `/api/v1/sites/${siteA.id}`],
    ['PATCH', `/api/v1/team/members/${agentA.userId}`, { role: 'admin' }],
    ['DELETE', `/api/v1/team/members/${agentA.userId}`],
    ['DELETE', `/api/v1/team/invitations/${invA.invitationId}`],
  ];
  for (const [method, url, body] of pairs) {
    const theirs = await s.request(method, url, { token: ownerB.token, body });
    const none = await s.request(method, url.replace(/[0-9a-f-]{36}$/, missing), { token: ownerB.token, body });
    t.equal(theirs.status, 404, `${method} ${url}`);
    t.same(theirs.body, none.body, `${method}: the same body as for a non-existent id`);
  }
  // …and nothing of A changed.
  const site = await s.request('GET', `/api/v1/sites/${siteA.id}`, { token: ownerA.token });
  t.equal(site.body.name, 'Site of A');
  const members = (await s.request('GET', '/api/v1/team/members', { token: ownerA.token })).body.members as Array<{ id: string; role: string }>;
  t.equal(members.find((m) => m.id === agentA.userId)?.role, 'agent');
  t.equal((await s.request('GET', '/api/v1/auth/me', { token: agentA.token })).status, 200, 'A\'s agent was not logged out by B');
  const invs = (await s.request('GET', '/api/v1/team/invitations', { token: ownerA.token })).body.invitations as Array<{ id: string }>;
  t.ok(invs.some((i) => i.id === invA.invitationId), 'A\'s invitation is still pending');
});

t.test('lists only ever hold the caller\'s own account', async (t) => {
  const sites = (await s.request('GET', '/api/v1/sites', { token: ownerB.token })).body.sites as Array<{ id: string }>;
  t.ok(sites.length >= 1);
  t.ok(sites.every((x) => x.id !== siteA.id));
  const members = (await s.request('GET', '/api/v1/team/members', { token: ownerB.token })).body.members as Array<{ id: string }>;
  t.same(members.map((m) => m.id).sort(), [ownerB.userId, agentB.userId].sort());
  const invs = (await s.request('GET', '/api/v1/team/invitations', { token: ownerB.token })).body.invitations as Array<{ id: string }>;
  t.ok(invs.every((i) => i.id !== invA.invitationId));
});

t.test('tenant guard: a query on a tenant model without an account scope throws', async (t) => {
  const { db, models } = s.app.charla.container.cradle;
  const Site = models.Site;
  const scopeError = { code: 'CHARLA_CORE_TENANT_SCOPE_MISSING' };
  await t.rejects(Site.findAll(), scopeError, 'findAll');
  await t.rejects(Site.findOne({ where: { appId: siteA.appId } }), scopeError, 'findOne by another column');
  await t.rejects(Site.findByPk(siteA.id), scopeError, 'findByPk');
  await t.rejects(Site.count(), scopeError, 'count');
  await t.rejects(Site.update({ name: 'x' }, { where: { id: siteA.id } }), scopeError, 'update');
  await t.rejects(Site.destroy({ where: { id: siteA.id } }), scopeError, 'destroy');
  const unscoped = { id: newId(), name: 'x', appId: 'x', domain: null, widget: {}, identitySecret: 'x', identityRequired: false };
  await t.rejects(Site.create(unscoped), 'insert without accountId');
  await t.rejects(Site.create(unscoped, { validate: false }), scopeError, 'insert without accountId, past model validation');
  await t.rejects(Site.bulkCreate([unscoped], { validate: false }), scopeError, 'bulk insert without accountId');
  t.equal(await db.withoutTenant('test: count', () => Site.count({ where: { id: unscoped.id } })), 0, 'nothing was inserted');
  await t.rejects(Site.findAll({ where: { accountId: '' } }), scopeError, 'an empty account id');
  await t.rejects(Site.findAll({ where: { accountId: { [Op.ne]: ownerA.accountId } } }), scopeError, 'a non-equality account condition');
  await t.rejects(Site.findAll({ where: { [Op.or]: [{ accountId: ownerA.accountId }, { accountId: ownerB.accountId }] } }), scopeError, 'two accounts at once');
  await t.rejects(models.User.findAll({ where: { email: ownerA.email } }), scopeError, 'users by e-mail');
  await t.rejects(models.Session.findAll(), scopeError, 'sessions');
  await t.rejects(models.Invitation.findAll(), scopeError, 'invitations');
  await t.rejects(models.PasswordReset.findAll(), scopeError, 'password resets');
  t.equal(await Site.count({ where: { id: siteA.id } }).catch(() => -1), -1, 'the guard throws rather than returning nothing');

  t.equal((await Site.findAll({ where: { accountId: ownerA.accountId } })).length >= 1, true, 'scoped to one account it works');
  const everyone = await db.withoutTenant('test: explicit system query', () => Site.findAll());
  t.ok(everyone.length >= 2, 'withoutTenant opts out explicitly');
  await t.rejects(Site.findAll(), scopeError, 'the opt-out ends with its callback');
});

t.test('TenantScope: scoped reads, writes that cannot leave the account', async (t) => {
  const { db, models } = s.app.charla.container.cradle;
  const scopeA = db.scope(ownerA.accountId);
  t.equal(await scopeA.findById(models.Site, siteB.id), null, 'B\'s site is invisible through A\'s scope');
  t.ok(await scopeA.findById(models.Site, siteA.id));
  t.ok((await scopeA.findAll(models.Site)).every((x) => x.accountId === ownerA.accountId));
  t.equal(await scopeA.update(models.Site, { name: 'hijack' }, { id: siteB.id }), 0, 'an update of B\'s row through A\'s scope touches nothing');
  t.equal(await scopeA.destroy(models.Site, { id: siteB.id }), 0, 'nor does a delete');
  await scopeA.update(models.Site, { accountId: ownerB.accountId, name: siteA.name } as never, { id: siteA.id });
  t.equal((await scopeA.findById(models.Site, siteA.id))?.accountId, ownerA.accountId, 'accountId cannot be changed through a scope');
  const created = await scopeA.create(models.Site, { id: newId(), name: 'scoped', appId: randomBytes(9).toString('base64url'), domain: null, widget: {}, identitySecret: 'x'.repeat(64), identityRequired: false, accountId: ownerB.accountId } as never);
  t.equal(created.accountId, ownerA.accountId, 'create always writes the scope\'s account');
  t.equal((await s.request('GET', `/api/v1/sites/${siteB.id}`, { token: ownerB.token })).body.name, 'Site of B', 'B\'s site is untouched');
  t.throws(() => db.scope(''), 'a scope needs an account id');
});

t.test('the tenant-bound raw query binds :accountId itself and refuses SQL without it', async (t) => {
  const { db } = s.app.charla.container.cradle;
  const scopeA = db.scope(ownerA.accountId);
  const rows = await scopeA.query<{ id: string; account_id: string }>('SELECT id, account_id FROM sites WHERE account_id = :accountId ORDER BY id', {});
  t.ok(rows.length >= 1 && rows.every((r) => r.account_id === ownerA.accountId), 'only the scope\'s account');
  t.notOk(rows.some((r) => r.id === siteB.id), 'B\'s site is not in A\'s result');
  const counted = await scopeA.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM sites WHERE account_id = :accountId AND name = :name', { name: 'Site of A' });
  t.equal(Number(counted[0].n), 1, 'named replacements of the caller are bound too (aggregates)');
  const refused = { code: 'CHARLA_CORE_TENANT_SCOPE_MISSING' };
  await t.rejects(scopeA.query('SELECT id FROM sites'), refused, 'no :accountId placeholder');
  await t.rejects(scopeA.query('SELECT id FROM sites WHERE account_id IN (:accountIds)', { accountIds: [ownerA.accountId, ownerB.accountId] }), refused, 'a longer name is not the placeholder');
  await t.rejects(scopeA.query('SELECT id FROM sites WHERE account_id = :accountId', { accountId: ownerB.accountId }), refused, 'the caller cannot bind another account');
  t.same(Object.keys(db).sort(), ['afterCommit', 'currentTransaction', 'define', 'dialect', 'jsonArrayContains', 'scope', 'transaction', 'withoutTenant'], 'the plugin database has no sequelize, query() or model(name)');
  t.throws(() => scopeA.findAll('Site' as never), /takes a model, not a model name/, 'models are not looked up by name');
});
