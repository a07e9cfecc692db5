/**
 * Both channels' rules of section 8 that are not about calls or chats:
 * agent authentication, Welcome and presence, bad requests, limits, paths, drain.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type TestServer } from '@cw/testkit';
import { DOMAIN_TOPIC } from '../src/bus/types.js';
import { sha256 } from '../src/auth/credentials.js';
import { agent, entry, makeUser, makeWidget, openVisitor, setPresence, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';

let s: TestServer;
let atlantis: AgentUser;
let admin: AgentUser;

beforeAll(async () => {
  s = await startTestServer({ ...dbOptions(), env: { PRESENCE_GRACE_S: '0.3', WS_RATE_PER_S: '20', WS_RATE_BURST: '50' } });
  atlantis = await makeUser(s, { sipId: 'atlantis', displayName: 'Atlantis' });
  admin = await makeUser(s, { sipId: 'boss', roles: ['admin'] });
});
afterAll(async () => {
  await s?.close();
});

describe('agent channel', () => {
  it('refuses missing or invalid credentials with unauthorized and 1008', async () => {
    for (const url of ['/ws/agent', '/ws/agent?token=wrong']) {
      const c = await WsClient.connect(`${s.wsUrl}${url}`);
      expect(await c.next('Error')).toMatchObject({ mt: 'Error', code: 'unauthorized' });
      expect((await c.closed).code).toBe(1008);
    }
  });

  it('refuses a user without the agent role with forbidden and 1008', async () => {
    const c = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(await c.next('Error')).toMatchObject({ code: 'forbidden' });
    expect((await c.closed).code).toBe(1008);
  });

  it('accepts the session cookie and the Bearer header; Welcome carries user and presence', async () => {
    const cookie = crypto.randomBytes(16).toString('hex');
    await s.storage.authSessions.create({ id: sha256(cookie), userId: atlantis.user.id, createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
    const c = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { cookie: `cw_session=${cookie}` } });
    expect(await c.next('Welcome')).toEqual({ mt: 'Welcome', user: { id: atlantis.user.id, sipId: 'atlantis', dn: 'Atlantis', roles: ['agent'] }, presence: 'offline' });
    expect(await c.next('IceConfig')).toMatchObject({ stun: '', turn: '', iceServers: [] });
    // Same cookie from a foreign page: refused (cross-site WebSocket hijacking); from our own origin: fine.
    const foreign = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { cookie: `cw_session=${cookie}`, origin: 'https://evil.example' } });
    expect(await foreign.next('Error')).toMatchObject({ code: 'unauthorized' });
    expect((await foreign.closed).code).toBe(1008);
    const own = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { cookie: `cw_session=${cookie}`, origin: s.url } });
    await own.next('Welcome');
    await own.close();
    const b = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${atlantis.token}` } });
    await b.next('Welcome');
    await setPresence(c, 'busy');
    // Every console of the user hears of the change.
    expect(await b.next('Presence')).toEqual({ mt: 'Presence', presence: 'busy', visible: 'busy' });
    await setPresence(c, 'offline');
    await Promise.all([b.close(), c.close()]);
  });

  it('console-set presence falls to offline after the grace period; connecting alone does not change it', async () => {
    const w = await makeWidget(s, [entry('atlantis')]);
    const { c: a } = await agent(s, atlantis.token);
    await setPresence(a, 'online');
    const { c: v } = await visitor(s, w.uuid);
    await a.close();
    expect(await v.next('Info')).toMatchObject({ id: 'atlantis', presence: 'offline' });
    const { welcome } = await agent(s, atlantis.token);
    expect(welcome.presence).toBe('offline');
    await v.close();
  });

  it('consoles that connect and vanish at once leave nothing behind', async () => {
    const u = await makeUser(s, { sipId: 'flaky' });
    for (let i = 0; i < 5; i++) {
      const c = await WsClient.connect(`${s.wsUrl}/ws/agent?token=${u.token}`);
      c.ws.terminate();
      await c.closed;
    }
    const { c } = await agent(s, u.token);
    expect(s.app.realtime.presence.consolesOf(u.user.id)).toHaveLength(1);
    await c.close();
    await expect.poll(() => s.app.realtime.presence.consolesOf(u.user.id)).toEqual([]);
  });

  it('closes the consoles of a revoked user', async () => {
    const u = await makeUser(s, { sipId: 'leaver' });
    const { c } = await agent(s, u.token);
    s.bus.publish(DOMAIN_TOPIC, { t: 'user-revoked', userId: u.user.id });
    expect(await c.next('Error')).toMatchObject({ code: 'unauthorized' });
    expect((await c.closed).code).toBe(1008);
  });
});

describe('bad requests keep the connection open', () => {
  it('answers bad frames with bad-request and the ref', async () => {
    const w = await makeWidget(s, [entry('atlantis')]);
    const c = await openVisitor(s);
    c.send({ mt: 'GetPicture', id: 'atlantis' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'GetPicture' });
    c.send('not json');
    expect(await c.next('Error')).toEqual({ mt: 'Error', code: 'bad-request', text: 'frame is not valid JSON', ref: null });
    c.send('[1,2]');
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: null });
    c.send({ mt: 'Teleport' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'Teleport' });
    c.send({ mt: 'Start' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'Start', text: expect.stringContaining('uuid') });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request' });
    c.send({ mt: 'Start', uuid: w.uuid });
    await c.next('Session');
    c.send({ mt: 'Start', uuid: w.uuid });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'Start' });
    c.send({ mt: 'CreateCall', dest: 'atlantis', dn: '   ' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'CreateCall' });
    c.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'x'.repeat(101) });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'CreateCall' });
    c.send({ mt: 'ChatMessage', chat: 'c', cid: 'k', text: 'x'.repeat(4001) });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'ChatMessage' });
    c.send({ mt: 'Typing', chat: 'c', typing: 'yes' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'Typing' });
    c.send({ mt: 'GetPicture', id: 'atlantis' });
    expect(await c.next('Picture')).toMatchObject({ id: 'atlantis' });
    await c.close();
  });

  it('agent channel too', async () => {
    const { c } = await agent(s, atlantis.token);
    c.send({ mt: 'SetPresence', presence: 'sleeping' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'SetPresence' });
    c.send({ mt: 'CreateCall', dest: 'x', dn: 'y' });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'CreateCall' });
    await setPresence(c, 'offline');
    await c.close();
  });
});

describe('limits and paths', () => {
  it('closes with 1009 on a frame over 64 KiB, on both channels', async () => {
    const v = await openVisitor(s);
    v.send('x'.repeat(64 * 1024 + 1));
    expect((await v.closed).code).toBe(1009);
    const { c: a } = await agent(s, atlantis.token);
    a.send(JSON.stringify({ mt: 'Typing', chat: 'x'.repeat(70_000), typing: true }));
    expect((await a.closed).code).toBe(1009);
  });

  it('accepts a frame of exactly 64 KiB', async () => {
    const v = await openVisitor(s);
    const frame = JSON.stringify({ mt: 'Nope', pad: '' });
    v.send(JSON.stringify({ mt: 'Nope', pad: 'x'.repeat(64 * 1024 - frame.length) }));
    expect(await v.next('Error')).toMatchObject({ code: 'bad-request', ref: 'Nope' });
    await v.close();
  });

  it('rate-limits a flood with rate-limited and 1008, on both channels', async () => {
    const v = await openVisitor(s);
    for (let i = 0; i < 80; i++) v.send({ mt: 'Nope' });
    expect(await v.next((m) => m.mt === 'Error' && m.code === 'rate-limited')).toMatchObject({ code: 'rate-limited' });
    expect((await v.closed).code).toBe(1008);
    // The burst allowance: the first 50 were answered normally.
    expect(v.received.filter((m) => m.code === 'bad-request').length).toBeGreaterThanOrEqual(50);
    const { c: a } = await agent(s, atlantis.token);
    for (let i = 0; i < 80; i++) a.send({ mt: 'Nope' });
    await a.next((m) => m.mt === 'Error' && m.code === 'rate-limited');
    expect((await a.closed).code).toBe(1008);
  });

  it('refuses upgrades on other paths', async () => {
    await expect(WsClient.connect(`${s.wsUrl}/ws/other`)).rejects.toThrow();
  });
});

describe('drain', () => {
  it('closes every socket with 1012 and refuses new ones', async () => {
    const t = await startTestServer(dbOptions());
    const u = await makeUser(t, { sipId: 'x' });
    const w = await makeWidget(t, [entry('x')]);
    const { c: v } = await visitor(t, w.uuid);
    const { c: a } = await agent(t, u.token);
    const raw = await openVisitor(t);
    await t.app.realtime.drain();
    for (const c of [v, a, raw]) expect((await c.closed).code).toBe(1012);
    await expect(openVisitor(t)).rejects.toThrow();
    await t.close();
  });
});
