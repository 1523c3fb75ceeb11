import type { AccountActivity } from '@charla/core';

const DAY = 86_400_000;

/** Days without activity after which an account is at high risk (docs/billing.md "Churn risk"). */
export const QUIET_DAYS_HIGH = 14;

/**
 * docs/billing.md "Churn risk", as one pure function of the figures:
 * - high: no activity (conversation or message) for 14 days or more — counted from the
 *   account's creation when it never had any;
 * - medium: the last 30 days' conversations are half or less of the 30 days before;
 * - low: otherwise (also a new account that has not had 14 days yet).
 * `trend` is (last30 − previous30) / previous30, null when the previous 30 days had none.
 */
export function activityOf(input: { createdAt: Date; now: Date; last30: number; previous30: number; lastActivityAt: Date | null }): AccountActivity {
  const { createdAt, now, last30, previous30, lastActivityAt } = input;
  const quietSince = lastActivityAt ?? createdAt;
  const quietDays = (now.getTime() - quietSince.getTime()) / DAY;
  const trend = previous30 > 0 ? Math.round(((last30 - previous30) / previous30) * 100) / 100 : null;
  const churnRisk = quietDays >= QUIET_DAYS_HIGH ? 'high' : previous30 > 0 && last30 <= previous30 / 2 ? 'medium' : 'low';
  return { conversationsLast30Days: last30, lastActivityAt: lastActivityAt ? lastActivityAt.toISOString() : null, trend, churnRisk };
}

/** The UTC day of a moment, as stored ('YYYY-MM-DD'). */
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

/** The billing period containing `now`: the calendar month, UTC. */
export function periodOf(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

export const daysBefore = (now: Date, n: number): Date => new Date(now.getTime() - n * DAY);
