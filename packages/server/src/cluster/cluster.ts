/**
 * Cluster mode (REDIS_URL with PostgreSQL): what one process needs to serve
 * together with others — its node id, the Redis bus, the membership beat,
 * the console registry, the call records, shared counters and leases.
 * Opened by startServer() before the app is built; the realtime side
 * attaches its handlers for a dead process (reap), for this process being
 * declared dead or Redis restarting empty (rejoin), and for Redis coming
 * back after an outage (recovered).
 *
 * Redis must be a single Redis (or a Sentinel-managed primary): the scripts
 * touch several keys at once, which Redis Cluster would refuse.
 */
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisBus } from '../bus/redis.js';
import { RedisCounterStore } from '../limits/redis-counter-store.js';
import { topics } from '../domain/outbox.js';
import { RedisCallRecords } from './call-records.js';
import { RedisLease, type Lease, type LeaseEvents } from './lease.js';
import { Membership } from './membership.js';
import { closeRedis, redisConnection, whenReady } from './redis.js';
import { RedisConsoleRegistry } from './redis-console-registry.js';

export interface ClusterHandlers {
  /** this process is the one reaper of `node`, which died */
  reap(node: string): Promise<void>;
  /** this process was declared dead by the others (reaped), or Redis lost everything (reset) */
  rejoin(why: 'reaped' | 'reset'): void;
  /** Redis is reachable again after an outage */
  recovered(): void;
}

export interface Cluster {
  /** this process's id: random per start, so a restarted process is a new member */
  readonly node: string;
  readonly prefix: string;
  /** the command connection (scripts, registry, records) */
  readonly redis: Redis;
  readonly bus: RedisBus;
  readonly membership: Membership;
  readonly registry: RedisConsoleRegistry;
  readonly records: RedisCallRecords;
  readonly counters: RedisCounterStore;
  /** True while Redis answers and this process beats. */
  healthy(): boolean;
  /** Rejects unless Redis answers now (readiness). */
  ping(timeoutMs?: number): Promise<void>;
  /** A named lease, held by one process of the installation at a time. */
  lease(name: string, ev?: LeaseEvents & { ttlMs?: number }): Lease;
  attach(h: ClusterHandlers): void;
  close(): Promise<void>;
}

export interface ClusterOptions {
  url: string;
  prefix: string;
  logger: Logger;
  /** membership beat (default 1000 ms) and expiry (default 4000 ms): a dead process is noticed within expiry + beat */
  beatMs?: number;
  ttlMs?: number;
}

/** Connects to Redis (failing the start when it is not there), joins the membership. */
export async function openCluster(o: ClusterOptions): Promise<Cluster> {
  const node = crypto.randomBytes(6).toString('hex');
  const log = o.logger.child({ module: 'cluster', node });
  const redis = redisConnection(o.url, `cw-${node}`, log);
  let bus: RedisBus | undefined;
  const counters = new RedisCounterStore({ url: o.url, prefix: `${o.prefix}count:` });
  try {
    await whenReady(redis);
    // A visitor socket's own topic and a widget's fan-out are published and consumed by this process only.
    bus = await RedisBus.connect({ url: o.url, prefix: `${o.prefix}bus:`, logger: o.logger.child({ module: 'bus' }), localPrefixes: [topics.visitor(''), topics.widget('')] });
  } catch (err) {
    await bus?.close();
    await closeRedis(redis);
    await counters.close();
    throw new Error(`cannot reach Redis at ${redact(o.url)}: ${(err as Error).message}`, { cause: err });
  }

  let handlers: ClusterHandlers | undefined;
  const early: ((h: ClusterHandlers) => void)[] = [];
  const deliver = (fn: (h: ClusterHandlers) => void) => (handlers ? fn(handlers) : early.push(fn));
  const membership = new Membership({
    redis,
    prefix: o.prefix,
    node,
    logger: log,
    ...(o.beatMs ? { beatMs: o.beatMs } : {}),
    ...(o.ttlMs ? { ttlMs: o.ttlMs } : {}),
    onReap: (dead) => deliver((h) => void h.reap(dead).catch((err) => log.error({ err, dead }, 'cleaning up after a dead process failed'))),
    onRejoin: (why) => deliver((h) => h.rejoin(why)),
  });
  // Redis back after an outage: the realtime side catches up on what it missed.
  let lost = false;
  redis.on('close', () => {
    lost = true;
    membership.connectionLost();
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    // Beat first: a Redis that restarted empty must list this process again before
    // its consoles (written by the catch-up) count for the others.
    void membership
      .beat()
      .catch(() => undefined)
      .finally(() => deliver((h) => h.recovered()));
  });
  await membership.start();
  const leases: Lease[] = [];
  const registry = new RedisConsoleRegistry(redis, o.prefix, node);
  const records = new RedisCallRecords(redis, o.prefix, node, log);
  log.info('joined the cluster');
  return {
    node,
    prefix: o.prefix,
    redis,
    bus,
    membership,
    registry,
    records,
    counters,
    healthy: () => redis.status === 'ready' && bus!.healthy && membership.healthy,
    async ping(timeoutMs = 2000) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        redis.ping(),
        new Promise((_, rej) => {
          t = setTimeout(() => rej(new Error('Redis did not answer within 2 s')), timeoutMs);
        }),
      ]).finally(() => clearTimeout(t));
      if (!bus!.healthy) throw new Error('Redis is not reachable (bus connection)');
    },
    lease(name, ev = {}) {
      const l = new RedisLease({ redis, prefix: o.prefix, name, logger: log, ...ev });
      leases.push(l);
      return l;
    },
    attach(h) {
      handlers = h;
      for (const fn of early.splice(0)) fn(h);
    },
    async close() {
      await Promise.all(leases.map((l) => l.stop()));
      await membership.stop();
      await bus!.close();
      await counters.close();
      await closeRedis(redis);
    },
  };
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured REDIS_URL';
  }
}
