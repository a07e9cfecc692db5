/**
 * When to try a failed delivery again (STYLE habit 9: retry is a small
 * policy). Exponential from `baseMs`, capped at an hour, with ±10 % jitter so
 * that deliveries that failed together do not retry together; after
 * `maxAgeMs` since the event (default 3 days, so at least the 24 h the spec
 * asks) it gives up and the delivery is marked failed.
 */
export interface RetryPolicy {
  /** the delay before attempt `attempt + 1`, or null to give up */
  next(attempt: number, ageMs: number): number | null;
}

export function exponentialRetry(baseMs: number, maxAgeMs: number, capMs = 3_600_000, random: () => number = Math.random): RetryPolicy {
  return {
    next(attempt, ageMs) {
      if (ageMs >= maxAgeMs) return null;
      const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
      const jittered = raw * (0.9 + 0.2 * random());
      return Math.max(1, Math.round(Math.min(jittered, maxAgeMs - ageMs)));
    },
  };
}
