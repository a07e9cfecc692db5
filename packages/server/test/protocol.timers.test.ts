/**
 * Timers over real sockets with a clock the test drives (buildApp with a
 * FakeClock): IceConfig refresh, ring timeout, presence grace, chat wait.
 * Each "not yet" is checked after a round trip, so nothing here sleeps.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer, WsClient } from '@cw/testkit';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MemoryBus } from '../src/bus/memory.js';
import type { Storage } from '../src/storage/types.js';
import { agent, entry, makeUser, makeWidget, setPresence, visitor, type AgentUser } from './protocol-fixtures.js';
import { FakeClock, memoryStorage } from './realtime-fakes.js';

let app: FastifyInstance;
let storage: Storage;
let clock: FakeClock;
let s: TestServer;
let ann: AgentUser;
let uuid: string;

beforeAll(async () => {
  storage = await memoryStorage();
  clock = new FakeClock(Date.now());
  const config = loadConfig({ LOG_LEVEL: 'silent', TURN_URLS: 'turn:turn.example.com:3478', TURN_SECRET: 'secret', TURN_TTL_S: '600' } as NodeJS.ProcessEnv);
  app = await buildApp({ config, storage, bus: new MemoryBus(), logger: pino({ level: 'silent' }), clock });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  // Just what the fixtures use.
  s = { storage, wsUrl: `ws://127.0.0.1:${port}` } as TestServer;
  ann = await makeUser(s, { sipId: 'ann', displayName: 'Ann' });
  uuid = (await makeWidget(s, [entry('ann')])).uuid;
});
afterAll(async () => {
  await app?.realtime.drain();
  await app?.close();
  await storage?.close();
});

/** A round trip on the visitor socket: everything the server sent before it has arrived. */
async function sync(v: WsClient): Promise<void> {
  v.send({ mt: 'GetPicture', id: 'ann' });
  await v.next('Picture');
}

describe('timers', () => {
  it('sends a fresh IceConfig at 80 % of the TURN credentials lifetime', async () => {
    const { c: v } = await visitor(s, uuid);
    const first = v.received.find((m) => m.mt === 'IceConfig')!;
    const delay = Math.floor((first.expires - clock.now()) * 0.8);
    expect(first.expires - clock.now()).toBeGreaterThanOrEqual(600_000);
    clock.advance(delay - 1);
    await sync(v);
    expect(v.received.filter((m) => m.mt === 'IceConfig')).toHaveLength(1);
    clock.advance(1);
    const second = await v.next('IceConfig');
    expect(second.expires).toBeGreaterThan(first.expires);
    expect(second.iceServers[0].credential).not.toBe(first.iceServers[0].credential);
    await v.close();
  });

  it('ends an unanswered call after exactly the ring timeout', async () => {
    const { c: a } = await agent(s, ann.token);
    await setPresence(a, 'online');
    const { c: v } = await visitor(s, uuid);
    v.send({ mt: 'CreateCall', dest: 'ann', dn: 'Caller' });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: 'v=0' });
    await a.next('IncomingCall');
    await v.next('CallInfo');
    clock.advance(29_999);
    await sync(v);
    expect(v.unread().filter((m) => m.mt === 'CallInfo')).toEqual([]);
    clock.advance(1);
    expect(await v.next('CallInfo')).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    await Promise.all([v.close(), a.close()]);
  });

  it('lets console presence fall to offline only after the grace period, and not when a console comes back', async () => {
    const { c: v } = await visitor(s, uuid);
    let { c: a } = await agent(s, ann.token);
    await setPresence(a, 'online');
    await a.close();
    await expect.poll(() => app.realtime.presence.consolesOf(ann.user.id)).toEqual([]);
    clock.advance(9_000);
    ({ c: a } = await agent(s, ann.token));
    clock.advance(60_000);
    expect(app.realtime.presence.presence(ann.user.id)).toBe('online');
    await a.close();
    await expect.poll(() => app.realtime.presence.consolesOf(ann.user.id)).toEqual([]);
    clock.advance(9_999);
    expect(app.realtime.presence.presence(ann.user.id)).toBe('online');
    clock.advance(1);
    expect(await v.next((m) => m.mt === 'Info' && m.presence === 'offline')).toMatchObject({ id: 'ann' });
    await v.close();
  });

  it('closes a chat nobody accepts after the wait timeout, by system', async () => {
    const { c: v } = await visitor(s, uuid);
    v.send({ mt: 'ChatStart', dest: 'ann', dn: 'Patient' });
    const chat = (await v.next('ChatInfo')).chat;
    clock.advance(299_999);
    await sync(v);
    expect(v.unread().filter((m) => m.mt === 'ChatInfo')).toEqual([]);
    clock.advance(1);
    expect(await v.next('ChatInfo')).toEqual({ mt: 'ChatInfo', chat, state: 'closed', by: 'system' });
    await v.close();
  });
});
