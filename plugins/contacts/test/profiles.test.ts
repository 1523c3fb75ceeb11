import t from 'tap';
import { DAY, MIN, ok, startEnv, visitor, world } from './helpers.js';

t.test('profiles: language and country from the locale, sessions after 30 minutes, page views and events', async (t) => {
  const { s, clock } = await startEnv();
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId, { locale: 'es-MX', page: { url: 'https://shop.example/', title: 'Home' } });
  let c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.match(c, { id: v.id, siteId: w.site.id, language: 'es-MX', country: 'MX', visitCount: 1, pageViewCount: 1, currentUrl: 'https://shop.example/', currentTitle: 'Home', online: false });
  t.same(c.pages.map((p: { url: string; title: string }) => [p.url, p.title]), [['https://shop.example/', 'Home']]);

  clock.advance(10 * MIN);
  await ok(s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: 'https://shop.example/pricing', title: 'Pricing' } }), 202);
  c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.equal(c.visitCount, 1, 'a page 10 minutes later is the same visit');
  t.equal(c.pageViewCount, 2);
  t.equal(c.currentUrl, 'https://shop.example/pricing');
  t.same(c.pages.map((p: { url: string }) => p.url), ['https://shop.example/pricing', 'https://shop.example/'], 'pages latest first');

  clock.advance(31 * MIN);
  await ok(s.request('POST', '/api/v1/widget/page', { token: v.token, body: { url: 'https://shop.example/cart', title: 'Cart' } }), 202);
  c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.equal(c.visitCount, 2, 'after 31 minutes without activity a page starts a new visit');
  t.equal(new Date(c.lastSeenAt).getTime() - new Date(c.firstSeenAt).getTime() >= 41 * MIN, true, 'lastSeenAt moves with activity, firstSeenAt stays');

  clock.advance(45 * MIN);
  await ok(s.request('POST', '/api/v1/widget/track', { token: v.token, body: { name: 'checkout', properties: { total: 42.5, plan: 'pro' } } }), 202);
  c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.equal(c.visitCount, 3, 'an event after 45 idle minutes is a new visit too');
  t.match(c.events, [{ name: 'checkout', properties: { total: 42.5, plan: 'pro' } }]);

  clock.advance(2 * DAY);
  await visitor(s, w.site.appId, { visitorToken: v.token });
  c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.equal(c.visitCount, 4, 'coming back days later (widget boot) is a new visit');
  t.equal(c.pageViewCount, 3, 'a boot without a page adds no page view');
});

t.test('typed custom attributes from identify, the admin (PATCH) and the API (upsert)', async (t) => {
  const { s } = await startEnv();
  t.teardown(() => s.close());
  const w = await world(s);
  const v = await visitor(s, w.site.appId);
  await ok(s.request('POST', '/api/v1/widget/identify', { token: v.token, body: { name: 'Ana', email: 'ANA@example.com', attributes: { plan: 'enterprise', seats: 12, beta: true } } }));
  let c = await ok(s.request('GET', `/api/v1/contacts/${v.id}`, { token: w.token }));
  t.match(c, { name: 'Ana', email: 'ana@example.com' });
  t.same(c.attributes, { plan: 'enterprise', seats: 12, beta: true }, 'types are kept: string, number, boolean');

  c = await ok(s.request('PATCH', `/api/v1/contacts/${v.id}`, { token: w.token, body: { attributes: { seats: 15, beta: null, since: '2026-01-02T00:00:00.000Z' }, name: 'Ana M.' } }));
  t.same(c.attributes, { plan: 'enterprise', seats: 15, since: '2026-01-02T00:00:00.000Z' }, 'PATCH merges; null removes');
  t.equal(c.name, 'Ana M.');

  const created = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 'u-1', email: 'bo@example.com', name: 'Bo', attributes: { plan: 'free', mrr: 0 } } }), 201);
  t.match(created, { externalId: 'u-1', email: 'bo@example.com', name: 'Bo', verified: true, siteId: w.site.id, attributes: { plan: 'free', mrr: 0 } });
  const updated = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 'u-1', attributes: { mrr: 99 } } }), 200);
  t.equal(updated.id, created.id, 'upsert by externalId finds the same contact');
  t.same(updated.attributes, { plan: 'free', mrr: 99 });
  const byEmail = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { email: 'BO@example.com', name: 'Bo B.' } }), 200);
  t.equal(byEmail.id, created.id, 'without externalId, upsert by e-mail');
  t.equal(byEmail.name, 'Bo B.');

  const bad = await s.request('PATCH', `/api/v1/contacts/${v.id}`, { token: w.token, body: { attributes: { 'bad key!': 1 } } });
  t.equal(bad.status, 400);
  t.match(bad.headers['content-type'], /problem\+json/);
  t.match(bad.body.detail, /attribute name/);
  const nested = await s.request('PATCH', `/api/v1/contacts/${v.id}`, { token: w.token, body: { attributes: { a: { b: 1 } } } });
  t.equal(nested.status, 400, 'an object as an attribute value is refused');
});

t.test('country from the trusted proxy header only behind TRUST_PROXY', async (t) => {
  process.env.VISITOR_COUNTRY_HEADER = 'CF-IPCountry';
  t.teardown(() => void delete process.env.VISITOR_COUNTRY_HEADER);
  const trusted = await startEnv({ config: { trustProxy: true } });
  const direct = await startEnv();
  t.teardown(async () => {
    await trusted.s.close();
    await direct.s.close();
  });
  const a = await world(trusted.s);
  const va = await visitor(trusted.s, a.site.appId, { locale: 'en-US' }, { 'cf-ipcountry': 'de' });
  t.equal((await ok(trusted.s.request('GET', `/api/v1/contacts/${va.id}`, { token: a.token }))).country, 'DE', 'the proxy header wins over the locale');
  const unknown = await visitor(trusted.s, a.site.appId, {}, { 'cf-ipcountry': 'XX' });
  t.equal((await ok(trusted.s.request('GET', `/api/v1/contacts/${unknown.id}`, { token: a.token }))).country, null, 'XX (unknown) is dropped');
  const forged = await visitor(trusted.s, a.site.appId, {}, { 'cf-ipcountry': "F'; DROP" });
  t.equal((await ok(trusted.s.request('GET', `/api/v1/contacts/${forged.id}`, { token: a.token }))).country, null, 'anything but two letters is dropped');

  const b = await world(direct.s);
  const vb = await visitor(direct.s, b.site.appId, {}, { 'cf-ipcountry': 'DE' });
  t.equal((await ok(direct.s.request('GET', `/api/v1/contacts/${vb.id}`, { token: b.token }))).country, null, 'without TRUST_PROXY the header is ignored (a client could forge it)');
});
