import type { Redis } from 'ioredis';
import { CoreErrors } from '../errors.js';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters: in memory on one node, in Redis (shared by every instance)
 * when REDIS_URL is set. `hit` counts; `peek` reads without counting; `reset` clears
 * (e.g. failed-login counter after a good login).
 */
export class RateLimiter {
  private readonly mem = new Map<string, { count: number; resetAt: number }>();
  private sweep: NodeJS.Timeout;

  constructor(private readonly redis?: Redis, private readonly prefix = 'charla:') {
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [k, v] of this.mem) if (v.resetAt <= now) this.mem.delete(k);
    }, 30_000);
    this.sweep.unref();
  }

  /** Redis when it answers; while it is down, this instance's own counters (limits still apply, per instance). */
  private redisUp(): Redis | undefined {
    return this.redis && !['close', 'reconnecting', 'end'].includes(this.redis.status) ? this.redis : undefined;
  }

  async hit(key: string, limit: Limit, count = 1): Promise<RateResult> {
    const windowMs = limit.windowSeconds * 1000;
    const redis = this.redisUp();
    if (redis) {
      const k = `${this.prefix}rl:${key}`;
      const res = await redis.multi().incrby(k, count).pexpire(k, windowMs, 'NX').pttl(k).exec().catch(() => null);
      if (res) {
        const n = Number(res[0]?.[1] ?? 0);
        const ttl = Math.max(0, Number(res[2]?.[1] ?? windowMs));
        return { allowed: n <= limit.max, remaining: Math.max(0, limit.max - n), retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
      }
    }
    const now = Date.now();
    let entry = this.mem.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.mem.set(key, entry);
    }
    entry.count += count;
    return { allowed: entry.count <= limit.max, remaining: Math.max(0, limit.max - entry.count), retryAfterSeconds: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) };
  }

  async peek(key: string, limit: Limit): Promise<RateResult> {
    const redis = this.redisUp();
    if (redis) {
      const k = `${this.prefix}rl:${key}`;
      const got = await Promise.all([redis.get(k), redis.pttl(k)]).catch(() => null);
      if (got) {
        const c = Number(got[0] ?? 0);
        return { allowed: c < limit.max, remaining: Math.max(0, limit.max - c), retryAfterSeconds: Math.max(1, Math.ceil(Math.max(0, got[1]) / 1000)) };
      }
    }
    const e = this.mem.get(key);
    const now = Date.now();
    const c = e && e.resetAt > now ? e.count : 0;
    return { allowed: c < limit.max, remaining: Math.max(0, limit.max - c), retryAfterSeconds: e ? Math.max(1, Math.ceil((e.resetAt - now) / 1000)) : 1 };
  }

  async reset(key: string): Promise<void> {
    this.mem.delete(key);
    await this.redisUp()?.del(`${this.prefix}rl:${key}`).catch(() => undefined);
  }

  /** Counts one hit and throws 429 with Retry-After when over the limit. */
  async consume(key: string, limit: Limit, what: string): Promise<void> {
    const r = await this.hit(key, limit);
    if (!r.allowed) throw tooMany(what, r.retryAfterSeconds);
  }

  close(): void {
    clearInterval(this.sweep);
  }
}

export function tooMany(what: string, retryAfterSeconds: number) {
  return CoreErrors.rateLimited(`Too many ${what}. Try again in ${retryAfterSeconds} s.`, { headers: { 'retry-after': String(retryAfterSeconds) } });
}
