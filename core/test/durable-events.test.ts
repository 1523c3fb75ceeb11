import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock, definePlugin, Type } from '@charla/core';
import { createTestStore, signup, startSmtpServer, startTestServer } from '@charla/core/testing';
import { addMember } from './team-fixtures.js';
import { outboxProbe } from './fixtures/outbox-probe.js';

// Domain events from the transactional outbox: the deliveries are written in the
// emitting transaction, survive a crash, run at least once per handler with the event's
// id as idempotency key; wildcard subscriptions; the runtime catalogue.

const child = new URL('./fixtures/outbox-crash-child.ts', import.meta.url);

/** Runs the crashing instance and returns the site it created once it is dead. */
function crashingInstance(store: object, mode: 'after-commit' | 'in-handler'): Promise<{ siteId: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import=tsx', '--conditions=charla-source', fileURLToPath(child)], {
      env: { ...process.env, CHARLA_TEST_STORE: JSON.stringify(store), CRASH: mode },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      const m = /site (\S+)/.exec(out);
      if (!m) reject(new Error(`the child printed no site: ${out}`));
      else resolve({ siteId: m[1], signal });
    });
  });
}

for (const mode of ['after-commit', 'in-handler'] as const) {
  t.test(`a process killed ${mode === 'after-commit' ? 'between the commit and the handler' : 'while the handler runs'} loses no event: another instance delivers it`, async (t) => {
    const store = await createTestStore();
    t.teardown(() => store.cleanup());
    const { cleanup: _c, ...shared } = store;
    const crashed = await crashingInstance(shared, mode);
    t.equal(crashed.signal, 'SIGKILL', 'the first instance was killed');

    const clock = new ManualClock();
    const seen: Array<{ siteId: string; id: string; attempt: number }> = [];
    const s = await startTestServer({ store, clock, jobs: false, plugins: [outboxProbe((p, e) => void seen.push({ siteId: p.siteId, id: e.id, attempt: e.attempt }))] });
    t.teardown(() => s.close());
    const { events } = s.app.charla.container.cradle;
    if (mode === 'in-handler') {
      await events.drain();
      t.same(seen, [], 'not while the dead instance still holds the lease');
      clock.advance(31_000);
    }
    await events.drain();
    t.equal(seen.length, 1, 'delivered once');
    t.equal(seen[0]?.siteId, crashed.siteId, "it is the crashed instance's event");
    t.equal(seen[0]?.attempt, mode === 'in-handler' ? 2 : 1, mode === 'in-handler' ? 'as a second attempt' : 'as the first attempt');
    await events.drain();
    t.equal(seen.length, 1, 'and not again');
  });
}

t.test('redelivery: a failed handler is retried with the same event id, and an idempotent handler applies it once', async (t) => {
  const clock = new ManualClock();
  const applied = new Map<string, string>();
  const attempts: Array<{ id: string; attempt: number }> = [];
  const s = await startTestServer({
    clock, jobs: false,
    plugins: [outboxProbe((p, e) => {
      attempts.push({ id: e.id, attempt: e.attempt });
      // The effect is keyed by the event id: a redelivery finds it done.
      if (!applied.has(e.id)) applied.set(e.id, p.siteId);
      if (e.attempt === 1) throw new Error('crashed after the effect, before acknowledging');
    })],
  });
  t.teardown(() => s.close());
  const { events } = s.app.charla.container.cradle;
  const a = await signup(s);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  await events.drain();
  t.equal(attempts.length, 1, 'first delivery failed');
  clock.advance(2_000);
  await events.drain();
  t.equal(attempts.length, 2, 'redelivered after the backoff');
  t.equal(attempts[0].id, attempts[1].id, 'with the same event id');
  t.same(attempts.map((x) => x.attempt), [1, 2]);
  t.same([...applied.values()], [site.id], 'the effect happened once');
});

