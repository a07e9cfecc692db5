/**
 * A leader lease: at most one process at a time holds a named lease, and
 * another takes over within about `ttlMs` when the holder dies. For work
 * that must run once in a cluster (the SIP connector's registration and
 * subscriptions, the sweep of unanswered chats).
 *
 * Redis: SET key token NX PX ttl to take it; a script renews it (PEXPIRE only
 * while the value is still our token) every ttl/3 and one that fails twice in
 * a row — or finds another token — gives the lease up and calls `onLost`,
 * before the key can expire elsewhere, so two holders never overlap by more
 * than the renew period plus the network. Not a fencing token: work behind
 * it must tolerate a brief overlap at a hand-over (both sides are
 * idempotent: a SIP REGISTER refreshes, a chat closes by compare-and-set).
 *
 * One process (no Redis): `localLease()` is held at once and for ever.
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface Lease {
  readonly name: string;
  /** whether this process holds it now */
  readonly held: boolean;
  /** Starts competing for the lease; `onAcquired`/`onLost` report changes. */
  start(): void;
  /** Stops competing and gives the lease up (another may take it at once). */
  stop(): Promise<void>;
}

export interface LeaseEvents {
  onAcquired?(): void;
  onLost?(): void;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return -1 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface RedisLeaseOptions extends LeaseEvents {
  redis: Redis;
  /** key prefix of the installation, e.g. "cw:" */
  prefix: string;
  name: string;
  /** how long a dead holder keeps it at most (default 5000) */
  ttlMs?: number;
  logger: Logger;
}

/** A lease in Redis (see the module comment). */
export class RedisLease implements Lease {
  readonly name: string;
  readonly #o: RedisLeaseOptions & { ttlMs: number };
  readonly #token = crypto.randomBytes(12).toString('base64url');
  readonly #key: string;
  #held = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = true;
  #tick: Promise<void> | undefined;

  constructor(o: RedisLeaseOptions) {
    this.#o = { ttlMs: 5000, ...o };
    this.name = o.name;
    this.#key = `${o.prefix}lease:${o.name}`;
    o.redis.defineCommand('cwLeaseRenew', { numberOfKeys: 1, lua: RENEW });
    o.redis.defineCommand('cwLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  get held(): boolean {
    return this.#held;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.#o.ttlMs / 3)));
    this.#timer.unref();
  }

  /** One round: renew when held, else try to take it (the timer's; tests call it to skip waiting). */
  tick(): Promise<void> {
    return (this.#tick ??= this.#round().finally(() => (this.#tick = undefined)));
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const r = this.#o.redis as Redis & { cwLeaseRenew(k: string, token: string, ttl: number): Promise<number> };
    try {
      if (this.#held) {
        const ok = await r.cwLeaseRenew(this.#key, this.#token, this.#o.ttlMs);
        if (ok === 1) {
          this.#failures = 0;
          return;
        }
        // Another holds it (ours expired while we could not renew): we lost it.
        this.#lose('taken by another process');
        return;
      }
      const got = await r.set(this.#key, this.#token, 'PX', this.#o.ttlMs, 'NX');
      if (got === 'OK' && !this.#stopped) {
        this.#held = true;
        this.#failures = 0;
        this.#o.logger.info({ lease: this.name }, 'lease acquired');
        this.#o.onAcquired?.();
      }
    } catch (err) {
      if (!this.#held) return;
      // Renewing every ttl/3: two failures in a row leave at most a third of the ttl before it expires elsewhere.
      if (++this.#failures >= 2) this.#lose(`cannot renew: ${(err as Error).message}`);
    }
  }

  #lose(why: string): void {
    if (!this.#held) return;
    this.#held = false;
    this.#failures = 0;
    this.#o.logger.warn({ lease: this.name, why }, 'lease lost');
    this.#o.onLost?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#tick?.catch(() => undefined);
    if (!this.#held) return;
    this.#held = false;
    const r = this.#o.redis as Redis & { cwLeaseRelease(k: string, token: string): Promise<number> };
    await r.cwLeaseRelease(this.#key, this.#token).catch(() => undefined);
    this.#o.onLost?.();
  }
}

/** One process: the lease is held from start() to stop(). */
export function localLease(name: string, ev: LeaseEvents = {}): Lease {
  let held = false;
  return {
    name,
    get held() {
      return held;
    },
    start() {
      if (held) return;
      held = true;
      ev.onAcquired?.();
    },
    async stop() {
      if (!held) return;
      held = false;
      ev.onLost?.();
    },
  };
}

/**
 * The lease `name` for this installation: in Redis in cluster mode, else held
 * by this one process. What the SIP connector (one registration at a time)
 * and any other run-once work start with: `const l = openLease(deps.cluster,
 * 'sip', { onAcquired: register, onLost: unregister }); l.start();`.
 */
export function openLease(cluster: { lease(name: string, ev?: LeaseEvents & { ttlMs?: number }): Lease } | undefined, name: string, ev: LeaseEvents & { ttlMs?: number } = {}): Lease {
  return cluster ? cluster.lease(name, ev) : localLease(name, ev);
}
