/**
 * Counters with a time window, behind one small interface so that every limit
 * (sign-in attempts, new chats and calls per address) holds across processes:
 * the memory store serves one process, the Redis store (redis-counter-store.ts)
 * a cluster. A window starts with the first hit on a key and lasts `ttlMs`;
 * the key then disappears (a fixed window, which is what Redis's INCR plus
 * PEXPIRE gives atomically).
 */
import type { Clock } from '../clock.js';

export interface Count {
  /** the count after this change */
  n: number;
  /** milliseconds until the window ends and the key is gone */
  resetInMs: number;
}

export interface CounterStore {
  /** Adds `by` (may be negative) to the key's count and returns the new count; never below 0. */
  add(key: string, ttlMs: number, by?: number): Promise<Count>;
  /** The current count (0 for an unknown or expired key). */
  get(key: string): Promise<number>;
  /** Forgets the key. */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

/** One process's counters, in a Map that sweeps expired keys and stays bounded. */
export class MemoryCounterStore implements CounterStore {
  readonly #keys = new Map<string, { n: number; until: number }>();
  readonly #clock: Pick<Clock, 'now'>;
  readonly #maxKeys: number;

  constructor(clock: Pick<Clock, 'now'>, maxKeys = 100_000) {
    this.#clock = clock;
    this.#maxKeys = maxKeys;
  }

  async add(key: string, ttlMs: number, by = 1): Promise<Count> {
    const now = this.#clock.now();
    let e = this.#keys.get(key);
    if (e && e.until <= now) {
      this.#keys.delete(key);
      e = undefined;
    }
    if (!e) {
      if (by <= 0) return { n: 0, resetInMs: 0 };
      if (this.#keys.size >= this.#maxKeys) this.#sweep(now);
      e = { n: 0, until: now + ttlMs };
      this.#keys.set(key, e);
    }
    e.n = Math.max(0, e.n + by);
    const count = { n: e.n, resetInMs: e.until - now };
    if (e.n === 0) this.#keys.delete(key);
    return count;
  }

  async get(key: string): Promise<number> {
    const e = this.#keys.get(key);
    return e && e.until > this.#clock.now() ? e.n : 0;
  }

  async reset(key: string): Promise<void> {
    this.#keys.delete(key);
  }

  async close(): Promise<void> {
    this.#keys.clear();
  }

  /** Drops expired keys; under a spray of fresh keys, the oldest half goes too (Map order is insertion order). */
  #sweep(now: number): void {
    for (const [k, e] of this.#keys) if (e.until <= now) this.#keys.delete(k);
    if (this.#keys.size < this.#maxKeys) return;
    let drop = this.#keys.size / 2;
    for (const k of this.#keys.keys()) {
      if (drop-- <= 0) break;
      this.#keys.delete(k);
    }
  }
}
