import t, { type Test } from 'tap';
import { ManualClock, definePlugin, type CharlaPlugin, type JobContext } from '@charla/core';
import { createTestStore, signup, startTestServer } from '@charla/core/testing';

// Jobs, second edition: schedules fire once per slot across instances, dedupe keys,
// cancel, lease extension and the abort signal.

interface JobRow { id: string; type: string; status: string; attempts: number; dedupeKey: string | null; lockedUntil: Date | null; payload: Record<string, unknown> }

const rowsOf = async (s: Awaited<ReturnType<typeof startTestServer>>, type: string): Promise<JobRow[]> => {
  const { db, jobs } = s.app.charla.container.cradle;
  const rows = await db.withoutTenant('test: read jobs', () => jobs.model.findAll({ where: { type }, order: [['runAt', 'ASC']] }));
  return rows.map((r) => r.get({ plain: true }) as JobRow);
};

/** Two instances (no background worker) on one store and one clock; `plugins(n)` gives instance n's plugins. */
async function twoInstances(t: Test, clock: ManualClock, plugins: (n: number) => CharlaPlugin[] = () => []) {
  const store = await createTestStore();
  const one = await startTestServer({ plugins: plugins(1), store, clock, jobs: false });
  const two = await startTestServer({ plugins: plugins(2), store, clock, jobs: false });
  t.teardown(async () => {
    await one.close();
    await two.close();
    await store.cleanup();
  });
  return { one, q1: one.app.charla.container.cradle.jobs, q2: two.app.charla.container.cradle.jobs };
}

t.test('a plugin schedule fires once per slot across two instances sharing a database', async (t) => {
  const clock = new ManualClock();
  const runs: Array<{ by: number; slot: unknown }> = [];
  const { one, q1, q2 } = await twoInstances(t, clock, (by) => [definePlugin({
    name: 'ticker', version: '1.0.0',
    jobs: { tick: async (payload) => void runs.push({ by, slot: payload.slot }) },
    schedules: { tick: { every: '30s' } },
  })]);
  t.equal(await q1.runDue() + await q2.runDue(), 0, 'nothing runs before the first slot');
  for (let slot = 0; slot < 3; slot++) {
    clock.advance(30_000);
    // Both instances look at the same due slot; only one may fire it.
    await Promise.all([q1.runDue(), q2.runDue()]);
    await q1.runDue();
    await q2.runDue();
  }
  t.equal(runs.length, 3, `three slots, three runs (${JSON.stringify(runs)})`);
  const slots = runs.map((r) => new Date(String(r.slot)).getTime());
  t.ok(slots.every((x) => x % 30_000 === 0), 'slots are aligned to the interval');
  t.same([slots[1] - slots[0], slots[2] - slots[1]], [30_000, 30_000], 'each slot once, in order');
  const rows = await rowsOf(one, 'ticker.tick');
  t.equal(rows.length, 3, 'one job row per slot');
  t.ok(rows.every((r) => r.status === 'done'));

  clock.advance(10 * 60_000);
  await q1.runDue();
  await q2.runDue();
  t.equal(runs.length, 4, 'slots missed while no instance polled fire once, not once per missed slot');
});

t.test('cron schedules use the cron expression (UTC); bad specs are refused at boot, naming the plugin', async (t) => {
  const clock = new ManualClock();
  const runs: string[] = [];
  const s = await startTestServer({
    clock, jobs: false,
    plugins: [definePlugin({ name: 'cronny', version: '1.0.0', jobs: { five: async (p) => void runs.push(String(p.slot)) }, schedules: { five: { cron: '*/5 * * * *' } } })],
  });
  t.teardown(() => s.close());
  const { jobs } = s.app.charla.container.cradle;
  await jobs.runDue();
  const boundary = Math.ceil((clock.now().getTime() + 1) / 300_000) * 300_000;
  clock.advance(boundary - clock.now().getTime() - 2000);
  await jobs.runDue();
  t.same(runs, [], 'not before the next multiple of five minutes');
  clock.advance(3000);
  await jobs.runDue();
  await jobs.runDue();
  t.same(runs, [new Date(boundary).toISOString()], 'fired at the cron slot');

  await t.rejects(startTestServer({ plugins: [definePlugin({ name: 'bad-cron', version: '1.0.0', jobs: { x: async () => undefined }, schedules: { x: { cron: 'every tuesday' } } })] }), /plugin "bad-cron"/);
  await t.rejects(startTestServer({ plugins: [definePlugin({ name: 'bad-every', version: '1.0.0', jobs: { x: async () => undefined }, schedules: { x: { every: '5 fortnights' } } })] }), /plugin "bad-every".*not an interval/);
  await t.rejects(startTestServer({ plugins: [definePlugin({ name: 'no-job', version: '1.0.0', schedules: { x: { every: '1m' } } })] }), /plugin "no-job" schedules "x", which is not one of its jobs/);
});

