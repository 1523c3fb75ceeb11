/**
 * The filter language end to end, over real data: every field and operator, nesting,
 * type errors, injection attempts, paging, CSV. Run it on SQLite and on PostgreSQL
 * (DATABASE_URL=…): the expected sets below are the same for both.
 */
import t from 'tap';
import { connectSocket, until } from '@charla/core/testing';
import { DAY, MIN, ids, ok, startEnv, visitor, world, type Req } from './helpers.js';

const { s, clock } = await startEnv({ listen: true });
t.teardown(() => s.close());
const w = await world(s);
const T0 = clock.now();

// D: seen once, ten days ago.
const D = await visitor(s, w.site.appId, { page: { url: 'https://other.example/', title: 'Other' } });
clock.advance(10 * DAY);
// A: four visits, two checkouts, enterprise.
const A = await visitor(s, w.site.appId, { locale: 'es-ES', page: { url: 'https://shop.example/pricing?x=1', title: 'Pricing' } });
A.token = (await ok(s.request('POST', '/api/v1/widget/identify', { token: A.token, body: { name: 'Ana García', email: 'ANA@acme.com', attributes: { plan: 'enterprise', seats: 50, beta: true, signedUpAt: new Date(clock.now().getTime() - 20 * DAY).toISOString() } } }))).visitorToken;
for (let i = 0; i < 3; i++) {
  clock.advance(31 * MIN);
  await ok(s.request('POST', '/api/v1/widget/page', { token: A.token, body: { url: `https://shop.example/docs/${i}`, title: `Docs ${i}` } }), 202);
}
// B: one visit, on a page whose URL has LIKE wildcards in it.
const B = await visitor(s, w.site.appId, { locale: 'en-US', page: { url: 'https://shop.example/blog/100%_off', title: 'Sale' } });
B.token = (await ok(s.request('POST', '/api/v1/widget/identify', { token: B.token, body: { name: 'Bob', email: 'bob@example.org', attributes: { plan: 'free', seats: 1 } } }))).visitorToken;
// C: from the API only (no visit, no page), a string where others have a number.
const C = await ok(s.request('POST', '/api/v1/contacts', { token: w.token, body: { externalId: 'c-1', email: 'carl@acme.com', attributes: { plan: 'enterprise', seats: 'many' } } }), 201);
await ok(s.request('POST', '/api/v1/events', { token: w.token, body: { events: [{ contact: { id: A.id }, name: 'checkout' }, { contact: { email: 'ana@acme.com' }, name: 'checkout', properties: { total: 10 } }, { contact: { externalId: 'c-1' }, name: 'demo', occurredAt: new Date(clock.now().getTime() - 3 * DAY).toISOString() }] } }), 202);
await ok(s.request('POST', '/api/v1/widget/track', { token: B.token, body: { name: 'signup' } }), 202);

const all = [A.id, B.id, C.id as string, D.id].sort();
const set = (...xs: Array<{ id: string }>) => xs.map((x) => x.id).sort();

async function search(s: Req, body: unknown) {
  return s.request('POST', '/api/v1/contacts/search', { token: w.token, body });
}
async function match(filter: unknown): Promise<string[]> {
  const r = await search(s, { filter, limit: 500 });
  if (r.status !== 200) throw new Error(`${JSON.stringify(filter)} → ${r.status} ${r.text}`);
  if (r.body.total !== r.body.contacts.length) throw new Error(`total ${r.body.total} ≠ ${r.body.contacts.length}`);
  return ids(r.body);
}
const deep = (n: number): unknown => (n === 0 ? { field: 'name', op: 'eq', value: 'x' } : { [n % 2 ? 'and' : 'or']: [deep(n - 1)] });
const f = (field: string, op: string, value?: unknown) => (value === undefined ? { field, op } : { field, op, value });

