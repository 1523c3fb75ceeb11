import t from 'tap';
import { ManualClock } from '@charla/core';
import { createTestStore, signup, startTestServer } from '@charla/core/testing';

// The jobs table (transactional outbox): a job exists exactly when its transaction
// commits; failures retry with backoff; a job that keeps failing ends dead; several
// instances on one database never run a job twice.

interface JobRow { id: string; status: string; attempts: number; maxAttempts: number; runAt: Date; lastError: string | null; lockedBy: string | null }

t.test('enqueue inside a transaction that rolls back leaves no job; after commit the job runs', async (t) => {
  const s = await startTestServer({ plugins: [] });
  t.teardown(() => s.close());
  const { db, jobs } = s.app.charla.container.cradle;
  const ran: string[] = [];
  jobs.register<{ tag: string }>('test.record', async (payload) => void ran.push(payload.tag));
  const row = (id: string) => db.withoutTenant('test: read job', () => jobs.model.findByPk(id));

  let rolledBackId = '';
  await t.rejects(db.transaction(async () => {
    rolledBackId = await jobs.enqueue('test.record', { tag: 'rolled-back' });
    // Waiting for jobs here would wait for this transaction: refused, not a hang.
    await t.rejects(jobs.runDue(), /inside a transaction/, 'runDue() refuses to run inside a transaction');
    await t.rejects(jobs.idle(), /inside a transaction/, 'idle() refuses to wait inside a transaction');
    throw new Error('abort');
  }), /abort/);
  t.ok(rolledBackId, 'enqueue returned an id inside the transaction');
  t.equal(await row(rolledBackId), null, 'no job row after the rollback');

  const id = await db.transaction(() => jobs.enqueue('test.record', { tag: 'committed' }));
  t.ok(await row(id), 'the committed job exists');
  const start = Date.now();
  while (!ran.includes('committed') && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
  t.same(ran, ['committed'], 'the worker ran the committed job, never the rolled-back one');
  const done = (await row(id))?.get({ plain: true }) as JobRow;
  for (let i = 0; i < 50 && done.status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    Object.assign(done, (await row(id))?.get({ plain: true }));
  }
  t.equal(done.status, 'done');
  t.equal(done.attempts, 1);
});

t.test('a failing handler is retried with backoff and completes; one that always fails ends dead', async (t) => {
  const clock = new ManualClock();
  const s = await startTestServer({ plugins: [], clock, jobs: false });
  t.teardown(() => s.close());
  const { db, jobs } = s.app.charla.container.cradle;
  const row = async (id: string) => (await db.withoutTenant('test: read job', () => jobs.model.findByPk(id)))!.get({ plain: true }) as JobRow;

  const attempts: Array<{ attempt: number; payload: unknown }> = [];
  jobs.register<{ n: number }>('test.flaky', async (payload, ctx) => {
    attempts.push({ attempt: ctx.attempt, payload });
    if (ctx.attempt < 3) throw new Error(`flaky failure ${ctx.attempt}`);
  });
  const id = await jobs.enqueue('test.flaky', { n: 7 });

  t.equal(await jobs.runDue(['test.flaky']), 1, 'first run');
  let r = await row(id);
  t.match(r, { status: 'pending', attempts: 1, lastError: 'flaky failure 1' });
  t.ok(new Date(r.runAt).getTime() > clock.now().getTime(), 'the retry is scheduled in the future');
  t.equal(await jobs.runDue(['test.flaky']), 0, 'not retried before its backoff');

  clock.advance(2_000);
  // ManualClock moves with real time too: the backoff is counted from the failure, which
  // happens between these two readings (not from after the row was read back).
  const before = clock.now().getTime();
  t.equal(await jobs.runDue(['test.flaky']), 1, 'second run after the backoff');
  const after = clock.now().getTime();
  r = await row(id);
  t.match(r, { status: 'pending', attempts: 2, lastError: 'flaky failure 2' });
  const runAt = new Date(r.runAt).getTime();
  t.ok(runAt - before >= 1000 && runAt - after <= 2000, `the backoff grows (${runAt - after}–${runAt - before} ms after attempt 2)`);
  t.equal(await jobs.runDue(['test.flaky']), 0);

  clock.advance(3_000);
  t.equal(await jobs.runDue(['test.flaky']), 1, 'third run');
  t.match(await row(id), { status: 'done', attempts: 3, lastError: null });
  t.same(attempts, [{ attempt: 1, payload: { n: 7 } }, { attempt: 2, payload: { n: 7 } }, { attempt: 3, payload: { n: 7 } }], 'the handler got the payload and the attempt number each time');
  clock.advance(3_600_000);
  // (An hour on, core's hourly cleanup schedule runs; the done job does not.)
  await jobs.runDue();
  t.equal(attempts.length, 3, 'a done job never runs again');

  let calls = 0;
  jobs.register('test.broken', async () => {
    calls++;
    throw new Error('always broken');
  });
  const deadId = await jobs.enqueue('test.broken', {}, { maxAttempts: 3 });
  for (let i = 0; i < 6; i++) {
    await jobs.runDue();
    clock.advance(10 * 60_000);
  }
  t.equal(calls, 3, 'tried exactly maxAttempts times');
  t.match(await row(deadId), { status: 'dead', attempts: 3, lastError: 'always broken' });
  t.equal(jobs.stats.dead, 1);
  const counts = await jobs.counts();
  t.equal(counts.dead, 1, 'counted as dead');

  const defaultMax = await jobs.enqueue('test.broken', {});
  t.equal((await row(defaultMax)).maxAttempts, 8, 'maxAttempts defaults to the configured value');
});

t.test('a job whose worker died (lease expired) is claimed again', async (t) => {
  const clock = new ManualClock();
  const s = await startTestServer({ plugins: [], clock, jobs: false });
  t.teardown(() => s.close());
  const { db, jobs } = s.app.charla.container.cradle;
  const ran: string[] = [];
  jobs.register('test.lease', async (_p, ctx) => void ran.push(`attempt ${ctx.attempt}`));
  const id = await jobs.enqueue('test.lease', {});
  // As if another instance claimed it and crashed: running, leased for 30 s.
  await db.withoutTenant('test: simulate a crashed worker', () => jobs.model.update({ status: 'running', attempts: 1, lockedBy: 'dead-worker', lockedUntil: new Date(clock.now().getTime() + 30_000) } as never, { where: { id } }));
  t.equal(await jobs.runDue(['test.lease']), 0, 'not claimed while the lease holds');
  clock.advance(31_000);
  t.equal(await jobs.runDue(['test.lease']), 1, 'claimed after the lease expired');
  t.same(ran, ['attempt 2']);
});

t.test('two servers sharing one store never run the same job twice', async (t) => {
  const store = await createTestStore();
  const one = await startTestServer({ plugins: [], store });
  const two = await startTestServer({ plugins: [], store });
  t.teardown(async () => {
    await one.close();
    await two.close();
    await store.cleanup();
  });
  const runs = new Map<string, string[]>();
  for (const [name, srv] of [['one', one], ['two', two]] as const) {
    srv.app.charla.container.cradle.jobs.register('test.once', async (_p, ctx) => {
      runs.set(ctx.id, [...(runs.get(ctx.id) ?? []), name]);
      await new Promise((r) => setTimeout(r, 5));
    });
  }
  const a = await signup(one);
  const ids: string[] = [];
  const q1 = one.app.charla.container.cradle;
  const q2 = two.app.charla.container.cradle;
  for (let i = 0; i < 30; i++) {
    const q = i % 2 ? q1 : q2;
    ids.push(await q.db.transaction(() => q.jobs.enqueue('test.once', { i }, { accountId: a.accountId })));
  }
  const start = Date.now();
  while (ids.some((id) => !runs.has(id)) && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 25));
  // Give a duplicate run a chance to show up.
  await new Promise((r) => setTimeout(r, 300));
  t.equal(ids.filter((id) => runs.has(id)).length, ids.length, 'every job ran');
  const twice = [...runs.entries()].filter(([, by]) => by.length > 1);
  t.same(twice, [], 'no job ran twice');
  const statuses = (await q1.db.withoutTenant('test: job states', () => q1.jobs.model.findAll({ where: { type: 'test.once' } }))).map((r) => r.get('status'));
  t.ok(statuses.every((x) => x === 'done'), 'all done');
  t.comment(`runs by instance: one=${[...runs.values()].filter((b) => b[0] === 'one').length}, two=${[...runs.values()].filter((b) => b[0] === 'two').length}`);
});

