import type { GuardOptions } from './url-guard.js';

/** Standard-Webhooks-like schedule, about three days in all: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 24 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 86_400, 86_400];

export interface WebhookOptions extends GuardOptions {
  /** Seconds to wait before each retry; the delivery fails after the last. */
  retrySchedule: number[];
  timeoutMs: number;
  /** Tries in flight at once to one endpoint, per instance (WEBHOOKS_ENDPOINT_CONCURRENCY); more wait their turn without holding a worker slot. */
  endpointConcurrency: number;
  /** Delivered and failed deliveries older than this many days are deleted from the log (WEBHOOKS_RETENTION_DAYS). */
  retentionDays: number;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}

/** The operator's settings, from the environment (documented in docs/webhooks.md); a bad value stops the boot. */
export function readOptions(env: Record<string, string | undefined> = process.env): WebhookOptions {
  const schedule = env.WEBHOOKS_RETRY_SCHEDULE ? list(env.WEBHOOKS_RETRY_SCHEDULE).map(Number) : DEFAULT_RETRY_SCHEDULE;
  if (schedule.some((s) => !Number.isFinite(s) || s < 0)) throw new Error(`WEBHOOKS_RETRY_SCHEDULE: expected seconds separated by commas, got "${env.WEBHOOKS_RETRY_SCHEDULE}"`);
  const timeoutMs = env.WEBHOOKS_TIMEOUT_MS ? Number(env.WEBHOOKS_TIMEOUT_MS) : 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`WEBHOOKS_TIMEOUT_MS: expected a positive integer, got "${env.WEBHOOKS_TIMEOUT_MS}"`);
  const endpointConcurrency = positive(env, 'WEBHOOKS_ENDPOINT_CONCURRENCY', 4);
  const retentionDays = positive(env, 'WEBHOOKS_RETENTION_DAYS', 30);
  return { retrySchedule: schedule, timeoutMs, endpointConcurrency, retentionDays, allowedHosts: list(env.WEBHOOKS_ALLOWED_HOSTS), production: env.NODE_ENV === 'production' };
}

/** The delay before retry `n` (0-based): the schedule's step with ±20 % jitter, at least what Retry-After asked for (capped at a day). */
export function retryDelayMs(schedule: number[], n: number, retryAfterSeconds: number | null): number {
  const base = schedule[n] * 1000 * (0.8 + Math.random() * 0.4);
  return Math.round(Math.max(base, Math.min(retryAfterSeconds ?? 0, 86_400) * 1000));
}