t.test('every field and operator', async (t) => {
  const cases: Array<[unknown, string[], string]> = [
    [f('name', 'eq', 'Bob'), set(B), 'name eq'],
    [f('name', 'neq', 'Bob'), set(A, C, D), 'neq includes contacts without a name'],
    [f('name', 'contains', 'GARC'), set(A), 'contains is case-insensitive'],
    [f('name', 'starts_with', 'an'), set(A), 'starts_with'],
    [f('name', 'exists'), set(A, B), 'exists'],
    [f('name', 'not_exists'), set(C, D), 'not_exists'],
    [f('email', 'eq', 'ANA@acme.com'), set(A), 'e-mails compare lower-cased'],
    [f('email', 'contains', '@acme.com'), set(A, C), 'email contains'],
    [f('externalId', 'eq', 'c-1'), set(C), 'externalId eq'],
    [f('externalId', 'exists'), set(C), 'externalId exists'],
    [f('country', 'eq', 'ES'), set(A), 'country'],
    [f('language', 'starts_with', 'en'), set(B), 'language'],
    [f('siteId', 'eq', w.site.id), all, 'siteId'],
    [f('siteId', 'eq', 'another-site'), [], 'siteId of nothing'],
    [f('lastSeenAt', 'in_last_days', 1), set(A, B, C), 'active today'],
    [f('lastSeenAt', 'not_in_last_days', 5), set(D), 'not back for 5 days'],
    [f('firstSeenAt', 'lt', new Date(T0.getTime() + DAY).toISOString()), set(D), 'firstSeenAt lt'],
    [f('firstSeenAt', 'gte', new Date(T0.getTime() + DAY).toISOString().slice(0, 10)), set(A, B, C), 'firstSeenAt gte a date'],
    [f('lastSeenAt', 'gt', new Date(clock.now().getTime() + DAY).toISOString()), [], 'lastSeenAt in the future'],
    [f('lastSeenAt', 'lte', clock.now().toISOString()), all, 'lastSeenAt lte now'],
    [f('visitCount', 'gt', 3), set(A), 'more than 3 visits'],
    [f('visitCount', 'eq', 1), set(B, D), 'visitCount eq'],
    [f('visitCount', 'neq', 1), set(A, C), 'visitCount neq'],
    [f('visitCount', 'lte', 0), set(C), 'a contact from the API has no visit yet'],
    [f('visitCount', 'gte', 4), set(A), 'visitCount gte'],
    [f('visitCount', 'lt', 1), set(C), 'visitCount lt'],
    [f('pageViewCount', 'gte', 2), set(A), 'pageViewCount'],
    [f('pageViewCount', 'eq', 0), set(C), 'pageViewCount eq 0'],
    [f('online', 'eq', false), all, 'nobody online'],
    [f('online', 'eq', true), [], 'nobody online (eq true)'],
    [f('attributes.plan', 'eq', 'enterprise'), set(A, C), 'attribute eq string'],
    [f('attributes.plan', 'neq', 'enterprise'), set(B, D), 'attribute neq includes contacts without it'],
    [f('attributes.plan', 'contains', 'ENTER'), set(A, C), 'attribute contains'],
    [f('attributes.plan', 'starts_with', 'fr'), set(B), 'attribute starts_with'],
    [f('attributes.seats', 'gt', 10), set(A), 'numeric comparison skips a string value'],
    [f('attributes.seats', 'eq', 1), set(B), 'attribute eq number'],
    [f('attributes.seats', 'lte', 50), set(A, B), 'attribute lte'],
    [f('attributes.seats', 'gte', 'm'), set(C), 'a string value compares as text'],
    [f('attributes.seats', 'eq', 'many'), set(C), 'attribute eq string where others are numbers'],
    [f('attributes.beta', 'eq', true), set(A), 'attribute eq true'],
    [f('attributes.beta', 'eq', false), [], 'attribute eq false'],
    [f('attributes.beta', 'neq', true), set(B, C, D), 'attribute neq true'],
    [f('attributes.seats', 'exists'), set(A, B, C), 'attribute exists'],
    [f('attributes.seats', 'not_exists'), set(D), 'attribute not_exists'],
    [f('attributes.signedUpAt', 'in_last_days', 30), set(A), 'a date attribute in the last 30 days'],
    [f('attributes.signedUpAt', 'not_in_last_days', 7), set(A), 'a date attribute older than a week'],
    [f('attributes.signedUpAt', 'in_last_days', 7), [], 'not in the last week'],
    [f('attributes.nothing', 'eq', 'x'), [], 'an attribute nobody has'],
    [f('events.checkout', 'gte', 2), set(A), 'event count'],
    [f('events.checkout', 'eq', 0), set(B, C, D), 'event count zero'],
    [f('events.checkout', 'neq', 2), set(B, C, D), 'event count neq'],
    [f('events.checkout', 'gt', 0), set(A), 'event gt'],
    [f('events.checkout', 'lt', 2), set(B, C, D), 'event lt'],
    [f('events.checkout', 'lte', 2), all, 'event lte'],
    [f('events.signup', 'exists'), set(B), 'did the event'],
    [f('events.signup', 'not_exists'), set(A, C, D), 'never did it'],
    [f('events.demo', 'in_last_days', 7), set(C), 'event in the last week (occurredAt)'],
    [f('events.demo', 'in_last_days', 2), [], 'occurredAt three days ago is not in the last two'],
    [f('events.demo', 'not_in_last_days', 2), all, 'not in the last two days'],
    [f('events.checkout', 'not_in_last_days', 1), set(B, C, D), 'event not in the last day'],
    [f('pages.url', 'contains', '/pricing'), set(A), 'visited a page containing'],
    [f('pages.url', 'eq', 'https://other.example/'), set(D), 'visited exactly'],
    [f('pages.url', 'neq', 'https://other.example/'), set(A, B, C), 'never visited'],
    [f('pages.url', 'starts_with', 'https://shop.example/blog/100%_'), set(B), 'LIKE wildcards in the value are literal'],
    [f('pages.url', 'contains', '%'), set(B), '% is literal'],
    [f('pages.url', 'contains', '_'), set(B), '_ is literal'],
    [f('pages.url', 'exists'), set(A, B, D), 'has pages'],
    [f('pages.url', 'not_exists'), set(C), 'has no page'],
  ];
  for (const [filter, expected, name] of cases) t.same(await match(filter), expected, name);
});

