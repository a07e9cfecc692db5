/**
 * Issue 11 finding 3, as the attack was run: an agent console (/ws/agent)
 * opened with a session cookie or an API token kept working after
 * POST /api/logout, after DELETE /api/tokens/:id and after the session
 * expired. Now the socket ends with its credentials — through an event on
 * the bus (every process gets it) and a re-check on long-lived sockets — and
 * a password change (own or by an admin) ends every other session and token.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { need, REDIS_URL, startTestServer, WsClient, type TestServer } from '@cw/testkit';
import { buildApp } from '../src/app.js';
import { ensureFirstAdmin } from '../src/bootstrap.js';
import { RedisBus } from '../src/bus/redis.js';
import { loadConfig } from '../src/config.js';
import { openStorage } from '../src/storage/index.js';
import { Api, login } from './http-helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function setup(env: Record<string, string> = {}) {
  const s = await startTestServer({ env });
  servers.push(s);
  const admin = await login(s.url, s.adminUsername, s.adminPassword);
  const r = await admin.post('/api/users', { username: 'agnes', password: 'agnes-first-pw', displayName: 'Agnes', roles: ['agent'] });
  expect(r.status).toBe(201);
  return { s, admin, user: r.body };
}

/** Opens a console and waits for Welcome. */
async function console_(s: TestServer, auth: { cookie?: string; token?: string }): Promise<WsClient> {
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  const c = await WsClient.connect(`${s.wsUrl}/ws/agent`, { headers });
  await c.next('Welcome');
  return c;
}

/** The console got `unauthorized` and was closed with 1008. */
async function ended(c: WsClient): Promise<string> {
  const err = await c.next((m) => m.mt === 'Error');
  expect(err.code).toBe('unauthorized');
  expect((await c.closed).code).toBe(1008);
  return err.text;
}

/** The console still answers (a SetPresence is confirmed). */
async function alive(c: WsClient): Promise<void> {
  c.send({ mt: 'SetPresence', presence: 'away' });
  await c.next((m) => m.mt === 'Presence' && m.presence === 'away');
}

async function token(api: Api, name = 'console'): Promise<{ id: string; token: string }> {
  const r = await api.post('/api/tokens', { name });
  expect(r.status).toBe(201);
  return r.body;
}

