import t from 'tap';
import { DEFAULT_RETRY_SCHEDULE, readOptions, retryDelayMs } from '../src/server/options.js';

t.test('the default retry schedule spans about three days; each delay has ±20 % jitter; Retry-After wins up to a day', async (t) => {
  const total = DEFAULT_RETRY_SCHEDULE.reduce((a, b) => a + b, 0);
  t.ok(total >= 2.9 * 86_400 && total <= 3.3 * 86_400, `about three days in all (${(total / 86_400).toFixed(2)} days)`);
  t.same(readOptions({}).retrySchedule, DEFAULT_RETRY_SCHEDULE);
  const delays = Array.from({ length: 400 }, () => retryDelayMs(DEFAULT_RETRY_SCHEDULE, 1, null));
  t.ok(delays.every((d) => d >= 240_000 && d <= 360_000), 'the 5-minute step stays within ±20 %');
  t.ok(new Set(delays).size > 100, 'and is jittered (not one value)');
  t.ok(Math.min(...delays) < 260_000 && Math.max(...delays) > 340_000, 'over the whole range');
  t.equal(retryDelayMs([5], 0, 3600), 3_600_000, 'Retry-After: 3600 pushes a 5 s retry to an hour');
  t.equal(retryDelayMs([5], 0, 10 * 86_400), 86_400_000, 'capped at a day');
  t.ok(retryDelayMs([300], 0, 1) >= 240_000, 'a shorter Retry-After does not shorten the schedule');
});

t.test('operator settings: defaults, overrides, and bad values stop the boot naming the variable', async (t) => {
  t.match(readOptions({}), { timeoutMs: 10_000, endpointConcurrency: 4, retentionDays: 30, allowedHosts: [], production: false });
  t.match(readOptions({ WEBHOOKS_RETRY_SCHEDULE: '1, 2,3', WEBHOOKS_ENDPOINT_CONCURRENCY: '2', WEBHOOKS_RETENTION_DAYS: '7', WEBHOOKS_ALLOWED_HOSTS: 'Hooks.Internal:8080, 10.0.0.5', NODE_ENV: 'production' }), {
    retrySchedule: [1, 2, 3], endpointConcurrency: 2, retentionDays: 7, allowedHosts: ['hooks.internal:8080', '10.0.0.5'], production: true,
  });
  for (const [name, value] of [['WEBHOOKS_RETRY_SCHEDULE', '5,soon'], ['WEBHOOKS_TIMEOUT_MS', '0'], ['WEBHOOKS_ENDPOINT_CONCURRENCY', '1.5'], ['WEBHOOKS_RETENTION_DAYS', '-1']]) {
    t.throws(() => readOptions({ [name]: value }), new RegExp(name), `${name}=${value} is refused`);
  }
});
