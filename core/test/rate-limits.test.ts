import t, { type Test } from 'tap';
import { backend, createTestStore, requirePart, signup, startTestServer, type TestServer } from '@charla/core/testing';
import { expectProblem } from './expect-problem.js';

// Rate limits on authentication (API.md): failed logins per account e-mail and auth
// requests per IP → 429 with Retry-After; X-Forwarded-For believed only under TRUST_PROXY.

let nextIp = 1;
/** A login from its own IP address, so only the per-e-mail limit applies. */
const login = async (s: TestServer, email: string, password: string) => {
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: `192.0.2.${nextIp++}` });
  return { status: res.statusCode, body: res.json(), headers: res.headers as Record<string, unknown>, text: res.body };
};

function expect429(t: Test, res: Awaited<ReturnType<TestServer['request']>>, windowSeconds: number, what: string) {
  expectProblem(t, res, 429, 'CHARLA_CORE_RATE_LIMITED', what);
  const retry = Number(res.headers['retry-after']);
  t.ok(Number.isInteger(retry) && retry >= 1 && retry <= windowSeconds, `${what}: Retry-After ${res.headers['retry-after']} is whole seconds within the window`);
}

// One server for the per-e-mail and per-IP limits: each test uses its own addresses.
const s = await startTestServer({ plugins: [], config: { rateLimits: { loginFailuresPerEmail: { max: 3, windowSeconds: 60 }, authPerIp: { max: 5, windowSeconds: 60 } } as never } });
t.teardown(() => s.close());
const from = async (ip: string, url: string, payload: unknown, headers: Record<string, string> = {}) => {
  const res = await s.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: ip, headers });
  return { status: res.statusCode, body: res.json(), headers: res.headers as Record<string, unknown>, text: res.body };
};

t.test('failed logins per e-mail: over the limit → 429 with Retry-After, even with the right password', async (t) => {
  const a = await signup(s);
  const b = await signup(s);

  // A good login clears the failures counted so far.
  for (let i = 0; i < 2; i++) expectProblem(t, await login(s, a.email, 'wrong'), 401, 'CHARLA_CORE_BAD_CREDENTIALS', `failure ${i + 1}`);
  t.equal((await login(s, a.email, a.password)).status, 200, 'a good login before the limit');
  for (let i = 0; i < 3; i++) expectProblem(t, await login(s, a.email, 'wrong'), 401, 'CHARLA_CORE_BAD_CREDENTIALS', `failure ${i + 1} after the reset`);

  expect429(t, await login(s, a.email, 'wrong'), 60, 'the 4th failure');
  expect429(t, await login(s, a.email, a.password), 60, 'the right password while locked');
  expect429(t, await login(s, a.email.toUpperCase(), a.password), 60, 'another case of the same e-mail');
  t.equal((await login(s, b.email, b.password)).status, 200, 'another e-mail is not affected');
  t.equal((await s.request('GET', '/api/v1/auth/me', { token: a.token })).status, 200, 'existing sessions go on');
});

t.test('auth requests per IP: over the limit → 429 with Retry-After; another IP goes on', async (t) => {
  for (let i = 0; i < 5; i++) t.equal((await from('10.0.0.1', '/api/v1/auth/password/forgot', { email: `x${i}@example.com` })).status, 202, `request ${i + 1}`);
  const res = await from('10.0.0.1', '/api/v1/auth/login', { email: 'x@example.com', password: 'whatever' });
  expect429(t, res, 60, 'the 6th auth request from one IP');
  t.match(res.body.detail, /authentication requests/);
  t.equal((await from('10.0.0.1', '/api/v1/auth/signup', { accountName: 'A', name: 'A', email: 'new@example.com', password: 'quiet-harbor-lamp-42' })).status, 429, 'every credential endpoint counts');
  t.equal((await from('10.0.0.2', '/api/v1/auth/password/forgot', { email: 'y@example.com' })).status, 202, 'another IP is not affected');
  t.equal((await s.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode, 200, 'non-auth routes are not limited by it');
});

t.test('X-Forwarded-For is ignored unless TRUST_PROXY says so', async (t) => {
  const spoofed = [];
  for (let i = 0; i < 7; i++) spoofed.push((await from('10.1.1.1', '/api/v1/auth/password/forgot', { email: 'z@example.com' }, { 'x-forwarded-for': `203.0.113.${i}` })).status);
  t.same(spoofed, [202, 202, 202, 202, 202, 429, 429], 'without TRUST_PROXY a forged X-Forwarded-For does not reset the limit');

  const proxied = await startTestServer({ plugins: [], config: { rateLimits: { authPerIp: { max: 2, windowSeconds: 60 } } as never, trustProxy: true } });
  t.teardown(() => proxied.close());
  const forgot = async (xff: string) => (await proxied.app.inject({ method: 'POST', url: '/api/v1/auth/password/forgot', payload: { email: 'z@example.com' }, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': xff } })).statusCode;
  const viaProxy = [];
  for (let i = 0; i < 4; i++) viaProxy.push(await forgot(`203.0.113.${i}`));
  t.same(viaProxy, [202, 202, 202, 202], 'with TRUST_PROXY each client IP has its own bucket');
  const same = [];
  for (let i = 0; i < 3; i++) same.push(await forgot('198.51.100.7'));
  t.same(same, [202, 202, 429], 'and one client behind the proxy is still limited');
});

t.test('with Redis, the counters are shared by every instance', async (t) => {
  if (!requirePart('Redis (REDIS_URL)', backend.redis, t)) return;
  const store = await createTestStore();
  const limits = { loginFailuresPerEmail: { max: 2, windowSeconds: 60 } } as never;
  const one = await startTestServer({ plugins: [], store, config: { rateLimits: limits } });
  const two = await startTestServer({ plugins: [], store, config: { rateLimits: limits } });
  t.teardown(async () => {
    await one.close();
    await two.close();
    await store.cleanup();
  });
  const a = await signup(one);
  t.equal((await login(one, a.email, 'wrong')).status, 401);
  t.equal((await login(two, a.email, 'wrong')).status, 401);
  expect429(t, await login(one, a.email, a.password), 60, 'locked on instance one by failures counted on both');
  expect429(t, await login(two, a.email, a.password), 60, 'and on instance two');
});