t.test('nesting: and, or, the issue\'s "enterprise, active today, more than 3 visits"', async (t) => {
  t.same(await match({ and: [f('attributes.plan', 'eq', 'enterprise'), f('lastSeenAt', 'in_last_days', 1), f('visitCount', 'gt', 3)] }), set(A));
  t.same(await match({ or: [f('name', 'eq', 'Bob'), { and: [f('externalId', 'exists'), f('email', 'contains', 'acme')] }] }), set(B, C));
  t.same(await match({ and: [{ or: [f('country', 'eq', 'ES'), f('language', 'eq', 'en-US')] }, f('events.signup', 'not_exists')] }), set(A));
  t.same(await match(undefined), all, 'no filter: everyone');
});

t.test('online: a visitor with its widget connected', async (t) => {
  const sock = await connectSocket(s.url, A.token);
  t.teardown(() => sock.close());
  await until(() => match(f('online', 'eq', true)), (x) => x.length === 1);
  t.same(await match(f('online', 'eq', true)), set(A));
  t.same(await match(f('online', 'neq', true)), set(B, C, D));
  const r = await ok(s.request('GET', `/api/v1/contacts/${A.id}`, { token: w.token }));
  t.equal(r.online, true);
});

t.test('sort and cursor paging', async (t) => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let counts: number[] = [];
  do {
    const r: any = await ok(search(s, { sort: { field: 'visitCount', order: 'desc' }, limit: 1, ...(cursor ? { cursor } : {}) }));
    t.equal(r.total, 4, 'total is the whole match, not the page');
    seen.push(...r.contacts.map((c: { id: string }) => c.id));
    counts.push(...r.contacts.map((c: { visitCount: number }) => c.visitCount));
    cursor = r.nextCursor ?? undefined;
  } while (cursor);
  t.same([...seen].sort(), all, 'every contact once across pages');
  t.same(counts, [...counts].sort((a, b) => b - a), 'in visitCount order');
  counts = [];
  cursor = undefined;
  const asc: string[] = [];
  do {
    const r: any = await ok(search(s, { sort: { field: 'lastSeenAt', order: 'asc' }, limit: 3, ...(cursor ? { cursor } : {}) }));
    asc.push(...r.contacts.map((c: { id: string }) => c.id));
    cursor = r.nextCursor ?? undefined;
  } while (cursor);
  t.equal(asc[0], D.id, 'oldest lastSeenAt first');
  t.equal(asc.length, 4);
  const bad = await search(s, { cursor: 'not-a-cursor' });
  t.equal(bad.status, 400, 'a cursor we did not hand out');
  const other = await ok(search(s, { sort: { field: 'visitCount', order: 'desc' }, limit: 1 }));
  t.equal((await search(s, { sort: { field: 'lastSeenAt', order: 'desc' }, cursor: other.nextCursor })).status, 400, 'a cursor of another sort');
});