describe('agent sockets end with their credentials', () => {
  it('after POST /api/logout of the session it was opened with (and only that session)', async () => {
    const { s } = await setup();
    const one = await login(s.url, 'agnes', 'agnes-first-pw');
    const two = await login(s.url, 'agnes', 'agnes-first-pw');
    const c1 = await console_(s, one.auth);
    const c2 = await console_(s, two.auth);
    expect((await one.post('/api/logout')).status).toBe(204);
    const text = await ended(c1);
    console.log(`[security] console after its session signed out: closed 1008 with "${text}"`);
    await alive(c2);
    await c2.close();
  });

  it('after DELETE /api/tokens/:id', async () => {
    const { s } = await setup();
    const api = await login(s.url, 'agnes', 'agnes-first-pw');
    const t = await token(api);
    const c = await console_(s, { token: t.token });
    expect((await api.del(`/api/tokens/${t.id}`)).status).toBe(204);
    console.log(`[security] console after its token was revoked: closed 1008 with "${await ended(c)}"`);
  });

  it('when the session expires (re-checked on the open socket)', async () => {
    // 0.0005 h = 1.8 s
    const { s } = await setup({ SESSION_TTL_H: '0.0005' });
    const api = await login(s.url, 'agnes', 'agnes-first-pw');
    const t0 = Date.now();
    const c = await console_(s, api.auth);
    const text = await ended(c);
    console.log(`[security] console of a 1.8 s session: closed after ${Date.now() - t0} ms with "${text}"`);
    expect(text).toMatch(/expired/);
  });

  it('when the credentials vanish without an event (a missed message): the periodic re-check ends it', async () => {
    const { s } = await setup({ AUTH_RECHECK_S: '1' });
    const api = await login(s.url, 'agnes', 'agnes-first-pw');
    const t = await token(api);
    const c = await console_(s, { token: t.token });
    await alive(c);
    await s.storage.apiTokens.delete(t.id); // straight in storage: no bus event
    await ended(c);
  });

  it('an own password change ends every other session and token; this session stays', async () => {
    const { s } = await setup();
    const here = await login(s.url, 'agnes', 'agnes-first-pw');
    const there = await login(s.url, 'agnes', 'agnes-first-pw');
    const t = await token(there);
    const cHere = await console_(s, here.auth);
    const cThere = await console_(s, there.auth);
    const cToken = await console_(s, { token: t.token });

    const wrong = await here.post('/api/me/password', { currentPassword: 'not-it', password: 'agnes-second-pw' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.field).toBe('currentPassword');
    expect((await here.post('/api/me/password', { currentPassword: 'agnes-first-pw', password: 'agnes-second-pw' })).status).toBe(204);

    await ended(cThere);
    await ended(cToken);
    await alive(cHere);
    expect((await there.get('/api/me')).status).toBe(401);
    expect((await new Api(s.url, { token: t.token }).get('/api/me')).status).toBe(401);
    expect((await here.get('/api/me')).status).toBe(200);
    await login(s.url, 'agnes', 'agnes-second-pw');
    await expect(login(s.url, 'agnes', 'agnes-first-pw')).rejects.toThrow(/401/);
    await cHere.close();
  });

  it("an admin's password reset ends every session and token of the user", async () => {
    const { s, admin, user } = await setup();
    const api = await login(s.url, 'agnes', 'agnes-first-pw');
    const t = await token(api);
    const c1 = await console_(s, api.auth);
    const c2 = await console_(s, { token: t.token });
    expect((await admin.patch(`/api/users/${user.id}`, { password: 'agnes-reset-pw' })).status).toBe(200);
    await ended(c1);
    await ended(c2);
    expect((await new Api(s.url, { token: t.token }).get('/api/me')).status).toBe(401);
    // The admin's own session is not touched by resetting someone else.
    expect((await admin.get('/api/me')).status).toBe(200);
  });

  it("an admin changing their own password keeps this session and ends the admin's others", async () => {
    const { s, admin } = await setup();
    const other = await login(s.url, s.adminUsername, s.adminPassword);
    const me = (await admin.get('/api/me')).body;
    expect((await admin.patch(`/api/users/${me.id}`, { password: 'admin-new-password' })).status).toBe(200);
    expect((await admin.get('/api/me')).status).toBe(200);
    expect((await other.get('/api/me')).status).toBe(401);
  });
});

describe('across processes (RedisBus, real Redis)', () => {
  it('signing out on one process closes the console held by another', async () => {
    if (!(await need('redis', 'revocation across processes'))) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-revoke-'));
    const config = loadConfig({ DATA_DIR: dir, ADMIN_PASSWORD: 'admin-secret-pw', LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const logger = pino({ level: 'silent' });
    // Two app instances ("processes") on one database and one Redis bus prefix.
    const storage = await openStorage({ sqlitePath: path.join(dir, 'db.sqlite') });
    await ensureFirstAdmin(storage, config);
    const prefix = `cw-test:${crypto.randomBytes(6).toString('hex')}:`;
    const apps = [];
    for (let i = 0; i < 2; i++) {
      const bus = await RedisBus.connect({ url: REDIS_URL, prefix, logger });
      const app = await buildApp({ config, storage, bus, logger });
      await app.listen({ host: '127.0.0.1', port: 0 });
      apps.push({ app, bus, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` });
    }
    try {
      const api = await login(apps[0]!.url, 'admin', 'admin-secret-pw');
      const c = await WsClient.connect(`${apps[1]!.url.replace('http', 'ws')}/ws/agent`, { headers: { cookie: api.auth.cookie! } });
      await c.next('Welcome');
      await apps[1]!.bus.ready();
      expect((await api.post('/api/logout')).status).toBe(204);
      expect(await ended(c)).toBe('signed out');
    } finally {
      for (const a of apps) {
        await a.app.close();
        await a.bus.close();
      }
      await storage.close();
    }
  });
});