t.test('dedupe keys: one waiting job per key; the key is free again once the job is claimed', async (t) => {
  const s = await startTestServer({ plugins: [], jobs: false });
  t.teardown(() => s.close());
  const { db, jobs } = s.app.charla.container.cradle;
  const seen: unknown[] = [];
  jobs.register<{ n: number }>('test.dedupe', async (p) => void seen.push(p.n));
  const a = await jobs.enqueue('test.dedupe', { n: 1 }, { dedupeKey: 'k' });
  const b = await db.transaction(() => jobs.enqueue('test.dedupe', { n: 2 }, { dedupeKey: 'k' }));
  t.equal(b, a, 'the second enqueue returns the waiting job');
  const other = await jobs.enqueue('test.dedupe', { n: 3 }, { dedupeKey: 'other' });
  t.not(other, a);
  t.equal((await rowsOf(s, 'test.dedupe')).length, 2);
  t.equal(await jobs.runDue(['test.dedupe']), 2);
  t.same(seen.sort(), [1, 3], 'the first payload wins');
  const again = await jobs.enqueue('test.dedupe', { n: 4 }, { dedupeKey: 'k' });
  t.not(again, a, 'after the run the key takes a new job');
  await jobs.runDue();
  t.same(seen.sort(), [1, 3, 4]);
});

t.test('enqueueOnce says whether it added a job or an older waiting one took the change', async (t) => {
  const s = await startTestServer({ plugins: [], jobs: false });
  t.teardown(() => s.close());
  const { jobs } = s.app.charla.container.cradle;
  const seen: unknown[] = [];
  jobs.register<{ n: number }>('test.once', async (p) => void seen.push(p.n));
  const first = await jobs.enqueueOnce('test.once', { n: 1 }, { dedupeKey: 'once' });
  t.equal(first.inserted, true, 'the first one is added');
  const second = await jobs.enqueueOnce('test.once', { n: 2 }, { dedupeKey: 'once', runAt: new Date(Date.now() + 60_000) });
  t.same(second, { id: first.id, inserted: false }, 'the second is the waiting job, not a new one');
  t.equal(await jobs.runDue(['test.once']), 1);
  t.same(seen, [1]);
  const third = await jobs.enqueueOnce('test.once', { n: 3 }, { dedupeKey: 'once' });
  t.equal(third.inserted, true, 'once the job was claimed, the key takes a new one');
  t.not(third.id, first.id);
});

t.test('cancel by id and by dedupe key; a cancelled running job sees its signal aborted', async (t) => {
  const s = await startTestServer({ plugins: [], jobs: false });
  t.teardown(() => s.close());
  const { jobs } = s.app.charla.container.cradle;
  const ran: string[] = [];
  jobs.register<{ tag: string }>('test.cancel', async (p) => void ran.push(String(p.tag)));
  const byId = await jobs.enqueue('test.cancel', { tag: 'by-id' });
  await jobs.enqueue('test.cancel', { tag: 'by-key' }, { dedupeKey: 'cancel-me' });
  await jobs.enqueue('test.cancel', { tag: 'kept' });
  t.equal(await jobs.cancel({ id: byId }), true);
  t.equal(await jobs.cancel({ dedupeKey: 'cancel-me' }), true);
  t.equal(await jobs.cancel({ dedupeKey: 'cancel-me' }), false, 'nothing left to cancel');
  await jobs.runDue();
  t.same(ran, ['kept'], 'cancelled jobs never run');
  t.same((await rowsOf(s, 'test.cancel')).map((r) => r.status).sort(), ['cancelled', 'cancelled', 'done']);
  t.equal(await jobs.cancel({ id: byId }), false, 'a cancelled job cannot be cancelled again');

  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let reason: unknown;
  jobs.register('test.long', async (_p, job) => {
    started();
    reason = await new Promise((r) => job.signal.addEventListener('abort', () => r(job.signal.reason)));
    throw new Error('stopped');
  });
  const long = await jobs.enqueue('test.long', {});
  const run = jobs.runDue(['test.long']);
  await running;
  t.equal(await jobs.cancel({ id: long }), true);
  await run;
  t.equal(reason, 'cancelled');
  t.equal((await rowsOf(s, 'test.long'))[0].status, 'cancelled', 'its failure is not recorded over the cancellation');
});

