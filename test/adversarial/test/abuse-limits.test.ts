/**
 * Abuse limits with small configured values: login brute force per account (across
 * addresses) and per IP, X-Forwarded-For spoofing without TRUST_PROXY, widget init per
 * IP, messages per visitor, oversized bodies 413. Every refusal: 429 + Retry-After.
 */
import t from 'tap';
import { boot, cid, initVisitor, isProblem } from './helpers.js';
import type { TestServer } from '@charla/core/testing';

async function post(s: TestServer, url: string, body: unknown, ip: string, headers: Record<string, string> = {}) {
  const res = await s.app.inject({ method: 'POST', url, payload: body as object, remoteAddress: ip, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.statusCode, headers: res.headers, body: res.body ? res.json() : undefined, text: res.body };
}
const limited = (r: { status: number; headers: Record<string, unknown> }) => r.status === 429 && Number(r.headers['retry-after']) >= 1;

t.test('login brute force: per account across addresses, per IP, spoofed X-Forwarded-For', async (t) => {
  const s = await boot({ config: { rateLimits: { loginFailuresPerEmail: { max: 5, windowSeconds: 60 }, authPerIp: { max: 12, windowSeconds: 60 } } as never } });
  t.teardown(() => s.close());
  const email = `brute-${Date.now()}@example.com`;
  t.equal((await post(s, '/api/v1/auth/signup', { accountName: 'B', name: 'B', email, password: 'the-real-password' }, '10.9.9.9')).status, 201);
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await post(s, '/api/v1/auth/login', { email, password: `guess-${i}` }, `10.0.0.${i + 1}`)).status);
  t.same(codes, [401, 401, 401, 401, 401], 'five wrong passwords from five addresses: 401');
  const sixth = await post(s, '/api/v1/auth/login', { email, password: 'guess-6' }, '10.0.0.99');
  t.ok(limited(sixth), 'the sixth attempt for this account, from yet another address: 429 + Retry-After');
  const right = await post(s, '/api/v1/auth/login', { email: email.toUpperCase(), password: 'the-real-password' }, '10.0.0.100');
  t.ok(limited(right), 'even the right password (and the e-mail in other case) is throttled while locked');
  const otherAccount = await post(s, '/api/v1/auth/login', { email: `other-${Date.now()}@example.com`, password: 'x' }, '10.0.0.101');
  t.equal(otherAccount.status, 401, 'another account is not locked by it');

  // Per IP: 12 auth requests a minute from one address, whatever the accounts.
  let last = 0;
  const ip = '10.1.1.1';
  for (let i = 0; i < 12; i++) last = (await post(s, '/api/v1/auth/login', { email: `spray-${i}@example.com`, password: 'x' }, ip)).status;
  t.equal(last, 401, '12 requests from one address pass');
  const thirteenth = await post(s, '/api/v1/auth/login', { email: 'spray-13@example.com', password: 'x' }, ip);
  t.ok(limited(thirteenth), 'the 13th from that address: 429 + Retry-After');
  t.ok(isProblem(thirteenth as never, [429]) || /problem\+json/.test(String(thirteenth.headers['content-type'])), 'as problem+json');
  const spoof = await post(s, '/api/v1/auth/login', { email: 'spray-14@example.com', password: 'x' }, ip, { 'x-forwarded-for': '203.0.113.7' });
  t.ok(limited(spoof), 'a spoofed X-Forwarded-For does not reset the count (TRUST_PROXY off)');
  const forgot = await post(s, '/api/v1/auth/password/forgot', { email: 'x@example.com' }, ip);
  t.ok(limited(forgot), 'the same address is throttled on forgot-password too');
  t.equal((await post(s, '/api/v1/auth/login', { email: 'spray-15@example.com', password: 'x' }, '10.1.1.2')).status, 401, 'another address is not');
});

t.test('widget init per IP, messages per visitor, huge bodies', async (t) => {
  const s = await boot({ config: { rateLimits: { widgetInitPerIp: { max: 6, windowSeconds: 60 }, messagesPerVisitor: { max: 4, windowSeconds: 10 } } as never, bodyLimitBytes: 64 * 1024 } });
  t.teardown(() => s.close());
  const owner = (await s.request('POST', '/api/v1/auth/signup', { body: { accountName: 'W', name: 'W', email: `w-${Date.now()}@example.com`, password: 'widget-password' } })).body;
  const site = (await s.request('POST', '/api/v1/sites', { token: owner.token, body: { name: 'S' } })).body;
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await post(s, '/api/v1/widget/init', { appId: site.appId }, '10.2.2.2')).status);
  t.same(statuses.slice(0, 6), [200, 200, 200, 200, 200, 200], 'six inits from one address');
  t.equal(statuses[6], 429, 'the seventh: 429');
  const bogus = await post(s, '/api/v1/widget/init', { appId: 'does-not-exist' }, '10.2.2.2');
  t.ok(limited(bogus), 'unknown appIds count too (no free enumeration)');
  t.equal((await post(s, '/api/v1/widget/init', { appId: site.appId }, '10.2.2.3')).status, 200, 'another address is served');

  const v = await initVisitor(s, site.appId);
  const sends: number[] = [];
  for (let i = 0; i < 4; i++) sends.push((await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: `m${i}`, clientId: cid() } })).status);
  t.same(sends, [201, 201, 201, 201], 'four messages pass');
  const fifth = await s.request('POST', '/api/v1/widget/messages', { token: v.token, body: { content: 'm5', clientId: cid() } });
  t.ok(limited(fifth), 'the fifth in 10 s: 429 + Retry-After');
  const viaNew = await s.request('POST', '/api/v1/widget/conversations', { token: v.token, body: { content: 'bypass?', clientId: cid() } });
  t.ok(limited(viaNew), 'starting a new conversation does not bypass the message limit');
  const v2 = await initVisitor(s, site.appId);
  t.equal((await s.request('POST', '/api/v1/widget/messages', { token: v2.token, body: { content: 'hi', clientId: cid() } })).status, 201, 'another visitor is not throttled by it');

  // Oversized bodies: 413 problem+json, before parsing, on every kind of route.
  const big = 'x'.repeat(200 * 1024);
  for (const [url, token, body] of [
    ['/api/v1/auth/login', undefined, { email: 'a@example.com', password: big }],
    ['/api/v1/widget/init', undefined, { appId: site.appId, page: { url: big } }],
    ['/api/v1/widget/messages', v2.token, { content: big, clientId: cid() }],
    ['/api/v1/sites', owner.token, { name: big }],
  ] as const) {
    const r = await s.request('POST', url, { token, body });
    t.ok(isProblem(r, [413]), `${url} with a 200 KB body: 413 (${r.status})`);
  }
  const lying = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: '{"email":"a@example.com","password":"x"}', headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) } });
  t.ok(lying.statusCode === 413 || lying.statusCode === 400, `a Content-Length of 10 MB: ${lying.statusCode}`);
  const nested = `${'['.repeat(20000)}${']'.repeat(20000)}`;
  const deep = await s.request('POST', '/api/v1/auth/login', { raw: nested });
  t.ok(deep.status === 400 || deep.status === 413, `20k-deep JSON: ${deep.status}, not a crash`);
  t.equal((await s.request('GET', '/healthz')).status, 200, 'still healthy');
});
