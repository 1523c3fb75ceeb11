import type { Sla } from './inbox-api';

export type SlaLevel = 'none' | 'ok' | 'warning' | 'breached' | 'met';

/** `m:ss` or `h:mm:ss` of a duration; negative durations (overdue) get a leading minus. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/**
 * What the countdown shows at `now`: the server's state, moved on by the clock (a due time
 * that passed is breached even before the server's job says so; the server's warning
 * stays a warning).
 */
export function slaLevel(sla: Pick<Sla, 'state' | 'dueAt'> | null | undefined, now: number): SlaLevel {
  if (!sla || !sla.dueAt || sla.state === 'none') return 'none';
  if (sla.state === 'met' || sla.state === 'breached') return sla.state;
  if (now >= Date.parse(sla.dueAt)) return 'breached';
  return sla.state;
}

/** Milliseconds left until the due time (negative when overdue); null without one. */
export function slaRemaining(sla: Pick<Sla, 'dueAt'> | null | undefined, now: number): number | null {
  return sla?.dueAt ? Date.parse(sla.dueAt) - now : null;
}
