/**
 * The overview's figures from a fixture with known times (a clock the test sets), around
 * Madrid's DST change (2026-10-25 03:00 CEST → 02:00 CET: a 25-hour day). The same file
 * runs on SQLite and on PostgreSQL: the hand-computed numbers below hold on both.
 */
import t from 'tap';
import { fixture, SHOP } from './fixture.js';
import { isProblem, member, owner, site, startEnv, visitorWrites } from './helpers.js';

t.test('overview: exact figures, Madrid days across the DST change, filters, CSV', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  const f = await fixture(env);
  const get = (q: string, token = f.o.token) => s.request('GET', `/api/v1/reports/overview?${q}`, { token });

  const r = await get('from=2026-10-23&to=2026-10-26');
  t.equal(r.status, 200, r.text.slice(0, 300));
  const o = r.body;
  t.same(o.range, { from: '2026-10-22T22:00:00.000Z', to: '2026-10-26T23:00:00.000Z', timezone: 'Europe/Madrid', siteId: null }, 'days in the account\'s zone; Oct 25 lasts 25 hours');
  t.same(o.conversations.byDay, [{ date: '2026-10-23', count: 1 }, { date: '2026-10-24', count: 0 }, { date: '2026-10-25', count: 2 }, { date: '2026-10-26', count: 2 }], 'each conversation on its Madrid day (23:30 on the DST day included)');
  t.equal(o.conversations.total, 5);
  t.equal(o.conversations.resolved, 2);
  t.equal(o.conversations.unresolved, 3);
  t.same(o.conversations.bySite, [{ siteId: f.shop.id, name: 'Shop', count: 4 }, { siteId: f.blog.id, name: 'Blog, "News"', count: 1 }]);
  t.same(o.conversations.byChannel, [{ channel: 'web', count: 4 }, { channel: 'app', count: 1 }], 'the channel sent at widget init');
  t.same(o.firstResponse, { count: 4, averageSeconds: 128, medianSeconds: 60, p90Seconds: 300 }, '[30, 60, 120, 300]: mean 127.5 → 128, nearest-rank median and p90');
  t.same(o.resolution, { count: 2, averageSeconds: 2100, medianSeconds: 600 }, '[600, 3600]');
  t.same(o.topPages, [{ url: `${SHOP}/pricing`, conversations: 3 }, { url: `${SHOP}/help`, conversations: 1 }], 'the page each conversation started on');
  t.same(o.agents, [
    { userId: f.ana.userId, name: 'Ana', conversations: 2, replies: 3, averageFirstResponseSeconds: 210 },
    { userId: f.o.userId, name: 'Owner', conversations: 2, replies: 2, averageFirstResponseSeconds: 45 },
  ], 'assigned conversations, public replies in the range, first responses they wrote');
  t.same(o.tags, [{ tag: 'billing', count: 2 }, { tag: '=SUM(A1)', count: 1 }, { tag: 'vip', count: 1 }]);

  const utc = (await get('from=2026-10-23&to=2026-10-26&timezone=UTC')).body;
  t.same(utc.conversations.byDay.map((d: { count: number }) => d.count), [1, 1, 2, 1], 'the same conversations on UTC days');
  t.equal(utc.range.from, '2026-10-23T00:00:00.000Z');

  const blog = (await get(`from=2026-10-23&to=2026-10-26&siteId=${f.blog.id}`)).body;
  t.equal(blog.conversations.total, 1, 'the site filter');
  t.same(blog.agents.map((a: { userId: string; replies: number }) => [a.userId, a.replies]), [[f.o.userId, 1]], 'replies of that site\'s conversations only');

  const times = (await get('from=2026-10-24T22:00:00Z&to=2026-10-25T23:00:00Z')).body;
  t.equal(times.conversations.total, 2, 'ISO times bound the range exactly (c1 and c2; c3 starts at 23:30Z)');

  const def = (await get('')).body;
  t.equal(def.conversations.byDay.length, 30, 'default: the last 30 days');
  t.equal(def.conversations.byDay[29].date, '2026-10-27', 'ending today (Madrid)');
  t.equal(def.conversations.total, 6, 'all six fixture conversations are in the last 30 days');

  const empty = (await get('from=2025-01-01&to=2025-01-31')).body;
  t.same([empty.conversations.total, empty.firstResponse.averageSeconds, empty.agents, empty.tags], [0, null, [], []], 'an empty range: zeros and nulls, no error');

  // CSV
  const csv = await s.request('GET', `/api/v1/reports/conversations.csv?from=2026-10-23&to=2026-10-26`, { token: f.o.token });
  t.equal(csv.status, 200);
  t.match(String(csv.headers['content-type']), /^text\/csv/);
  t.match(String(csv.headers['content-disposition']), /^attachment; filename="conversations-2026-10-23-2026-10-26\.csv"$/);
  const lines = csv.text.split('\r\n').filter(Boolean);
  t.equal(lines.length, 6, 'a header and one row a conversation');
  t.equal(lines[0], 'conversationId,createdAt,date,siteId,site,channel,status,assigneeId,assignee,tags,startUrl,firstResponseSeconds,resolutionSeconds');
  t.equal(lines[1], `${f.c4},2026-10-23T21:59:00.000Z,2026-10-23,${f.shop.id},Shop,web,open,,,'=SUM(A1),${SHOP}/pricing,,`, 'a formula-looking cell is neutralised');
  t.equal(lines[5], `${f.c5},2026-10-26T10:00:00.000Z,2026-10-26,${f.blog.id},"Blog, ""News""",web,open,${f.o.userId},Owner,,,30,`, 'commas and quotes are quoted');
  t.equal(lines[3], `${f.c2},2026-10-25T22:30:00.000Z,2026-10-25,${f.shop.id},Shop,app,open,${f.ana.userId},Ana,billing,${SHOP}/pricing,120,`);
});

