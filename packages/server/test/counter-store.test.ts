/**
 * One CounterStore contract, run against the memory store and the Redis store
 * (real Redis, `need('redis')`, a unique key prefix per run): the windowed
 * counts behind sign-in throttling and the per-address limits, which must
 * hold across processes in cluster mode.
 */
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, need } from '@cw/testkit';
import { MemoryCounterStore, type CounterStore } from '../src/limits/counter-store.js';
import { RedisCounterStore } from '../src/limits/redis-counter-store.js';

const hasRedis = await need('redis', 'RedisCounterStore tests');
const prefix = `cw-test:${crypto.randomBytes(6).toString('hex')}:`;
const closers: CounterStore[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});

interface Backend {
  name: string;
  make(): CounterStore;
  /** lets the window pass */
  pass(ms: number): Promise<void>;
}

let fakeNow = 1_000_000;
const backends: Backend[] = [{ name: 'memory', make: () => new MemoryCounterStore({ now: () => fakeNow }), pass: async (ms) => void (fakeNow += ms) }];
if (hasRedis)
  backends.push({
    name: 'redis',
    make: () => {
      const s = new RedisCounterStore({ url: REDIS_URL, prefix });
      closers.push(s);
      return s;
    },
    // Real Redis expires keys on its own clock: wait for the key to be gone, polling, never a fixed sleep.
    pass: async () => {},
  });

describe.each(backends)('CounterStore ($name)', (b) => {
  it('counts atomically under parallel adds and reports the window', async () => {
    const c = b.make();
    const key = `k-${crypto.randomUUID()}`;
    const counts = await Promise.all(Array.from({ length: 200 }, () => c.add(key, 60_000)));
    expect(counts.map((x) => x.n).sort((a, z) => a - z)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await c.get(key)).toBe(200);
    for (const x of counts) expect(x.resetInMs).toBeGreaterThan(50_000);
    expect(x(counts).resetInMs).toBeLessThanOrEqual(60_000);
  });

  it('gives back with negative adds, never below zero, and reset forgets', async () => {
    const c = b.make();
    const key = `k-${crypto.randomUUID()}`;
    await c.add(key, 60_000, 3);
    expect((await c.add(key, 60_000, -1)).n).toBe(2);
    expect((await c.add(key, 60_000, -5)).n).toBe(0);
    expect(await c.get(key)).toBe(0);
    expect((await c.add(key, 60_000, -1)).n).toBe(0);
    await c.add(key, 60_000, 4);
    await c.reset(key);
    expect(await c.get(key)).toBe(0);
  });

  it('two stores on one backend share the counts (two processes)', async () => {
    const one = b.name === 'memory' ? b.make() : b.make();
    const two = b.name === 'memory' ? one : b.make();
    const key = `k-${crypto.randomUUID()}`;
    await one.add(key, 60_000);
    expect((await two.add(key, 60_000)).n).toBe(2);
  });

  it('the window ends: the key is gone after its ttl', async () => {
    const c = b.make();
    const key = `k-${crypto.randomUUID()}`;
    await c.add(key, 50);
    await b.pass(60);
    await expect.poll(() => c.get(key), { timeout: 5000, interval: 10 }).toBe(0);
    expect((await c.add(key, 50)).n).toBe(1);
  });
});

function x<T>(a: T[]): T {
  return a[a.length - 1]!;
}

describe('MemoryCounterStore', () => {
  it('stays bounded under a spray of keys', async () => {
    const c = new MemoryCounterStore({ now: () => fakeNow }, 1000);
    for (let i = 0; i < 5000; i++) await c.add(`spray-${i}`, 60_000);
    // The newest keys survive; the store never grows past its bound.
    expect(await c.get('spray-4999')).toBe(1);
    expect(await c.get('spray-0')).toBe(0);
  });
});
