import { Type, type Static } from '@sinclair/typebox';

/** One opening span; wire types for the admin are generated from these (scripts/wire-types.mjs). */
export const OfficeHoursDaySchema = Type.Object({
  day: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday … 6 = Saturday' }),
  open: Type.String({ maxLength: 5, description: 'HH:MM' }),
  close: Type.String({ maxLength: 5, description: 'HH:MM (earlier than open: the span runs overnight)' }),
});
export const OfficeHoursSchema = Type.Object({
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Madrid' }),
  days: Type.Array(OfficeHoursDaySchema, { maxItems: 21 }),
});
export type OfficeHoursDay = Static<typeof OfficeHoursDaySchema>;
export type OfficeHours = Static<typeof OfficeHoursSchema>;

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Whether `now` falls inside the office hours (in their time zone). No office hours = always open. */
export function isWithinOfficeHours(hours: OfficeHours | null | undefined, now: Date): boolean {
  if (!hours || !Array.isArray(hours.days)) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = WEEKDAYS.indexOf(get('weekday'));
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return hours.days.some((d) => {
    const open = toMin(d.open);
    const close = toMin(d.close);
    if (close > open) return d.day === day && minutes >= open && minutes < close;
    // Overnight span (e.g. 22:00–06:00): the evening of `day` and the early hours of the next day.
    return (d.day === day && minutes >= open) || ((d.day + 1) % 7 === day && minutes < close);
  });
}
