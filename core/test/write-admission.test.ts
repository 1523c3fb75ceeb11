import t from 'tap';
import { definePlugin } from '@charla/core';
import { backend, startTestServer } from '@charla/core/testing';

// Admission control for the SQLite write queue: past SQLITE_MAX_QUEUED_WRITES waiting
// write transactions, a request that writes is refused at once (503 problem+json with
// Retry-After) instead of queueing without bound; the writes already queued complete.

if (backend.postgres) {
  t.comment('PostgreSQL has no in-process write queue: admission control applies to SQLite only');
  t.pass('skipped on PostgreSQL');
} else {
  let hold: Promise<void> = Promise.resolve();
  let started!: () => void;
  const writes = definePlugin({
    name: 'writes',
    version: '1.0.0',
    required: true,
    routes(app, ctx) {
      // Holds the write lock until the test releases it, then joins a nested transaction
      // (while the queue is still full).
      app.post('/api/v1/test/hold', { config: { auth: 'public' } }, async () => {
        const nested = await ctx.db.transaction(async () => {
          started();
          await hold;
          return ctx.db.transaction(() => app.charla.db.query<{ n: number }>('SELECT 3 AS n'));
        });
        return { held: true, nested: nested[0].n };
      });
      app.post('/api/v1/test/write', { config: { auth: 'public' } }, async () => {
        const [row] = await ctx.db.transaction(() => app.charla.db.query<{ n: number }>('SELECT 1 AS n'));
        return { wrote: row.n };
      });
    },
  });

  const s = await startTestServer({ plugins: [writes], config: { sqliteMaxQueuedWrites: 2 }, jobs: false });
  const db = s.app.charla.db;
  t.teardown(() => s.close());

  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  t.test('a full write queue refuses new request writes with 503 + Retry-After; queued writes still complete', async (t) => {
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const holding = new Promise<void>((r) => (started = r));
    const first = s.request('POST', '/api/v1/test/hold');
    await holding;
    t.equal(db.queuedWrites, 0, 'the running transaction is not counted as waiting');

    const queued = [s.request('POST', '/api/v1/test/write'), s.request('POST', '/api/v1/test/write')];
    await until(() => db.queuedWrites === 2, 'two queued writes');

    const refused = await s.request('POST', '/api/v1/test/write');
    t.equal(refused.status, 503, 'the third waiting write is refused');
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.equal(refused.headers['retry-after'], '1');
    t.match(refused.body, { status: 503, code: 'CHARLA_CORE_OVERLOADED', detail: /busy: 2 writes are already waiting.*Retry/ });
    t.equal(db.queuedWrites, 2, 'the refused write did not join the queue');

    // Background work (event handlers) started from a request still queues past the bound.
    await t.rejects(db.limitWrites(() => db.transaction(() => db.query('SELECT 2 AS n'))), { code: 'CHARLA_CORE_OVERLOADED' }, 'a request\'s own write is refused');
    const background = db.limitWrites(() => db.unlimitedWrites(() => db.transaction(() => db.query('SELECT 2 AS n'))));
    await until(() => db.queuedWrites === 3, 'the background write to queue');

    release();
    t.same((await first).body, { held: true, nested: 3 }, 'a transaction nested in the running one joins it, full queue or not');
    const done = await Promise.all(queued);
    t.same(done.map((r) => [r.status, r.body]), [[200, { wrote: 1 }], [200, { wrote: 1 }]], 'the writes that were queued complete');
    t.same(await background, [{ n: 2 }], 'and so does the background one');
    t.equal(db.queuedWrites, 0, 'the queue is empty again');

    const after = await s.request('POST', '/api/v1/test/write');
    t.equal(after.status, 200, 'once the queue drains, writes are accepted again');
  });
}