t.test('extendLease keeps a long job from being claimed again; a lost lease aborts it', async (t) => {
  const clock = new ManualClock();
  // The default lease (JOBS_LEASE_SECONDS) is 60 s.
  const { one, q1, q2 } = await twoInstances(t, clock);
  let step!: (job: JobContext) => void;
  const claimed = new Promise<JobContext>((r) => (step = r));
  let release!: () => void;
  const finish = new Promise<void>((r) => (release = r));
  const runs: string[] = [];
  q1.register('test.lease2', async (_p, job) => {
    runs.push('one');
    step(job);
    await finish;
  });
  q2.register('test.lease2', async () => void runs.push('two'));
  const id = await q1.enqueue('test.lease2', {});
  const run = q1.runDue(['test.lease2']);
  const job = await claimed;
  clock.advance(50_000);
  await job.extendLease(120_000);
  const [row] = await rowsOf(one, 'test.lease2');
  t.ok(Math.abs(new Date(row.lockedUntil!).getTime() - (clock.now().getTime() + 120_000)) < 1000, 'the lease moved out');
  clock.advance(60_000);
  t.equal(await q2.runDue(['test.lease2']), 0, 'not claimed by the other instance while the extended lease holds');
  clock.advance(61_000);
  t.equal(await q2.runDue(['test.lease2']), 1, 'claimed once the lease ran out');
  await t.rejects(job.extendLease(), /no longer leased/, 'the first worker learns it lost the lease');
  t.equal(job.signal.aborted, true);
  t.equal(job.signal.reason, 'lease-lost');
  release();
  await run;
  t.same(runs, ['one', 'two']);
  t.equal((await rowsOf(one, 'test.lease2'))[0].status, 'done');
  t.equal((await rowsOf(one, 'test.lease2'))[0].id, id);
});

t.test('shutdown aborts the signal of a running job and puts it back without spending an attempt', async (t) => {
  const store = await createTestStore();
  const one = await startTestServer({ plugins: [], store });
  t.teardown(() => store.cleanup());
  const { jobs } = one.app.charla.container.cradle;
  let started = false;
  jobs.register('test.abort', async (_p, job) => {
    started = true;
    await new Promise((_r, reject) => job.signal.addEventListener('abort', () => reject(new Error(`aborted: ${String(job.signal.reason)}`))));
  });
  await signup(one);
  await jobs.enqueue('test.abort', {});
  // The worker's timer does not hold the process open: poll with one that does.
  for (let i = 0; i < 500 && !started; i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(started, 'the worker picked the job up');
  await one.close();
  const two = await startTestServer({ plugins: [], store, jobs: false });
  t.teardown(() => two.close());
  const [row] = await rowsOf(two, 'test.abort');
  t.match(row, { status: 'pending', attempts: 0 }, 'back in the queue, attempt not spent');
  const ran: number[] = [];
  two.app.charla.container.cradle.jobs.register('test.abort', async (_p, job) => void ran.push(job.attempt));
  await two.app.charla.container.cradle.jobs.runDue();
  t.same(ran, [1], 'another instance runs it');
});

t.test('the hourly core.jobs-cleanup schedule deletes finished jobs older than a week and keeps dead ones', async (t) => {
  const clock = new ManualClock();
  const s = await startTestServer({ plugins: [], clock, jobs: false });
  t.teardown(() => s.close());
  const { db, jobs } = s.app.charla.container.cradle;
  jobs.register<{ fail?: boolean }>('test.old', async (p) => {
    if (p.fail) throw new Error('broken');
  });
  const done = await jobs.enqueue('test.old', {});
  const dead = await jobs.enqueue('test.old', { fail: true }, { maxAttempts: 1 });
  await jobs.runDue();
  const statuses = async () => Object.fromEntries((await db.withoutTenant('test: read', () => jobs.model.findAll({ where: { type: 'test.old' } }))).map((r) => [r.get('id'), r.get('status')]));
  t.same(await statuses(), { [done]: 'done', [dead]: 'dead' });
  clock.advance(6 * 86_400_000);
  await jobs.runDue();
  t.same(await statuses(), { [done]: 'done', [dead]: 'dead' }, 'kept for a week');
  clock.advance(2 * 86_400_000);
  await jobs.runDue();
  await jobs.runDue();
  t.same(await statuses(), { [dead]: 'dead' }, 'after a week the finished job is gone; the dead one stays');
});
