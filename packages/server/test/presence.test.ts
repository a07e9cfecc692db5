/** PresenceService: sources, grace period, calls, persistence (fake clock, SQLite in memory). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PresenceService, visibleOf, type PresenceChange } from '../src/presence/presence-service.js';
import type { Storage } from '../src/storage/types.js';
import { FakeClock, memoryStorage, silent } from './realtime-fakes.js';

let storage: Storage;
let clock: FakeClock;
let p: PresenceService;
let changes: PresenceChange[];

const make = async () => {
  const svc = new PresenceService({ storage, clock, graceMs: 10_000, logger: silent });
  await svc.init();
  svc.onChange((c) => changes.push(c));
  return svc;
};

beforeEach(async () => {
  storage = await memoryStorage();
  clock = new FakeClock();
  changes = [];
  p = await make();
});
afterEach(async () => {
  p.stop();
  await storage.close();
});

describe('presence', () => {
  it('maps set presence and calls to what visitors see', () => {
    expect(visibleOf('online', false)).toBe('online');
    expect(visibleOf('online', true)).toBe('busy');
    expect(visibleOf('away', false)).toBe('busy');
    expect(visibleOf('busy', false)).toBe('busy');
    expect(visibleOf('offline', true)).toBe('offline');
  });

  it('a console connecting does not change presence; the last value set wins and is stored', async () => {
    p.handleConsoleConnected('u1', 'c1');
    expect(p.presence('u1')).toBe('offline');
    expect(changes).toEqual([]);
    expect(await p.handleSetPresence('u1', 'online', 'console')).toBe(true);
    expect(await p.handleSetPresence('u1', 'away', 'api')).toBe(true);
    expect(p.visible('u1')).toBe('busy');
    expect(await storage.presence.get('u1')).toMatchObject({ presence: 'away', source: 'api' });
    expect(changes.map((c) => c.visible)).toEqual(['online', 'busy']);
    // The same value again: stored, but nothing to announce, and the caller is told so.
    expect(await p.handleSetPresence('u1', 'away', 'console')).toBe(false);
    expect(await storage.presence.get('u1')).toMatchObject({ presence: 'away', source: 'console' });
    expect(changes).toHaveLength(2);
    p.stop();
    expect(await p.handleSetPresence('u1', 'online', 'console')).toBe(false);
    expect(changes).toHaveLength(2);
  });

  it('console-set presence falls to offline after the grace period once the last console leaves', async () => {
    p.handleConsoleConnected('u1', 'c1');
    p.handleConsoleConnected('u1', 'c2');
    await p.handleSetPresence('u1', 'online', 'console');
    p.handleConsoleDisconnected('u1', 'c1');
    clock.advance(60_000);
    expect(p.presence('u1')).toBe('online');
    p.handleConsoleDisconnected('u1', 'c2');
    clock.advance(9_999);
    expect(p.presence('u1')).toBe('online');
    clock.advance(1);
    await expect.poll(() => p.presence('u1')).toBe('offline');
    await expect.poll(async () => (await storage.presence.get('u1'))?.presence).toBe('offline');
  });

  it('a reconnect within the grace period keeps presence', async () => {
    p.handleConsoleConnected('u1', 'c1');
    await p.handleSetPresence('u1', 'busy', 'console');
    p.handleConsoleDisconnected('u1', 'c1');
    clock.advance(5_000);
    p.handleConsoleConnected('u1', 'c3');
    clock.advance(60_000);
    expect(p.presence('u1')).toBe('busy');
    expect(clock.pending).toBe(0);
  });

  it('API-set presence shows without a console and does not fall', async () => {
    await p.handleSetPresence('u2', 'online', 'api');
    p.handleConsoleConnected('u2', 'c1');
    p.handleConsoleDisconnected('u2', 'c1');
    clock.advance(60_000);
    expect(p.visible('u2')).toBe('online');
  });

  it('is busy while in a call, and announces only visible changes', async () => {
    await p.handleSetPresence('u1', 'online', 'console');
    changes.length = 0;
    p.handleCallState('u1', true);
    p.handleCallState('u1', true);
    expect(p.visible('u1')).toBe('busy');
    p.handleCallState('u1', false);
    expect(p.visible('u1')).toBe('busy');
    p.handleCallState('u1', false);
    expect(p.visible('u1')).toBe('online');
    expect(changes).toEqual([
      { userId: 'u1', presence: 'online', visible: 'busy', presenceChanged: false },
      { userId: 'u1', presence: 'online', visible: 'online', presenceChanged: false },
    ]);
  });

  it('after a restart: API presence persists, console presence without a console falls after the grace period', async () => {
    await p.handleSetPresence('api-user', 'online', 'api');
    await p.handleSetPresence('console-user', 'online', 'console');
    p.stop();
    const q = await make();
    expect(q.presence('api-user')).toBe('online');
    expect(q.presence('console-user')).toBe('online');
    clock.advance(10_000);
    await expect.poll(() => q.presence('console-user')).toBe('offline');
    expect(q.presence('api-user')).toBe('online');
    q.stop();
  });
});
