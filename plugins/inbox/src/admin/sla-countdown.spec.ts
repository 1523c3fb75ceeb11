import { describe, expect, it } from 'vitest';
import { formatCountdown, slaLevel, slaRemaining } from './sla-countdown';

describe('SLA countdown', () => {
  it('formats minutes and seconds, hours when needed, and overdue time', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(59_999)).toBe('0:59');
    expect(formatCountdown(14 * 60_000 + 5_000)).toBe('14:05');
    expect(formatCountdown(2 * 3600_000 + 3 * 60_000 + 4_000)).toBe('2:03:04');
    expect(formatCountdown(-61_000)).toBe('-1:01');
  });
  it('moves to breached when the due time passes, keeps met and warning', () => {
    const due = '2026-01-01T10:00:00.000Z';
    const at = Date.parse(due);
    expect(slaLevel({ state: 'ok', dueAt: due }, at - 1)).toBe('ok');
    expect(slaLevel({ state: 'ok', dueAt: due }, at)).toBe('breached');
    expect(slaLevel({ state: 'warning', dueAt: due }, at - 1000)).toBe('warning');
    expect(slaLevel({ state: 'met', dueAt: due }, at + 1000)).toBe('met');
    expect(slaLevel({ state: 'none', dueAt: null }, at)).toBe('none');
    expect(slaLevel(null, at)).toBe('none');
    expect(slaRemaining({ dueAt: due }, at - 5000)).toBe(5000);
    expect(slaRemaining({ dueAt: null }, at)).toBeNull();
  });
});
