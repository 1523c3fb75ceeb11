/**
 * Calendar days in an IANA time zone, with Intl only (no date library): the day an
 * instant falls on, and the instant a day starts — right across DST changes, where a
 * day lasts 23 or 25 hours.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    if (formatters.size > 100) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `instant` in `timeZone`. */
function wall(instant: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wall(instant, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(instant / 1000) * 1000;
}

/** `YYYY-MM-DD`: the day `instant` falls on in `timeZone`. */
export function dayOf(instant: Date | number, timeZone: string): string {
  const w = wall(typeof instant === 'number' ? instant : instant.getTime(), timeZone);
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** The instant `day` (`YYYY-MM-DD`) starts in `timeZone` (its first existing minute when midnight is skipped). */
export function startOfDay(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  const local = Date.UTC(y, m - 1, d);
  let t = local - offsetAt(local, timeZone);
  t = local - offsetAt(t, timeZone);
  // Midnight skipped by a DST change (e.g. America/Santiago): the day starts at the change.
  if (dayOf(t, timeZone) !== day) t += 3_600_000;
  return new Date(t);
}

/** The day after `day`. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Every day from `first` to `last`, both included. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let day = first; day <= last; day = nextDay(day)) out.push(day);
  return out;
}

export const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