t.test('bad input, roles, tenants', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s } = env;
  env.clock.set('2026-10-01T08:00:00Z');
  const A = await owner(s);
  const B = await owner(s);
  const siteA = await site(s, A.token, 'A shop');
  const agentA = await member(env, A.token, A.accountId, 'agent', 'Agent');
  const adminA = await member(env, A.token, A.accountId, 'admin', 'Admin');
  await visitorWrites(s, siteA.appId);
  for (const [q, why, code] of [
    ['from=2026-10-10&to=2026-10-01', 'from after to', 'CHARLA_REPORTS_BAD_RANGE'],
    ['from=2025-01-01&to=2026-01-02', '367 days', 'CHARLA_REPORTS_BAD_RANGE'],
    ['from=2026-02-30', 'not a day', 'CHARLA_REPORTS_BAD_RANGE'],
    ['from=yesterday', 'not a date', 'CHARLA_REPORTS_BAD_RANGE'],
    ['from=2026-10-01T10:00:00', 'a time without its offset', 'CHARLA_REPORTS_BAD_RANGE'],
    ['timezone=Mars/Olympus', 'an unknown zone', 'CHARLA_REPORTS_BAD_TIMEZONE'],
    ['from=2026-10-01&to=2026-10-01T00:00:00Z', 'an empty range', 'CHARLA_REPORTS_BAD_RANGE'],
  ] as const) {
    for (const path of ['/api/v1/reports/overview', '/api/v1/reports/conversations.csv']) {
      const r = await s.request('GET', `${path}?${q}`, { token: A.token });
      t.ok(isProblem(r, 400, code), `${path}: ${why} → 400 ${code} (${r.status} ${r.body?.detail ?? r.text.slice(0, 100)})`);
    }
  }
  t.equal((await s.request('GET', '/api/v1/reports/overview?from=2025-01-02&to=2026-01-02', { token: A.token })).status, 200, '366 days are allowed');
  t.ok(isProblem(await s.request('GET', '/api/v1/reports/overview', { token: agentA.token }), 403), 'an agent is refused (admins only)');
  t.equal((await s.request('GET', '/api/v1/reports/overview', { token: adminA.token })).status, 200, 'an admin is served');
  t.ok(isProblem(await s.request('GET', '/api/v1/reports/conversations.csv', { token: agentA.token }), 403), 'the CSV too');
  t.ok(isProblem(await s.request('GET', '/api/v1/reports/overview'), 401), 'nobody → 401');
  t.ok(isProblem(await s.request('GET', `/api/v1/reports/overview?siteId=${siteA.id}`, { token: B.token }), 404), 'another account\'s site → 404');
  const b = await s.request('GET', '/api/v1/reports/overview', { token: B.token });
  t.equal(b.body.conversations.total, 0, 'B counts none of A\'s conversations');
  t.equal((await s.request('GET', '/api/v1/reports/conversations.csv', { token: B.token })).text.split('\r\n').filter(Boolean).length, 1, 'B\'s CSV has only the header');
});
