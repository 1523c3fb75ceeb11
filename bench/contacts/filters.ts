/**
 * Contact filters on 100,000 generated contacts (3 page views and 1–3 events each).
 * Run: `npx tsx --conditions=charla-source bench/contacts/filters.ts` (SQLite), with
 * DATABASE_URL=postgres://… REDIS_URL=… for PostgreSQL. Each filter goes through the real
 * route (POST /api/v1/contacts/search: a page of 50 and the total); the figure is the
 * median of 7 runs after a warm-up. Target: < 300 ms.
 */
import { randomUUID } from 'node:crypto';
import { signup, startTestServer } from '@charla/core/testing';
import conversations from '@charla/plugin-conversations';
import contacts from '@charla/plugin-contacts';

const N = Number(process.env.CONTACTS ?? 100_000);
const DAY = 86_400_000;
const s = await startTestServer({ plugins: [conversations, contacts] });
const db = s.app.charla.db;
const a = await signup(s);
const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Bench' } })).body;
const pg = db.dialect === 'postgres';
const when = (d: Date) => (pg ? d.toISOString() : `${d.toISOString().replace('T', ' ').replace('Z', '')} +00:00`);
const now = Date.now();
const plans = ['free', 'pro', 'enterprise'];
const countries = ['ES', 'MX', 'AR', 'US', 'DE', 'FR', 'BR', 'CO'];

// A small deterministic generator, so both databases get the same data.
let seed = 42;
const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const t0 = Date.now();
const BATCH = 500;
for (let i = 0; i < N; i += BATCH) {
  const vs: unknown[][] = [];
  const pages: unknown[][] = [];
  const events: unknown[][] = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) {
    const id = randomUUID();
    const first = new Date(now - Math.floor(rnd() * 365) * DAY);
    const last = new Date(Math.max(first.getTime(), now - Math.floor(rnd() * rnd() * 60 * DAY)));
    const visits = 1 + Math.floor(rnd() * rnd() * 20);
    const attrs = JSON.stringify({ plan: plans[Math.floor(rnd() * 3)], seats: Math.floor(rnd() * 200), beta: rnd() < 0.2 });
    vs.push([id, a.accountId, site.id, j % 3 === 0 ? `u-${j}` : null, j % 2 === 0 ? `user${j}@example.com` : null, j % 2 === 0 ? `User ${j}` : null, attrs, countries[j % 8], j % 2 ? 'es' : 'en', when(first), when(last), visits, 3, when(first), when(last)]);
    for (let p = 0; p < 3; p++) pages.push([randomUUID(), a.accountId, site.id, id, `https://shop.example/${['pricing', 'docs', 'blog', 'cart'][(j + p) % 4]}/${j % 50}`, 'Page', when(new Date(last.getTime() - p * 60_000)), when(last)]);
    for (let e = 0; e < 1 + (j % 3); e++) events.push([randomUUID(), a.accountId, site.id, id, ['signup', 'checkout', 'invite'][(j + e) % 3], '{}', when(new Date(last.getTime() - e * DAY)), when(last)]);
  }
  const insert = async (sql: string, rows: unknown[][]) => {
    const params: Record<string, unknown> = {};
    const values = rows.map((r, ri) => `(${r.map((v, ci) => ((params[`p${ri}_${ci}`] = v), `:p${ri}_${ci}`)).join(', ')})`).join(', ');
    await db.query(`${sql} VALUES ${values}`, params).catch((err: Error & { parent?: Error }) => {
      throw new Error(`${sql.slice(0, 40)}…: ${err.parent?.message ?? err.message}`);
    });
  };
  await insert('INSERT INTO visitors (id, account_id, site_id, external_id, email, name, attributes, country, language, first_seen_at, last_seen_at, visit_count, page_view_count, created_at, updated_at)', vs);
  await insert('INSERT INTO page_views (id, account_id, site_id, visitor_id, url, title, created_at, updated_at)', pages);
  await insert('INSERT INTO tracked_events (id, account_id, site_id, visitor_id, name, properties, created_at, updated_at)', events);
}
await db.query('ANALYZE');
console.log(`# ${db.dialect}: ${N} contacts, ${N * 3} page views, ${N * 2} events generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const f = (field: string, op: string, value?: unknown) => ({ field, op, ...(value === undefined ? {} : { value }) });
const filters: Array<[string, unknown, unknown?]> = [
  ['everyone (page + total)', undefined],
  ['active today', f('lastSeenAt', 'in_last_days', 1)],
  ['more than 3 visits', f('visitCount', 'gt', 3)],
  ['not back for 30 days', f('lastSeenAt', 'not_in_last_days', 30)],
  ['enterprise, active today, > 3 visits', { and: [f('attributes.plan', 'eq', 'enterprise'), f('lastSeenAt', 'in_last_days', 1), f('visitCount', 'gt', 3)] }],
  ['attributes.seats gt 150', f('attributes.seats', 'gt', 150)],
  ['email contains "99"', f('email', 'contains', '99')],
  ['country eq MX or AR', { or: [f('country', 'eq', 'MX'), f('country', 'eq', 'AR')] }],
  ['events.checkout gte 1', f('events.checkout', 'gte', 1)],
  ['did invite in the last 7 days', f('events.invite', 'in_last_days', 7)],
  ['visited a /pricing page', f('pages.url', 'contains', '/pricing/')],
  ['sorted by visits, page 2', f('visitCount', 'gt', 1), { field: 'visitCount', order: 'desc' }],
];

const rows: string[] = [];
for (const [name, filter, sort] of filters) {
  let cursor: string | undefined;
  if (name.includes('page 2')) cursor = (await s.request('POST', '/api/v1/contacts/search', { token: a.token, body: { filter, sort } })).body.nextCursor;
  const body = { ...(filter ? { filter } : {}), ...(sort ? { sort } : {}), ...(cursor ? { cursor } : {}) };
  const times: number[] = [];
  let total = 0;
  for (let r = 0; r < 8; r++) {
    const start = process.hrtime.bigint();
    const res = await s.request('POST', '/api/v1/contacts/search', { token: a.token, body });
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
    if (r > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
    total = res.body.total;
  }
  times.sort((x, y) => x - y);
  const line = `| ${name} | ${total} | ${times[3].toFixed(0)} | ${times[6].toFixed(0)} |`;
  rows.push(line);
  console.log(line);
}
await s.close();
console.log(`\n| filter (${db.dialect}, ${N} contacts) | matches | median ms | max ms |\n|---|---|---|---|\n${rows.join('\n')}`);
