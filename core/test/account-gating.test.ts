import t from 'tap';
import { definePlugin } from '@charla/core';
import { backend, createTestStore, signup, startTestServer } from '@charla/core/testing';

// One per-account gate in core: a plugin turned off for an account runs none of its
// hooks, event handlers or jobs for that account, and runs them again as soon as it is
// turned back on (the registry's cache is dropped on the toggle, on every instance).

const seen = { hook: [] as string[], event: [] as string[], job: [] as string[] };
const gated = definePlugin({
  name: 'gated', version: '1.0.0',
  hooks: { 'team:beforeInvite': (p) => void seen.hook.push(p.accountId) },
  events: { 'site.created': (p) => void seen.event.push(p.accountId) },
  jobs: { work: async (p) => void seen.job.push(String(p.accountId)) },
});

const reset = () => {
  for (const list of Object.values(seen)) list.length = 0;
};

t.test("a plugin off for account A runs its hook, event handler and job for B, not A", async (t) => {
  const store = await createTestStore();
  const s = await startTestServer({ plugins: [gated], store });
  t.teardown(async () => {
    await s.close();
    await store.cleanup();
  });
  const { events, jobs } = s.app.charla.container.cradle;
  const a = await signup(s);
  const b = await signup(s);
  const toggle = async (who: typeof a, enabled: boolean) => t.equal((await s.request('PATCH', '/api/v1/plugins/gated', { token: who.token, body: { enabled } })).status, 200);

  /** Fires the hook (an invitation), the event (a site) and the job for each account. */
  const exercise = async () => {
    for (const who of [a, b]) {
      t.equal((await s.request('POST', '/api/v1/team/invitations', { token: who.token, body: { email: `x-${Math.random().toString(36).slice(2)}@example.com`, role: 'agent' } })).status, 201);
      t.equal((await s.request('POST', '/api/v1/sites', { token: who.token, body: { name: 'Shop' } })).status, 201);
      await jobs.enqueue('gated.work', { accountId: who.accountId }, { accountId: who.accountId });
    }
    await events.drain();
    await jobs.runDue();
    await events.drain();
  };

  await toggle(a, false);
  reset();
  await exercise();
  t.same(seen, { hook: [b.accountId], event: [b.accountId], job: [b.accountId] }, 'only B');
  const skipped = await s.app.charla.container.cradle.db.withoutTenant('test: read jobs', () =>
    jobs.model.findAll({ where: { type: 'gated.work', accountId: a.accountId } }));
  t.same(skipped.map((r) => r.get('status')), ['skipped'], "A's job is recorded as skipped, not run");

  // Back on: at once, not after the cache expires.
  await toggle(a, true);
  reset();
  await exercise();
  t.same(seen, { hook: [a.accountId, b.accountId], event: [a.accountId, b.accountId], job: [a.accountId, b.accountId] }, 'A again, right after the toggle');
});

// With Redis the toggle is announced to every instance; without it (one broker per
// instance) another instance follows when its cache entry expires (3 s).
t.test('a toggle on one instance applies on another: at once with Redis, within the cache time without', async (t) => {
  const store = await createTestStore();
  const one = await startTestServer({ plugins: [gated], store });
  const two = await startTestServer({ plugins: [gated], store });
  t.teardown(async () => {
    await one.close();
    await two.close();
    await store.cleanup();
  });
  const a = await signup(one);
  const registry = two.app.charla.container.cradle.pluginRegistry;
  t.equal(await registry.runsFor('gated', a.accountId), true, 'cached as on');
  t.equal((await one.request('PATCH', '/api/v1/plugins/gated', { token: a.token, body: { enabled: false } })).status, 200);
  const start = Date.now();
  const limit = backend.redis ? 1000 : 4000;
  let off = false;
  while (!off && Date.now() - start < limit) {
    off = !(await registry.runsFor('gated', a.accountId));
    if (!off) await new Promise((r) => setTimeout(r, 10));
  }
  const took = Date.now() - start;
  t.ok(off, `the other instance sees the plugin off after ${took} ms (limit ${limit} ms)`);
  if (!backend.redis) t.ok(took >= 2000, 'without Redis it is the cache expiry that applies it');
});
