export interface OfficeHoursDay {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  open: string;
  close: string;
}
export interface OfficeHours {
  timezone: string;
  days: OfficeHoursDay[];
}

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
