/**
 * Login attempt limit: failed attempts are counted per client IP and username
 * in a sliding window; beyond the limit the login answers 429 until the window
 * passes. A success clears the counter. In memory: per process, which is
 * enough to make guessing slow.
 */
export interface LoginLimiterOptions {
  /** failures allowed per (ip, username) within the window */
  maxPerUser?: number;
  /** failures allowed per ip (any usernames) within the window */
  maxPerIp?: number;
  windowMs?: number;
}

export class LoginLimiter {
  #fails = new Map<string, number[]>();
  #maxPerUser: number;
  #maxPerIp: number;
  #windowMs: number;

  constructor(o: LoginLimiterOptions = {}) {
    this.#maxPerUser = o.maxPerUser ?? 10;
    this.#maxPerIp = o.maxPerIp ?? 100;
    this.#windowMs = o.windowMs ?? 15 * 60_000;
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#fails.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    if (list.length) this.#fails.set(key, list);
    else this.#fails.delete(key);
    return list;
  }

  /** Milliseconds to wait before another attempt, or 0 when one is allowed now. */
  retryAfterMs(ip: string, username: string, now: number): number {
    const u = this.#recent(`u:${ip}:${username.toLowerCase()}`, now);
    const i = this.#recent(`i:${ip}`, now);
    if (u.length >= this.#maxPerUser) return this.#windowMs - (now - u[0]!);
    if (i.length >= this.#maxPerIp) return this.#windowMs - (now - i[0]!);
    return 0;
  }

  fail(ip: string, username: string, now: number): void {
    for (const key of [`u:${ip}:${username.toLowerCase()}`, `i:${ip}`]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#fails.set(key, list);
    }
    // Keep memory bounded under a spray of usernames.
    if (this.#fails.size > 10_000) {
      for (const k of this.#fails.keys()) {
        this.#recent(k, now);
        if (this.#fails.size <= 5_000) break;
      }
    }
  }

  success(ip: string, username: string): void {
    this.#fails.delete(`u:${ip}:${username.toLowerCase()}`);
  }
}
