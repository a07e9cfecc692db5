/**
 * Retry is a small policy (STYLE habit 9): one method that returns the next
 * delay, or null to give up. The default is exponential backoff with full
 * jitter, capped, never giving up.
 */
export interface ReconnectPolicy {
  /** `attempt` counts from 0 for the first retry after a loss. */
  nextDelayMs(attempt: number): number | null;
}

export class BackoffPolicy implements ReconnectPolicy {
  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 15_000,
    private readonly maxAttempts = Infinity,
    private readonly random: () => number = Math.random,
  ) {}

  nextDelayMs(attempt: number): number | null {
    if (attempt >= this.maxAttempts) return null;
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 16));
    // Half fixed, half jitter: never zero, and many clients spread out after a restart.
    return Math.round(cap / 2 + this.random() * (cap / 2));
  }
}
