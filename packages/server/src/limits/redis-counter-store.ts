/**
 * CounterStore on Redis, so that limits hold cluster-wide (a guesser cannot
 * multiply attempts by the number of processes). One Lua script per change:
 * INCRBY and, for a new key, PEXPIRE happen atomically; a count that falls to
 * 0 deletes the key.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Count, CounterStore } from './counter-store.js';

const ADD = `
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if n <= 0 then
  redis.call('DEL', KEYS[1])
  return {0, 0}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;

export interface RedisCounterStoreOptions {
  url: string;
  /** prepended to every key (default "cw:count:"), so installations can share one Redis */
  prefix?: string;
  redis?: RedisOptions;
}

export class RedisCounterStore implements CounterStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(o: RedisCounterStoreOptions) {
    this.#prefix = o.prefix ?? 'cw:count:';
    this.#redis = new Redis(o.url, { maxRetriesPerRequest: 3, connectionName: 'cw-counters', ...o.redis });
    // ioredis reconnects by itself; a failing command rejects and the caller answers with an error.
    this.#redis.on('error', () => {});
    this.#redis.defineCommand('cwAdd', { numberOfKeys: 1, lua: ADD });
  }

  async add(key: string, ttlMs: number, by = 1): Promise<Count> {
    const [n, ttl] = (await (this.#redis as unknown as { cwAdd(k: string, ttl: number, by: number): Promise<[number, number]> }).cwAdd(
      this.#prefix + key,
      Math.max(1, Math.round(ttlMs)),
      Math.round(by),
    )) as [number, number];
    return { n, resetInMs: n === 0 ? 0 : ttl };
  }

  async get(key: string): Promise<number> {
    return Number((await this.#redis.get(this.#prefix + key)) ?? 0);
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
