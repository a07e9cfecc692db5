/**
 * The Redis parts of cluster mode, against real Redis (unique key prefixes
 * on the shared instance): membership by beats, the console registry and
 * grace periods across "processes", and the leader lease.
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, need } from '@cw/testkit';
import { Membership } from '../src/cluster/membership.js';
import { RedisConsoleRegistry } from '../src/cluster/redis-console-registry.js';
import { RedisLease } from '../src/cluster/lease.js';

const logger = pino({ level: 'silent' });
const hasRedis = await need('redis', 'cluster mode against real Redis');

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function conn(): Redis {
  const r = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  cleanups.push(() => r.quit());
  return r;
}

async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
}

function prefix(): string {
  const p = `cw-test:${crypto.randomBytes(5).toString('hex')}:`;
  cleanups.push(() => dropPrefix(p));
  return p;
}

interface Seen {
  reaped: string[];
  rejoins: string[];
}

function member(p: string, node: string, ttlMs = 600): { m: Membership; seen: Seen } {
  const seen: Seen = { reaped: [], rejoins: [] };
  const m = new Membership({ redis: conn(), prefix: p, node, ttlMs, beatMs: 100, logger, onReap: (n) => seen.reaped.push(n), onRejoin: (w) => seen.rejoins.push(w) });
  cleanups.push(() => m.stop());
  return { m, seen };
}

describe.skipIf(!hasRedis)('cluster membership (real Redis)', () => {
  it('sees the live nodes, and exactly one survivor reaps a node that stopped beating', async () => {
    const p = prefix();
    const a = member(p, 'a');
    const b = member(p, 'b');
    const c = member(p, 'c');
    await Promise.all([a.m.start(), b.m.start(), c.m.start()]);
    await expect.poll(() => [...a.m.live].sort().join(), { timeout: 5000 }).toBe('a,b,c');
    // c dies without a word.
    await stopBeating(c.m);
    await expect.poll(() => a.seen.reaped.length + b.seen.reaped.length, { timeout: 5000 }).toBe(1);
    expect([...a.seen.reaped, ...b.seen.reaped]).toEqual(['c']);
    await expect.poll(() => [...b.m.live].sort().join(), { timeout: 5000 }).toBe('a,b');
    // Nobody reaps twice, and the live ones were never reaped.
    await a.m.beat();
    await b.m.beat();
    expect(a.seen.reaped.length + b.seen.reaped.length).toBe(1);
    expect([...a.seen.rejoins, ...b.seen.rejoins]).toEqual([]);
  });

  it('tells a reaped node that comes back that it was reaped, and a node whose Redis lost the set that it was reset', async () => {
    const p = prefix();
    const a = member(p, 'a');
    const b = member(p, 'b');
    await Promise.all([a.m.start(), b.m.start()]);
    await stopBeating(b.m);
    await expect.poll(() => a.seen.reaped, { timeout: 5000 }).toEqual(['b']);
    // b was only frozen: it beats again.
    await Membership.prototype.beat.call(b.m);
    expect(b.seen.rejoins).toEqual(['reaped']);
    // Redis restarted empty: the set and the tombstones are gone.
    await dropPrefix(p);
    await a.m.beat();
    expect(a.seen.rejoins).toEqual(['reset']);
    expect(a.m.healthy).toBe(true);
  });

  it('a node that stops (drained) is reaped at the next beat of another, without waiting for its beat to expire', async () => {
    const p = prefix();
    const a = member(p, 'a', 60_000);
    const b = member(p, 'b', 60_000);
    await Promise.all([a.m.start(), b.m.start()]);
    await b.m.stop();
    await a.m.beat();
    expect([...a.m.live]).toEqual(['a']);
    expect(a.seen.reaped).toEqual(['b']);
  });
});

/** Makes a Membership stop beating as a killed process would (no leave): its timer calls beat(), which now does nothing. */
async function stopBeating(m: Membership): Promise<void> {
  await m.beat();
  (m as unknown as { beat(): Promise<void> }).beat = async () => {};
}

describe.skipIf(!hasRedis)('cluster console registry (real Redis)', () => {
  it('lists consoles of live nodes only, counts what is left anywhere, and reaps a dead node', async () => {
    const p = prefix();
    const a = member(p, 'a', 2000);
    const b = member(p, 'b', 2000);
    await Promise.all([a.m.start(), b.m.start()]);
    const ra = new RedisConsoleRegistry(conn(), p, 'a');
    const rb = new RedisConsoleRegistry(conn(), p, 'b');
    await ra.add('u1', 'c1');
    await rb.add('u1', 'c2');
    await rb.add('u2', 'c3');
    expect((await ra.consolesOf('u1')).sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'c1', node: 'a' },
      { id: 'c2', node: 'b' },
    ]);
    expect(await ra.remove('u1', 'c1')).toBe(1);
    expect(await rb.consolesOf('u1')).toEqual([{ id: 'c2', node: 'b' }]);

    // b dies: its consoles stop counting when its beat expires, and its reaper drops them.
    await stopBeating(b.m);
    await expect.poll(() => a.seen.reaped, { timeout: 8000 }).toEqual(['b']);
    expect(await ra.consolesOf('u1')).toEqual([]);
    expect((await ra.reap('b')).sort()).toEqual(['u1', 'u2']);
    expect(await ra.reap('b')).toEqual([]);
    expect(await ra.consolesOf('u2')).toEqual([]);
  });

  it('ends a grace period once, only for the latest start, only without consoles; a console cancels it', async () => {
    const p = prefix();
    const a = member(p, 'a', 5000);
    await a.m.start();
    const r = new RedisConsoleRegistry(conn(), p, 'a');
    const first = await r.graceStart('u1', 1000);
    const second = await r.graceStart('u1', 1000);
    expect(await r.graceDue('u1', first)).toBe(false);
    expect(await r.graceDue('u1', second)).toBe(true);
    expect(await r.graceDue('u1', second)).toBe(false);

    const t = await r.graceStart('u1', 1000);
    await r.add('u1', 'c1');
    expect(await r.graceDue('u1', t)).toBe(false);
    const t2 = await r.graceStart('u1', 1000);
    expect(await r.graceDue('u1', t2)).toBe(false); // a console is connected
    expect(await r.remove('u1', 'c1')).toBe(0);
    expect(await r.graceDue('u1', t2)).toBe(true);
  });
});

describe.skipIf(!hasRedis)('leader lease (real Redis)', () => {
  it('is held by one process at a time; another takes over when the holder stops, or dies', async () => {
    const p = prefix();
    const events: string[] = [];
    const mk = (id: string) => {
      const l = new RedisLease({ redis: conn(), prefix: p, name: 'sip', ttlMs: 600, logger, onAcquired: () => events.push(`${id}+`), onLost: () => events.push(`${id}-`) });
      cleanups.push(() => l.stop());
      return l;
    };
    const a = mk('a');
    const b = mk('b');
    a.start();
    await expect.poll(() => a.held, { timeout: 5000 }).toBe(true);
    b.start();
    await b.tick();
    expect(b.held).toBe(false);
    // A graceful stop hands over at once.
    await a.stop();
    await b.tick();
    expect(b.held).toBe(true);
    expect(events).toEqual(['a+', 'a-', 'b+']);

    // The holder dies (it stops renewing, without releasing): the other takes over after the ttl.
    const c = mk('c');
    c.start();
    (b as unknown as { tick(): Promise<void> }).tick = async () => {};
    await expect.poll(() => c.held, { timeout: 5000 }).toBe(true);
    expect(events.slice(-1)).toEqual(['c+']);
  });
});
