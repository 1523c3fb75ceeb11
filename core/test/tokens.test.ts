import t from 'tap';
import { createHmac } from 'node:crypto';
import { ManualClock, asValue, definePlugin, type TokenClaims, type VisitorActor } from '@charla/core';
import { createTestStore, signup, startTestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';

// Agent JWTs: forged, tampered, expired or of the wrong kind are refused; the signing
// key generated at first start is shared by every instance on the same database.

// Stands in for the conversations plugin's visitor authenticator, so a real visitor
// token resolves to a visitor actor and the kernel's kind check is what refuses it.
const visitors = definePlugin({
  name: 'visitor-tokens',
  version: '1.0.0',
  register(ctx) {
    ctx.container.register({
      visitorAuthenticator: asValue(async (claims: TokenClaims): Promise<VisitorActor> => ({ kind: 'visitor', accountId: claims.acc, siteId: String(claims.site), visitorId: claims.sub, tokenVersion: 0 })),
    });
  },
});

const s = await startTestServer({ plugins: [visitors] });
t.teardown(() => s.close());
const a = await signup(s);
const { tokens } = s.app.charla.container.cradle;
const me = (token: string) => s.request('GET', '/api/v1/auth/me', { token });

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const parts = (token: string) => token.split('.');
const claimsOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>;

t.test('the genuine token works (control)', async (t) => {
  t.equal((await me(a.token)).status, 200);
});

t.test('alg "none" is refused', async (t) => {
  const claims = claimsOf(a.token);
  for (const header of [{ alg: 'none', typ: 'JWT' }, { alg: 'None' }, { alg: 'HS512', typ: 'JWT' }]) {
    const forged = `${b64(header)}.${b64(claims)}.`;
    expectProblem(t, await me(forged), 401, 'CHARLA_CORE_UNAUTHORIZED', `alg ${header.alg}`);
    const withSig = `${b64(header)}.${b64(claims)}.${parts(a.token)[2]}`;
    expectProblem(t, await me(withSig), 401, 'CHARLA_CORE_UNAUTHORIZED', `alg ${header.alg} with the original signature`);
  }
});

t.test('a wrong signature is refused', async (t) => {
  const [h, p] = parts(a.token);
  const otherKey = createHmac('sha256', 'some-other-secret-that-is-long-enough!').update(`${h}.${p}`).digest('base64url');
  expectProblem(t, await me(`${h}.${p}.${otherKey}`), 401, 'CHARLA_CORE_UNAUTHORIZED', 'signed with another key');
  const sig = parts(a.token)[2];
  const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
  expectProblem(t, await me(`${h}.${p}.${flipped}`), 401, 'CHARLA_CORE_UNAUTHORIZED', 'one character changed');
  expectProblem(t, await me(`${h}.${p}`), 401, 'CHARLA_CORE_UNAUTHORIZED', 'no signature part');
});

t.test('changed claims with the original signature are refused (cannot move to another account)', async (t) => {
  const b = await signup(s);
  const [h, , sig] = parts(a.token);
  const claims = claimsOf(a.token);
  for (const change of [{ acc: b.accountId }, { sub: b.userId }, { exp: (claims.exp as number) + 3600 }, { typ: 'agent', role: 'owner' }]) {
    expectProblem(t, await me(`${h}.${b64({ ...claims, ...change })}.${sig}`), 401, 'CHARLA_CORE_UNAUTHORIZED', JSON.stringify(change));
  }
});

t.test('an expired token is refused even though its session is live', async (t) => {
  const claims = claimsOf(a.token);
  const expired = tokens.sign({ typ: 'agent', sub: claims.sub as string, acc: claims.acc as string, sid: claims.sid }, -5);
  expectProblem(t, await me(expired), 401, 'CHARLA_CORE_UNAUTHORIZED');
  const fresh = tokens.sign({ typ: 'agent', sub: claims.sub as string, acc: claims.acc as string, sid: claims.sid }, 60);
  t.equal((await me(fresh)).status, 200, 'the same claims with a future exp work (control)');
});

t.test('a correctly signed agent token for another account\'s session is refused', async (t) => {
  const b = await signup(s);
  const bClaims = claimsOf(b.token);
  const mixed = tokens.sign({ typ: 'agent', sub: a.userId, acc: b.accountId, sid: bClaims.sid }, 60);
  expectProblem(t, await me(mixed), 401, 'CHARLA_CORE_UNAUTHORIZED', 'user of A with the account and session of B');
  const mixed2 = tokens.sign({ typ: 'agent', sub: b.userId, acc: a.accountId, sid: bClaims.sid }, 60);
  expectProblem(t, await me(mixed2), 401, 'CHARLA_CORE_UNAUTHORIZED', 'session of B claimed in account A');
});

t.test('a visitor token is refused where an agent is needed, and an agent token where a visitor is', async (t) => {
  const visitor = tokens.sign({ typ: 'visitor', sub: 'visitor-1', acc: a.accountId, site: 'site-1' }, 600);
  for (const [method, url] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/sites'], ['POST', '/api/v1/sites'], ['GET', '/api/v1/team/members'], ['PATCH', '/api/v1/account']] as const) {
    const res = await s.request(method, url, { token: visitor, body: method === 'GET' ? undefined : { name: 'x' } });
    expectProblem(t, res, 403, 'CHARLA_CORE_FORBIDDEN', `${method} ${url}`);
    t.match(res.body.detail, /agent/, 'the detail says an agent token is needed');
  }
  // An agent token is not a visitor token either: it never verifies as one.
  t.equal(tokens.verify(a.token, 'visitor'), null);
  t.equal(tokens.verify(visitor, 'agent'), null);
});

t.test('malformed Authorization headers are 401, never 500', async (t) => {
  for (const value of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c.d', 'Bearer ....', `Bearer ${'x'.repeat(5000)}`, 'Bearer chk_not_a_key', 'Bearer %%%.%%%.%%%', `Bearer ${b64('x')}.${b64('y')}.${b64('z')}`]) {
    const res = await s.request('GET', '/api/v1/auth/me', { headers: { authorization: value } });
    expectProblem(t, res, 401, 'CHARLA_CORE_UNAUTHORIZED', value.slice(0, 30));
  }
});

t.test('without JWT_SECRET the key is generated once and shared by instances on the same database', async (t) => {
  const store = await createTestStore();
  t.teardown(() => store.cleanup());
  const one = await startTestServer({ plugins: [], store, config: { jwtSecret: undefined }, env: { JWT_SECRET: undefined } });
  const acct = await signup(one);
  const two = await startTestServer({ plugins: [], store, config: { jwtSecret: undefined }, env: { JWT_SECRET: undefined } });
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  t.equal((await two.request('GET', '/api/v1/auth/me', { token: acct.token })).status, 200, 'a token from instance one works on instance two');
  const other = await startTestServer({ plugins: [] });
  t.teardown(() => other.close());
  expectProblem(t, await other.request('GET', '/api/v1/auth/me', { token: acct.token }), 401, 'CHARLA_CORE_UNAUTHORIZED', 'another installation does not accept it');
});

t.test('token expiry follows the server clock (the one tests and SLA timers move)', async (t) => {
  const clock = new ManualClock();
  const srv = await startTestServer({ plugins: [], clock, jobs: false });
  t.teardown(() => srv.close());
  const { tokens } = srv.app.charla.container.cradle;
  const token = tokens.sign({ typ: 'visitor', sub: 'v1', acc: 'a1' }, 60);
  t.match(tokens.verify(token, 'visitor'), { sub: 'v1', exp: Math.floor(clock.now().getTime() / 1000) + 60 });
  clock.advance(59_000);
  t.ok(tokens.verify(token, 'visitor'), 'still valid before exp');
  clock.advance(2_000);
  t.equal(tokens.verify(token, 'visitor'), null, 'expired once the clock passes exp');
});
