import { ReportErrors } from './errors.js';
import { dayOf, isDay, isTimeZone, nextDay, startOfDay } from './time-zone.js';

export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

export interface ReportRange {
  /** First instant counted … */
  since: Date;
  /** … and the first one not counted. */
  until: Date;
  /** The days of the range in `timezone` (the first and last may be partial when ISO times were given). */
  firstDay: string;
  lastDay: string;
  timezone: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `from`/`to` are days (`2026-03-01`: the whole day in `timezone`, `to` included) or ISO
 * times with an offset (`to` excluded). Default: the last 30 days, today included.
 */
export function parseRange(q: { from?: string; to?: string; timezone?: string }, fallbackZone: string, now: Date): ReportRange {
  const timezone = q.timezone ?? fallbackZone;
  if (!isTimeZone(timezone)) throw ReportErrors.badTimeZone(`timezone "${timezone}" is not an IANA time zone such as Europe/Madrid or UTC.`);
  const instant = (v: string, name: 'from' | 'to'): Date => {
    if (isDay(v)) return startOfDay(name === 'to' ? nextDay(v) : v, timezone);
    if (ISO_TIME.test(v) && !Number.isNaN(Date.parse(v))) return new Date(v);
    throw ReportErrors.badRange(`${name} must be a day (2026-03-01) or an ISO time with its offset (2026-03-01T09:00:00Z); got "${v}".`);
  };
  const today = dayOf(now, timezone);
  const until = q.to !== undefined ? instant(q.to, 'to') : startOfDay(nextDay(today), timezone);
  let since: Date;
  if (q.from !== undefined) since = instant(q.from, 'from');
  else {
    let first = dayOf(new Date(until.getTime() - 1), timezone);
    for (let i = 1; i < DEFAULT_RANGE_DAYS; i++) first = dayOf(new Date(startOfDay(first, timezone).getTime() - 1), timezone);
    since = startOfDay(first, timezone);
  }
  if (since.getTime() >= until.getTime()) throw ReportErrors.badRange(`from (${q.from ?? since.toISOString()}) must be before to (${q.to ?? until.toISOString()}).`);
  const firstDay = dayOf(since, timezone);
  const lastDay = dayOf(new Date(until.getTime() - 1), timezone);
  let days = 1;
  for (let d = firstDay; d < lastDay && days <= MAX_RANGE_DAYS; d = nextDay(d)) days++;
  if (days > MAX_RANGE_DAYS) throw ReportErrors.badRange(`A report covers at most ${MAX_RANGE_DAYS} days; ${firstDay} to ${lastDay} is longer. Narrow from/to.`);
  return { since, until, firstDay, lastDay, timezone };
}
