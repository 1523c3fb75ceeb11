import t from 'tap';
import { ManualClock } from '@charla/core';
import { startTestServer } from '@charla/core/testing';
import { conversations, cradle, inbox, newConversation, world } from './helpers.js';

// The inbox keeps no module-level timers or state: two servers in one process each have
// their own sweep (a schedule in their own jobs table), dashboard throttle (a job) and
// services, and a closed server leaves no timer behind.

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

t.test('two servers in one process are independent; closing them leaves no timer', async (t) => {
  const baseline = timers();
  const clockA = new ManualClock();
  const clockB = new ManualClock();
  const a = await startTestServer({ plugins: [conversations, inbox], clock: clockA, listen: true });
  const b = await startTestServer({ plugins: [conversations, inbox], clock: clockB, listen: true });
  let bClosed = false;
  t.teardown(async () => {
    if (!bClosed) await b.close();
  });
  t.not(cradle(a).inboxDashboard, cradle(b).inboxDashboard, 'each server has its own dashboard');
  t.not(cradle(a).inboxPriority, cradle(b).inboxPriority, 'and its own priority service');

  // A routing sweep on each server's own schedule: A's sweep routes A's conversation only.
  const wa = await world(a, { autoAssign: true });
  const wb = await world(b, { autoAssign: true });
  const ca = await newConversation(a, wa.site.appId, 'hello A');
  const cb = await newConversation(b, wb.site.appId, 'hello B');
  t.not(ca.id, cb.id, 'one conversation on each server');

  await cradle(a).jobs.runDue();
  const swept = async (s: typeof a) => {
    const { db, jobs } = cradle(s);
    return db.withoutTenant('test: sweep jobs', () => jobs.model.count({ where: { type: 'inbox.sweep' } }));
  };
  // (Real 15 s boundaries may pass during the test too: compare counts, not absolutes.)
  const [a0, b0] = [await swept(a), await swept(b)];
  clockA.advance(16_000);
  await cradle(a).jobs.runDue();
  t.ok(await swept(a) > a0, "A's sweep fired on A's clock");
  t.ok(await swept(b) <= b0 + 1, "B's did not follow A's clock (at most a real boundary passed)");

  // Dashboard touches become a job on the touching server only.
  await cradle(a).inboxDashboard.touch(wa.owner.accountId);
  const dashboardJobs = async (s: typeof a) => {
    const { db, jobs } = cradle(s);
    return db.withoutTenant('test: dashboard jobs', () => jobs.model.count({ where: { type: 'inbox.dashboard', status: 'pending' } }));
  };
  t.ok(await dashboardJobs(a) >= 1, 'A queued a dashboard job');
  t.equal(await dashboardJobs(b), 0, 'B did not');

  await a.close();
  // B keeps working after A closed.
  const b1 = await swept(b);
  clockB.advance(16_000);
  await cradle(b).jobs.runDue();
  t.ok(await swept(b) > b1, "B's sweep still fires after A closed");

  await b.close();
  bClosed = true;
  // Give closed sockets and handles a tick to go.
  await new Promise((r) => setImmediate(r));
  t.equal(timers(), baseline, 'no timer is left once both servers are closed');
});