t.test('worker slots (JOBS_CONCURRENCY): a slow job holds one slot, later jobs run beside it; never more than the limit at once', async (t) => {
  const s = await startTestServer({ plugins: [], config: { jobs: { concurrency: 3 } } });
  t.teardown(() => s.close());
  const { jobs } = s.app.charla.container.cradle;
  let running = 0;
  let peak = 0;
  const fast: string[] = [];
  let release!: () => void;
  const slowGate = new Promise<void>((r) => (release = r));
  jobs.register<{ tag: string }>('test.slow', async () => {
    running++;
    peak = Math.max(peak, running);
    await slowGate;
    running--;
  });
  jobs.register<{ tag: string }>('test.fast', async (p) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    fast.push(p.tag);
    running--;
  });
  await jobs.enqueue('test.slow', { tag: 'slow' });
  const start = Date.now();
  while (running < 1 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 8; i++) await jobs.enqueue('test.fast', { tag: `f${i}` });
  while (fast.length < 8 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
  t.equal(fast.length, 8, 'every fast job ran while the slow one still held its slot');
  t.equal(running, 1, 'the slow job is still running');
  t.ok(peak <= 3, `at most 3 jobs at once (peak ${peak})`);
  t.ok(peak >= 2, 'jobs did run side by side');
  release();
  await jobs.idle();
  t.equal(running, 0);
});
