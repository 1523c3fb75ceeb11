import { Pipe, PipeTransform, inject } from '@angular/core';
import { I18nService } from './i18n.service';

export function formatDateTime(value: string | number | Date | null | undefined, locale: string, style: 'short' | 'time' | 'full' = 'short'): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const opts: Intl.DateTimeFormatOptions =
    style === 'time'
      ? { hour: '2-digit', minute: '2-digit' }
      : style === 'full'
        ? { dateStyle: 'medium', timeStyle: 'short' }
        : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locale, opts).format(date);
}

/** "3 min ago" style text, in the given locale. */
export function formatRelative(value: string | number | Date | null | undefined, locale: string, now = Date.now()): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value).getTime();
  if (Number.isNaN(date)) return '';
  const seconds = Math.round((date - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), 'day');
  return formatDateTime(value, locale, 'short');
}

@Pipe({ name: 'chDate', pure: false })
export class DatePipe implements PipeTransform {
  private readonly i18n = inject(I18nService);
  transform(value: string | number | Date | null | undefined, style: 'short' | 'time' | 'full' | 'relative' = 'short'): string {
    const locale = this.i18n.locale();
    return style === 'relative' ? formatRelative(value, locale) : formatDateTime(value, locale, style);
  }
}