t.test('rolled back: no delivery; wildcard and family subscriptions get every matching event', async (t) => {
  const got: Record<string, string[]> = { star: [], site: [], one: [] };
  const s = await startTestServer({
    jobs: false,
    plugins: [definePlugin({
      name: 'listener', version: '1.0.0',
      events: {
        '*': (_p, _c, e) => void got.star.push(e.name),
        'site.*': (_p, _c, e) => void got.site.push(e.name),
        'site.deleted': (_p, _c, e) => void got.one.push(e.name),
      },
    })],
  });
  t.teardown(() => s.close());
  const { db, events } = s.app.charla.container.cradle;
  await t.rejects(db.transaction(async () => {
    events.emit('site.created', { accountId: 'nobody', siteId: 'nothing' });
    throw new Error('roll back');
  }));
  await events.drain();
  t.same(got, { star: [], site: [], one: [] }, 'an event of a rolled-back transaction is never delivered');

  const a = await signup(s);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  await s.request('DELETE', `/api/v1/sites/${site.id}`, { token: a.token });
  await events.drain();
  t.same(got.star.sort(), ['account.created', 'site.created', 'site.deleted', 'user.created'], "'*' gets every event");
  t.same(got.site.sort(), ['site.created', 'site.deleted'], "'site.*' gets the site events");
  t.same(got.one, ['site.deleted']);
});

t.test('the event catalogue: core and plugin events with their payload schemas, for admins', async (t) => {
  const smtp = await startSmtpServer();
  const s = await startTestServer({ plugins: [outboxProbe(() => undefined)], config: { smtpUrl: smtp.url } });
  t.teardown(async () => {
    await s.close();
    await smtp.close();
  });
  const owner = await signup(s);
  const res = await s.request('GET', '/api/v1/events/catalogue', { token: owner.token });
  t.equal(res.status, 200);
  const byName = new Map((res.body.events as Array<{ name: string; owner: string; schema: { properties: Record<string, unknown> } }>).map((e) => [e.name, e]));
  t.match(byName.get('site.created'), { owner: 'core', schema: { type: 'object', properties: { accountId: { type: 'string' }, siteId: { type: 'string' } } } });
  t.match(byName.get('outbox-probe.noticed'), { owner: 'outbox-probe' });
  t.same(s.app.charla.container.cradle.events.catalogue().map((e) => e.name), [...byName.keys()], 'the same list as ctx.events.catalogue()');
  const agent = await addMember(s, smtp, owner.token, 'agent');
  t.equal((await s.request('GET', '/api/v1/events/catalogue', { token: agent.token })).status, 403, 'agents may not read it');

  await t.rejects(startTestServer({ plugins: [definePlugin({ name: 'dup', version: '1.0.0', emits: { 'site.created': Type.Object({}) } })] }), /event "site.created" is defined twice \(by core and dup\)/);
});

t.test('the outbox writes no delivery that nobody wants: a `when` filter, or a plugin off for the account', async (t) => {
  const got: string[] = [];
  const asked: string[] = [];
  const s = await startTestServer({
    jobs: false,
    plugins: [
      definePlugin({
        name: 'picky', version: '1.0.0',
        events: {
          'site.*': {
            // Runs as the event is emitted, in its transaction: a name the plugin wants.
            when: (p, _c, name) => {
              asked.push(name);
              return name === 'site.created' && p.accountId !== 'ignored';
            },
            handle: (p, _c, e) => void got.push(`${e.name}:${p.siteId}`),
          },
        },
      }),
      definePlugin({ name: 'switchable', version: '1.0.0', events: { 'site.created': () => undefined } }),
    ],
  });
  t.teardown(() => s.close());
  const { db, events, jobs } = s.app.charla.container.cradle;
  const deliveries = async () => (await db.withoutTenant('test: read outbox', () => jobs.model.findAll({ where: { type: 'core.event' } })))
    .map((r) => (typeof r.get('payload') === 'string' ? JSON.parse(r.get('payload') as string) : r.get('payload')) as { name: string; subscriber: string });
  const a = await signup(s);
  t.equal((await s.request('PATCH', '/api/v1/plugins/switchable', { token: a.token, body: { enabled: false } })).status, 200);
  const site = (await s.request('POST', '/api/v1/sites', { token: a.token, body: { name: 'Shop' } })).body;
  await s.request('PATCH', `/api/v1/sites/${site.id}`, { token: a.token, body: { name: 'Shop 2' } });
  await db.transaction(async () => events.emit('site.created', { accountId: 'ignored', siteId: 'x' }));
  const written = (await deliveries()).filter((d) => d.name.startsWith('site.')).map((d) => `${d.subscriber}:${d.name}:${(d as unknown as { payload: { accountId: string } }).payload.accountId}`).sort();
  t.same(written, [`picky:site.*:site.created:${a.accountId}`, 'switchable:site.created:site.created:ignored'],
    "picky gets the one event its filter wants; switchable, off for A, gets no delivery for A's site (it is on for the other account)");
  t.ok(asked.includes('site.updated') && asked.includes('site.created'), 'the filter was asked for each matching event');
  await events.drain();
  t.same(got, [`site.created:${site.id}`]);
});