t.test('bad filters are 400 problems naming the place', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [f('password', 'eq', 'x'), /unknown field "password"/],
    [f('name', 'like', 'x'), /unknown operator "like"/],
    [f('name', 'gt', 'a'), /name does not take gt/],
    [f('visitCount', 'gt', 'three'), /visitCount gt takes a number/],
    [f('visitCount', 'contains', '3'), /does not take contains/],
    [f('lastSeenAt', 'in_last_days', -1), /whole number of days/],
    [f('lastSeenAt', 'in_last_days', 1.5), /whole number of days/],
    [f('lastSeenAt', 'gt', 'yesterday'), /ISO-8601 date/],
    [f('online', 'eq', 'yes'), /true or false/],
    [f('events.checkout', 'gt', -1), /whole number of events/],
    [f('events.checkout', 'contains', 'x'), /does not take contains/],
    [f('pages.url', 'gt', 'x'), /does not take gt/],
    [f('attributes.plan', 'eq', { $gt: '' }), /a string, number or boolean/],
    [f('attributes.plan', 'eq', ['a']), /a string, number or boolean/],
    [f('name', 'exists', 'x'), /takes no value/],
    [f('name', 'eq'), /takes a string/],
    [{ and: [] }, /non-empty list/],
    [{ or: 'x' }, /non-empty list/],
    [{ and: [f('name', 'eq', 'x')], field: 'name' }, /stands alone/],
    [{ field: 'name', op: 'eq', value: 'x', extra: 1 }, /unknown key "extra"/],
    ['name = 1', /a filter is/],
    [deep(10), /nest at most/],
    [{ or: Array.from({ length: 101 }, () => f('name', 'eq', 'x')) }, new RegExp('at most 100')],
  ];
  for (const [filter, detail] of cases) {
    const r = await search(s, { filter });
    t.equal(r.status, 400, `${JSON.stringify(filter).slice(0, 80)} → 400`);
    t.match(r.headers['content-type'], /application\/problem\+json/);
    t.match(r.body, { code: 'CHARLA_CONTACTS_BAD_FILTER', detail }, JSON.stringify(filter).slice(0, 80));
  }
  const nested = await search(s, { filter: { and: [f('name', 'eq', 'x'), { or: [f('visitCount', 'gt', 'x')] }] } });
  t.match(nested.body.detail, /^filter\.and\[1\]\.or\[0\]\.value:/, 'the detail points into the tree');
  t.equal((await search(s, { sort: { field: 'password' } })).status, 400, 'unknown sort field');
  t.equal((await search(s, { sort: { field: 'visitCount', order: 'sideways' } })).status, 400, 'unknown sort order');
  t.equal((await search(s, { limit: 501 })).status, 400, 'limit over 500');
});

t.test('injection attempts in field names and values change nothing and find nothing', async (t) => {
  const fields = ["name' OR '1'='1", 'name; DROP TABLE visitors; --', 'attributes.x\') OR 1=1 --', 'attributes.plan"]\'', "attributes.$.plan", 'visitCount) OR (1=1', 'v.id', 'account_id'];
  for (const field of fields) {
    const r = await search(s, { filter: f(field, 'eq', 'x') });
    t.equal(r.status, 400, `field ${field} is refused`);
  }
  const values = ["x' OR '1'='1", "'; DROP TABLE visitors; --", '%', "\\' OR 1=1 --", 'enterprise\' OR attributes IS NOT NULL --'];
  for (const value of values) {
    t.same(await match(f('name', 'eq', value)), [], `name eq ${value}`);
    t.same(await match(f('attributes.plan', 'eq', value)), [], `attribute eq ${value}`);
    t.same(await match(f('pages.url', 'eq', value)), [], `pages.url eq ${value}`);
  }
  t.same(await match(f("events.x' OR 1=1 --", 'exists')), [], 'an event name is a value, not SQL');
  t.same(await match(f('name', 'contains', "'; DELETE FROM page_views; --")), []);
  t.same(await match(f('pages.url', 'exists')), set(A, B, D), 'page views are all still there');
  t.same(await match(undefined), all, 'every contact is still there');
});

t.test('CSV export of a filter\'s result', async (t) => {
  await ok(s.request('PATCH', `/api/v1/contacts/${B.id}`, { token: w.token, body: { name: '=HYPERLINK("http://evil")' } }));
  const r = await s.request('POST', '/api/v1/contacts/export.csv', { token: w.token, body: { filter: f('attributes.plan', 'exists'), sort: { field: 'visitCount', order: 'desc' } } });
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /^text\/csv/);
  t.match(r.headers['content-disposition'], /attachment; filename="contacts.csv"/);
  const lines = r.text.trim().split('\r\n');
  t.equal(lines[0], 'id,siteId,name,email,externalId,verified,country,language,firstSeenAt,lastSeenAt,visitCount,pageViewCount,online,currentUrl,attributes,createdAt');
  t.equal(lines.length, 4, 'a header and the three contacts with a plan');
  t.match(lines[1], new RegExp(`^${A.id},${w.site.id},Ana García,ana@acme.com,`), 'most visits first');
  t.ok(lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil"")"`)), 'a formula is neutralised and quoted');
  t.notOk(lines.some((l) => l.startsWith(D.id)), 'D (no plan) is not exported');
  const bad = await s.request('POST', '/api/v1/contacts/export.csv', { token: w.token, body: { filter: f('nope', 'eq', 1) } });
  t.equal(bad.status, 400);
  t.match(bad.headers['content-type'], /problem\+json/);
});
