/**
 * What stands between a sign-in request and the password hash (issue 11.1).
 *
 * An attempt is counted BEFORE the hash is computed, so requests in flight
 * count: a thousand parallel guesses cannot all read "0 failures so far". The
 * counts live in a CounterStore (cluster-wide with Redis). A success gives its
 * attempt back, so the limits count failures plus attempts in flight.
 *
 * Hashing costs CPU (scrypt, tens of milliseconds on a thread of libuv's small
 * pool), so it is also capped per process: at most `hashPerIp` hashes at once
 * for one address, with a short wait line behind them (an office signing in
 * at nine o'clock waits a moment; a flood beyond the line is refused at once),
 * and `hashTotal` at once overall, with a bounded wait line behind them. An attacker's address
 * therefore holds at most `hashPerIp` of the `hashTotal` slots, and a real
 * user signing in from elsewhere finds one free.
 */
import type { CounterStore } from '../limits/counter-store.js';

export interface LoginGuardOptions {
  counters: CounterStore;
  /** attempts allowed per (address, username) within the window (failures + in flight) */
  maxPerUser: number;
  /** attempts allowed per address, any usernames */
  maxPerIp: number;
  windowMs: number;
  /** password hashes computed at once for one address */
  hashPerIp: number;
  /** password hashes computed at once by this process */
  hashTotal: number;
  /** sign-ins allowed to wait for a free hashing slot (beyond: refused) */
  maxWaiting?: number;
  /** sign-ins of one address allowed to wait for that address's slots (beyond: refused) */
  maxWaitingPerIp?: number;
}

export type Admission =
  | { ok: true; attempt: Attempt }
  | { ok: false; retryAfterMs: number; why: 'too-many-attempts' | 'busy' };

/** A counted attempt holding a hashing slot; end it exactly once. */
export interface Attempt {
  /** The password was right: the attempt is given back and the user's count cleared. */
  succeeded(): Promise<void>;
  /** The password was wrong: the attempt stays counted. */
  failed(): void;
}

export class LoginGuard {
  readonly #o: Required<LoginGuardOptions>;
  /** hashes running, and sign-ins waiting to hash, per address (this process) */
  readonly #perIp = new Map<string, { running: number; waiting: (() => void)[] }>();
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** passwords actually checked (for tests and metrics) */
  checked = 0;

  constructor(o: LoginGuardOptions) {
    this.#o = { maxWaiting: 256, maxWaitingPerIp: 8, ...o };
  }

  /** Counts the attempt and takes a hashing slot, or says why not and for how long. */
  async admit(ip: string, username: string): Promise<Admission> {
    const o = this.#o;
    // Refused before counting: a request turned away for concurrency checks no password.
    if (this.#running >= o.hashTotal && this.#waiting.length >= o.maxWaiting) return { ok: false, retryAfterMs: 1000, why: 'busy' };
    let mine = this.#perIp.get(ip);
    if (!mine) this.#perIp.set(ip, (mine = { running: 0, waiting: [] }));
    if (mine.running >= o.hashPerIp) {
      if (mine.waiting.length >= o.maxWaitingPerIp) return { ok: false, retryAfterMs: 1000, why: 'busy' };
      // The slot is handed over by the one who ends: `running` stays the same.
      await new Promise<void>((resolve) => mine!.waiting.push(resolve));
    } else mine.running++;
    const slot = mine;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const next = slot.waiting.shift();
      if (next) return next();
      slot.running--;
      if (slot.running === 0 && this.#perIp.get(ip) === slot) this.#perIp.delete(ip);
    };
    const uKey = userKey(ip, username);
    const iKey = `login:ip:${ip}`;
    let u, i;
    try {
      [u, i] = await Promise.all([o.counters.add(uKey, o.windowMs), o.counters.add(iKey, o.windowMs)]);
    } catch (err) {
      release();
      throw err;
    }
    if (u.n > o.maxPerUser || i.n > o.maxPerIp) {
      release();
      // Not an attempt after all: the counts keep meaning "checked or being checked".
      await Promise.all([o.counters.add(uKey, o.windowMs, -1), o.counters.add(iKey, o.windowMs, -1)]).catch(() => {});
      const wait = Math.max(u.n > o.maxPerUser ? u.resetInMs : 0, i.n > o.maxPerIp ? i.resetInMs : 0);
      return { ok: false, retryAfterMs: Math.max(1000, wait), why: 'too-many-attempts' };
    }
    await this.#slot();
    this.checked++;
    let ended = false;
    const end = () => {
      if (ended) return false;
      ended = true;
      this.#running--;
      this.#waiting.shift()?.();
      release();
      return true;
    };
    return {
      ok: true,
      attempt: {
        succeeded: async () => {
          if (!end()) return;
          await Promise.all([o.counters.reset(uKey), o.counters.add(iKey, o.windowMs, -1)]);
        },
        failed: () => void end(),
      },
    };
  }

  /** Waits for one of the `hashTotal` slots (FIFO). */
  #slot(): Promise<void> {
    if (this.#running < this.#o.hashTotal) {
      this.#running++;
      return Promise.resolve();
    }
    // The slot is handed over by the one who ends: #running stays the same.
    return new Promise<void>((resolve) => this.#waiting.push(() => {
      this.#running++;
      resolve();
    }));
  }
}

function userKey(ip: string, username: string): string {
  return `login:u:${ip}:${username.toLowerCase().slice(0, 200)}`;
}
