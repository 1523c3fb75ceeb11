import t from 'tap';
import { backoffDelay } from '../src/backoff.js';

t.test('full jitter: delay is uniform in [0, min(max, base*2^n))', async (t) => {
  t.equal(backoffDelay(0, { baseMs: 500 }, () => 0), 0, 'random 0 gives 0');
  t.equal(backoffDelay(0, { baseMs: 500 }, () => 0.999999), 499);
  t.equal(backoffDelay(3, { baseMs: 500 }, () => 0.5), 2000, 'window doubles per attempt');
  t.equal(backoffDelay(20, { baseMs: 500, maxMs: 30_000 }, () => 0.999999), 29_999, 'capped at maxMs');
  t.equal(backoffDelay(5000, {}, () => 0.5), 15_000, 'huge attempts do not overflow');
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(4, { baseMs: 100 });
    t.ok(d >= 0 && d < 1600, 'within window');
  }
});
