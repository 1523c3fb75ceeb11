/**
 * Daily rollups: the job writes whole days (idempotently), the overview reads them for
 * whole past days and computes the rest live, and the figures are the same either way.
 */
import t from 'tap';
import { fixture } from './fixture.js';
import { startEnv, visitorWrites } from './helpers.js';

t.test('rollups give the live figures, are used for whole past days, and are recomputed', async (t) => {
  const env = await startEnv();
  t.teardown(() => env.close());
  const { s, clock } = env;
  const f = await fixture(env);
  const jobs = s.app.charla.container.cradle.jobs;
  const settings = (rollups: boolean) => s.request('PATCH', '/api/v1/plugins/reports', { token: f.o.token, body: { settings: { timezone: 'Europe/Madrid', rollups } } });
  const get = async (q: string) => {
    const r = await s.request('GET', `/api/v1/reports/overview?${q}`, { token: f.o.token });
    t.equal(r.status, 200, r.text.slice(0, 200));
    return r.body;
  };
  const queries = ['from=2026-10-23&to=2026-10-26', 'from=2026-10-24T22:00:00Z&to=2026-10-27T09:00:00Z', `from=2026-10-01&to=2026-10-27&siteId=${f.blog.id}`, 'from=2026-10-23&to=2026-10-26&timezone=UTC', ''];

  await settings(false);
  const live = [];
  for (const q of queries) live.push(await get(q));

  await settings(true);
  await jobs.enqueue('reports.rollup', { accountId: f.o.accountId }, { accountId: f.o.accountId });
  await jobs.runDue(['reports.rollup']);
  await jobs.idle(); // the background worker may have taken it first
  for (const [i, q] of queries.entries()) t.same(await get(q), live[i], `with rollups, the same figures: ${q || '(default range)'}`);

  // A conversation written into a rolled-up day behind the job's back: the rollup answers (stale) until the next run.
  clock.set('2026-10-23T12:00:00Z');
  await visitorWrites(s, f.shop.appId, { url: 'https://shop.example/late' });
  clock.set('2026-10-27T09:00:00Z');
  t.equal((await get(queries[0])).conversations.byDay[0].count, 1, 'the whole past day comes from its rollup row');
  const partial = await get('from=2026-10-23T12:00:00Z&to=2026-10-24T00:00:00Z');
  t.equal(partial.conversations.total, 2, 'a partial day is computed live');

  await jobs.enqueue('reports.rollup', { accountId: f.o.accountId }, { accountId: f.o.accountId });
  await jobs.runDue(['reports.rollup']);
  await jobs.idle(); // the background worker may have taken it first
  const after = await get(queries[0]);
  t.equal(after.conversations.byDay[0].count, 2, 'the next run recomputes the recent days');
  await jobs.enqueue('reports.rollup', { accountId: f.o.accountId }, { accountId: f.o.accountId });
  await jobs.runDue(['reports.rollup']);
  await jobs.idle(); // the background worker may have taken it first
  t.same(await get(queries[0]), after, 'running again changes nothing (idempotent)');
  await settings(false);
  t.same(await get(queries[0]), after, 'and equals the live figures');
});
