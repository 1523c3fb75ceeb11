export interface BackoffOptions {
  /** First retry window in ms (default 500). */
  baseMs?: number;
  /** Upper bound of the window in ms (default 30 000). */
  maxMs?: number;
}

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): the delay for
 * attempt `n` (0-based) is uniformly random in `[0, min(maxMs, baseMs * 2^n))`.
 * Spreads reconnecting clients so a restarted server is not stampeded.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const window = Math.min(max, base * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * window);
}
