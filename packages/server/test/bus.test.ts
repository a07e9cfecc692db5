/**
 * One Bus contract, run against MemoryBus and RedisBus (real Redis at
 * 127.0.0.1:6379, `need('redis')`), plus what only a bus across processes
 * has to do: two RedisBus instances ("two processes") see each other's
 * messages, once each, and prefixes keep installations apart.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, need } from '@cw/testkit';
import { MemoryBus } from '../src/bus/memory.js';
import { RedisBus } from '../src/bus/redis.js';
import type { Bus } from '../src/bus/types.js';

const logger = pino({ level: 'silent' });
const hasRedis = await need('redis', 'RedisBus tests');

/** Records what a handler got; `until` waits for a message, never for time. */
function recorder() {
  const got: unknown[] = [];
  const handler = (m: unknown) => void got.push(m);
  const until = (pred: (m: unknown) => boolean) => expect.poll(() => got.some(pred), { timeout: 5000, interval: 5 }).toBe(true);
  return { got, handler, until };
}

interface Harness {
  bus: Bus;
  /** waits until subscriptions made so far are in effect */
  settle(): Promise<void>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function newPrefix(): string {
  return `cw-test:${crypto.randomBytes(6).toString('hex')}:`;
}

async function memoryHarness(): Promise<Harness> {
  const bus = new MemoryBus(logger);
  closers.push(() => bus.close());
  return { bus, settle: async () => {} };
}

async function redisBus(prefix = newPrefix()): Promise<RedisBus> {
  const bus = await RedisBus.connect({ url: REDIS_URL, prefix, logger });
  closers.push(() => bus.close());
  return bus;
}

async function redisHarness(): Promise<Harness> {
  const bus = await redisBus();
  return { bus, settle: () => bus.ready() };
}

const suites: Array<[string, () => Promise<Harness>, boolean]> = [
  ['MemoryBus', memoryHarness, true],
  ['RedisBus', redisHarness, hasRedis],
];

for (const [name, make, available] of suites) {
  describe.skipIf(!available)(`${name} (shared bus contract)`, () => {
    it('delivers to every subscriber of the topic and to no other topic', async () => {
      const { bus, settle } = await make();
      const a = recorder();
      const b = recorder();
      const other = recorder();
      bus.subscribe('t', a.handler);
      bus.subscribe('t', b.handler);
      bus.subscribe('other', other.handler);
      await settle();
      bus.publish('t', { t: 'widget-updated', uuid: 'u1' });
      bus.publish('other', { n: 'end' });
      await a.until((m) => (m as { uuid?: string }).uuid === 'u1');
      await b.until((m) => (m as { uuid?: string }).uuid === 'u1');
      await other.until((m) => (m as { n?: string }).n === 'end');
      expect(a.got).toEqual([{ t: 'widget-updated', uuid: 'u1' }]);
      expect(other.got).toEqual([{ n: 'end' }]);
    });

    it('carries JSON values unchanged and in order', async () => {
      const { bus, settle } = await make();
      const r = recorder();
      bus.subscribe('t', r.handler);
      await settle();
      const msgs = [{ a: 1, nested: { list: [1, 'two', null, true] } }, 'text', 42, null, { s: 'ünïcødé ✓ "quotes"' }, { last: true }];
      for (const m of msgs) bus.publish('t', m);
      await r.until((m) => (m as { last?: boolean } | null)?.last === true);
      expect(r.got).toEqual(msgs);
    });

    it('stops delivering after unsubscribe; other handlers keep theirs', async () => {
      const { bus, settle } = await make();
      const gone = recorder();
      const kept = recorder();
      const off = bus.subscribe('t', gone.handler);
      bus.subscribe('t', kept.handler);
      await settle();
      bus.publish('t', 1);
      await gone.until((m) => m === 1);
      off();
      off(); // idempotent
      await settle();
      bus.publish('t', 2);
      await kept.until((m) => m === 2);
      expect(gone.got).toEqual([1]);
      expect(kept.got).toEqual([1, 2]);
    });

    it('delivers again after the last handler left and a new one came', async () => {
      const { bus, settle } = await make();
      const first = recorder();
      const off = bus.subscribe('t', first.handler);
      await settle();
      off();
      const second = recorder();
      bus.subscribe('t', second.handler);
      await settle();
      bus.publish('t', 'again');
      await second.until((m) => m === 'again');
      expect(first.got).toEqual([]);
    });

    it('does not let a throwing handler break delivery to the others', async () => {
      const { bus, settle } = await make();
      const before = recorder();
      const after = recorder();
      bus.subscribe('t', before.handler);
      bus.subscribe('t', () => {
        throw new Error('handler bug');
      });
      bus.subscribe('t', after.handler);
      await settle();
      bus.publish('t', 'x');
      bus.publish('t', 'y');
      await after.until((m) => m === 'y');
      expect(before.got).toEqual(['x', 'y']);
      expect(after.got).toEqual(['x', 'y']);
    });

    it('publishes to a topic nobody listens to without error, and closes', async () => {
      const { bus } = await make();
      expect(() => bus.publish('nobody', { x: 1 })).not.toThrow();
      await bus.close();
    });
  });
}

describe.skipIf(!hasRedis)('RedisBus across processes', () => {
  it('lets two buses see each other, delivering each message once', async () => {
    const prefix = newPrefix();
    const a = await redisBus(prefix);
    const b = await redisBus(prefix);
    const ra = recorder();
    const rb = recorder();
    a.subscribe('domain', ra.handler);
    b.subscribe('domain', rb.handler);
    await Promise.all([a.ready(), b.ready()]);

    a.publish('domain', { t: 'flag-changed', id: 'f1', value: true });
    await rb.until((m) => (m as { id?: string }).id === 'f1');
    b.publish('domain', { t: 'directory-changed' });
    // Redis keeps order per connection: once a has b's message, an echo of its own would have come before it.
    await ra.until((m) => (m as { t?: string }).t === 'directory-changed');
    expect(ra.got).toEqual([{ t: 'flag-changed', id: 'f1', value: true }, { t: 'directory-changed' }]);
    expect(rb.got).toEqual([{ t: 'flag-changed', id: 'f1', value: true }, { t: 'directory-changed' }]);
  });

  it('keeps installations with different prefixes apart', async () => {
    const mine = newPrefix();
    const bus = await redisBus(mine);
    const r = recorder();
    bus.subscribe('domain', r.handler);
    await bus.ready();
    // One raw connection publishes to both channels; Redis keeps its order, so the
    // foreign message would have arrived before ours.
    const raw = new Redis(REDIS_URL);
    closers.push(async () => void (await raw.quit()));
    const env = (m: unknown) => JSON.stringify({ o: 'another-process', m });
    await raw.publish(`${newPrefix()}domain`, env('foreign'));
    await raw.publish(`${mine}other`, env('other topic'));
    await raw.publish(`${mine}domain`, env('ours'));
    await r.until((m) => m === 'ours');
    expect(r.got).toEqual(['ours']);
  });

  it('ignores malformed messages from Redis and keeps going', async () => {
    const prefix = newPrefix();
    const bus = await redisBus(prefix);
    const r = recorder();
    bus.subscribe('domain', r.handler);
    await bus.ready();
    const raw = new Redis(REDIS_URL);
    closers.push(async () => void (await raw.quit()));
    await raw.publish(`${prefix}domain`, 'not json');
    await raw.publish(`${prefix}domain`, '42');
    await raw.publish(`${prefix}domain`, JSON.stringify({ o: 'p2', m: 'fine' }));
    await r.until((m) => m === 'fine');
    expect(r.got).toEqual(['fine']);
  });

  it('subscribes a Redis channel while a topic has handlers, and only then', async () => {
    const prefix = newPrefix();
    const bus = await redisBus(prefix);
    const probe = new Redis(REDIS_URL);
    closers.push(async () => void (await probe.quit()));
    const numsub = async (topic: string) => {
      const [, n] = (await probe.pubsub('NUMSUB', prefix + topic)) as [string, number];
      return Number(n);
    };
    const off1 = bus.subscribe('t', () => {});
    const off2 = bus.subscribe('t', () => {});
    await bus.ready();
    expect(await numsub('t')).toBe(1);
    off1();
    await bus.ready();
    expect(await numsub('t')).toBe(1);
    off2();
    await bus.ready();
    expect(await numsub('t')).toBe(0);
    const off3 = bus.subscribe('t', () => {});
    off3();
    bus.subscribe('t', () => {});
    await bus.ready();
    expect(await numsub('t')).toBe(1);
    await bus.close();
    await expect.poll(() => numsub('t'), { timeout: 5000, interval: 10 }).toBe(0);
  });

  it('fails to connect with a clear error when Redis is not there', async () => {
    await expect(
      RedisBus.connect({ url: 'redis://127.0.0.1:1', logger, redis: { maxRetriesPerRequest: 0, retryStrategy: () => null } }),
    ).rejects.toThrow();
  });
});
