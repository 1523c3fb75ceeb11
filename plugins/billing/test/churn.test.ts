import t from 'tap';
import { activityOf, periodOf } from '../src/server/index.js';

const DAY = 86_400_000;
const now = new Date('2026-06-15T12:00:00Z');
const ago = (d: number) => new Date(now.getTime() - d * DAY);

t.test('churn risk: none for 14 days is high, down by half is medium, otherwise low', async (t) => {
  t.match(activityOf({ createdAt: ago(100), now, last30: 0, previous30: 10, lastActivityAt: ago(14) }), { churnRisk: 'high', trend: -1 }, '14 days quiet');
  t.match(activityOf({ createdAt: ago(100), now, last30: 3, previous30: 3, lastActivityAt: ago(13.9) }), { churnRisk: 'low', trend: 0 }, '13.9 days quiet, steady');
  t.match(activityOf({ createdAt: ago(20), now, last30: 0, previous30: 0, lastActivityAt: null }), { churnRisk: 'high', trend: null, lastActivityAt: null }, 'never active, 20 days old');
  t.match(activityOf({ createdAt: ago(3), now, last30: 0, previous30: 0, lastActivityAt: null }), { churnRisk: 'low' }, 'a new account has not had 14 days yet');
  t.match(activityOf({ createdAt: ago(100), now, last30: 5, previous30: 10, lastActivityAt: ago(1) }), { churnRisk: 'medium', trend: -0.5, conversationsLast30Days: 5 }, 'exactly half');
  t.match(activityOf({ createdAt: ago(100), now, last30: 6, previous30: 10, lastActivityAt: ago(1) }), { churnRisk: 'low', trend: -0.4 }, 'down, but less than half');
  t.match(activityOf({ createdAt: ago(100), now, last30: 4, previous30: 0, lastActivityAt: ago(1) }), { churnRisk: 'low', trend: null }, 'no base to compare with');
  t.equal(activityOf({ createdAt: ago(100), now, last30: 1, previous30: 1, lastActivityAt: ago(2) }).lastActivityAt, ago(2).toISOString());
});

t.test('the billing period is the calendar month, UTC', async (t) => {
  t.same(periodOf(new Date('2026-02-28T23:59:59Z')), { start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-03-01T00:00:00Z') });
  t.same(periodOf(new Date('2026-12-01T00:00:00Z')), { start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
});
