import { createRequire } from 'node:module';
import type { CronExpressionParser as Parser } from 'cron-parser';

// cron-parser (and luxon) load with the first cron schedule: most instances have none.
const require = createRequire(import.meta.url);
const cronParser = (): typeof Parser => (require('cron-parser') as typeof import('cron-parser')).CronExpressionParser;

/** When a scheduled job runs: every fixed interval (`'30s'`, `'5m'`, `'1h'`, `'1d'` or milliseconds) or on a cron expression (UTC). */
export type ScheduleSpec = { every: string | number } | { cron: string };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function intervalMs(every: string | number): number {
  if (typeof every === 'number') return every;
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(every.trim());
  if (!m) throw new TypeError(`schedule "every: ${every}" is not an interval: use e.g. '30s', '5m', '1h', '1d' or a number of milliseconds`);
  return Number(m[1]) * UNITS[m[2]];
}

/** A parsed schedule: `next(after)` is its first slot strictly after `after`. */
export interface Schedule {
  /** Canonical text of the spec, stored with the schedule so a changed spec is noticed. */
  text: string;
  next(after: Date): Date;
}

/** Parses a spec, throwing a TypeError that names the problem (at boot, not at the first tick). */
export function parseSchedule(spec: ScheduleSpec): Schedule {
  if ('cron' in spec) {
    const CronExpressionParser = cronParser();
    // Parse once now so a bad expression fails at registration.
    CronExpressionParser.parse(spec.cron, { tz: 'UTC' });
    return {
      text: `cron ${spec.cron}`,
      next: (after) => CronExpressionParser.parse(spec.cron, { currentDate: after, tz: 'UTC' }).next().toDate(),
    };
  }
  const ms = intervalMs(spec.every);
  if (!Number.isInteger(ms) || ms < 1000) throw new TypeError(`schedule "every: ${spec.every}" is shorter than a second`);
  // Slots are aligned to the epoch, so every instance computes the same ones.
  return { text: `every ${ms}`, next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms) };
}
