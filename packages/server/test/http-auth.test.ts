/** Sign-in, cookies, tokens, roles and CSRF of the HTTP API. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../src/storage/index.js';
import { loadConfig } from '../src/config.js';
import { ensureFirstAdmin } from '../src/bootstrap.js';
import { hashPassword, verifyPassword } from '../src/auth/passwords.js';
import { Api, login, setup, type Env } from './http-helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

describe('login', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and returns the user without a hash', async () => {
    const r = await env.anon.post('/api/login', { username: 'admin', password: env.s.adminPassword });
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cw_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(r.body.username).toBe('admin');
    expect(r.body.roles).toEqual(expect.arrayContaining(['admin', 'agent']));
    expect(r.text).not.toMatch(/passwordHash|scrypt/);
  });

  it('stores only a hash of the cookie', async () => {
    const r = await env.anon.post('/api/login', { username: 'admin', password: env.s.adminPassword });
    const value = r.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
    expect(await env.s.storage.authSessions.get(value)).toBeUndefined();
  });

  it('answers 401 invalid-credentials for a wrong password or unknown user', async () => {
    for (const body of [{ username: 'admin', password: 'nope-nope' }, { username: 'ghost', password: 'whatever1' }]) {
      const r = await env.anon.post('/api/login', body);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'invalid-credentials', message: expect.any(String) });
    }
  });

  it('answers 400 with field for a malformed login', async () => {
    const r = await env.anon.post('/api/login', { username: 'admin' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'validation-failed', field: 'password' });
  });

  it('limits failed attempts per IP and username (429)', async () => {
    const u = { username: 'victim', password: 'wrong-pass' };
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await env.anon.post('/api/login', u)).status);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[11]).toBe(429);
    const r = await env.anon.post('/api/login', u);
    expect(r.body.error).toBe('rate-limited');
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    // another username from the same IP is not locked out
    expect((await env.anon.post('/api/login', { username: 'admin', password: env.s.adminPassword })).status).toBe(200);
  });

  it('logout ends the session', async () => {
    const api = await login(env.s.url, 'admin', env.s.adminPassword);
    expect((await api.get('/api/me')).status).toBe(200);
    const out = await api.post('/api/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/cw_session=; .*Max-Age=0/);
    expect((await api.get('/api/me')).status).toBe(401);
  });

  it('an expired session is refused', async () => {
    const api = await login(env.s.url, 'admin', env.s.adminPassword);
    const id = (await import('../src/auth/credentials.js')).sha256(decodeURIComponent(api.auth.cookie!.split('=')[1]!));
    const rec = (await env.s.storage.authSessions.get(id))!;
    await env.s.storage.authSessions.delete(id);
    await env.s.storage.authSessions.create({ ...rec, expiresAt: Date.now() - 1 });
    expect((await api.get('/api/me')).status).toBe(401);
  });
});

describe('Secure cookie', () => {
  it('is set when SECURE_COOKIES is on', async () => {
    const { startTestServer } = await import('@cw/testkit');
    const s = await startTestServer({ env: { SECURE_COOKIES: '1' } });
    try {
      const r = await new Api(s.url).post('/api/login', { username: 'admin', password: s.adminPassword });
      expect(r.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await s.close();
    }
  });
});

describe('credentials and roles', () => {
  it('401 unauthorized without credentials, with JSON', async () => {
    for (const p of ['/api/users', '/api/widgets', '/api/flags', '/api/me', '/api/directory', '/api/chats', '/api/calls', '/api/groups']) {
      const r = await env.anon.get(p);
      expect(r.status, p).toBe(401);
      expect(r.body).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    }
    expect((await new Api(env.s.url, { token: 'cwt_garbage' }).get('/api/me')).status).toBe(401);
  });

  it('an agent cannot change widgets, users, groups or flags (403), but may read widgets and the directory', async () => {
    const { api } = await env.agent();
    const w = await env.admin.post('/api/widgets', { type: 'cards', name: 'W' });
    const f = await env.admin.post('/api/flags', { name: 'F' });
    const attempts: [string, string, unknown?][] = [
      ['POST', '/api/widgets', { type: 'cards', name: 'X' }],
      ['PUT', `/api/widgets/${w.body.uuid}`, { type: 'cards', name: 'X' }],
      ['DELETE', `/api/widgets/${w.body.uuid}`],
      ['GET', `/api/widgets/${w.body.uuid}/embed`],
      ['GET', `/api/widgets/${w.body.uuid}/preview.html`],
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'evil', password: 'evil-password', roles: ['admin'] }],
      ['GET', '/api/groups'],
      ['POST', '/api/groups', { name: 'g', sipId: 'g', members: [] }],
      ['GET', '/api/flags'],
      ['POST', '/api/flags', { name: 'x' }],
      ['PUT', `/api/flags/${f.body.id}`, { value: true }],
      ['DELETE', `/api/flags/${f.body.id}`],
      ['GET', '/api/chats?all=1'],
    ];
    for (const [m, p, b] of attempts) {
      const r = await api.req(m, p, b);
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.body.error).toBe('forbidden');
    }
    expect((await api.get('/api/widgets')).status).toBe(200);
    expect((await api.get(`/api/widgets/${w.body.uuid}`)).status).toBe(200);
    expect((await api.get('/api/directory?q=adm')).status).toBe(200);
    expect((await env.admin.get(`/api/flags/${f.body.id}`)).body.value).toBe(false);
  });
});

describe('a user without roles', () => {
  it('may sign in and read /api/me, nothing else', async () => {
    const { api } = await env.agent('noroles', []);
    expect((await api.get('/api/me')).body.roles).toEqual([]);
    for (const p of ['/api/widgets', '/api/directory', '/api/chats']) expect((await api.get(p)).status, p).toBe(403);
  });
});

describe('API tokens', () => {
  it('creates a token shown once, stores only its hash, grants the user rights, can be revoked', async () => {
    const { api, user } = await env.agent();
    const r = await api.post('/api/tokens', { name: 'my script' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: expect.any(String), token: expect.any(String), name: 'my script' });
    expect(await env.s.storage.apiTokens.getByHash(r.body.token)).toBeUndefined();
    const bearer = new Api(env.s.url, { token: r.body.token });
    expect((await bearer.get('/api/me')).body.id).toBe(user.id);
    expect((await bearer.get('/api/users')).status).toBe(403);
    // the presence API with the token of the user whose sipId it is
    expect((await bearer.put(`/api/presence/${user.sipId}`, { presence: 'busy' })).status).toBe(200);
    const list = await api.get('/api/tokens');
    expect(list.body).toEqual([{ id: r.body.id, name: 'my script', createdAt: expect.any(Number) }]);
    expect(list.text).not.toContain(r.body.token);
    // someone else cannot revoke it
    expect((await env.admin.del(`/api/tokens/${r.body.id}`)).status).toBe(404);
    expect((await api.del(`/api/tokens/${r.body.id}`)).status).toBe(204);
    expect((await bearer.get('/api/me')).status).toBe(401);
  });

  it('an admin token has admin rights; ?token= is only for the WebSocket (URLs end up in logs)', async () => {
    const r = await env.admin.post('/api/tokens', { name: 'ci' });
    const bearer = new Api(env.s.url, { token: r.body.token });
    expect((await bearer.post('/api/flags', { name: 'from token' })).status).toBe(201);
    expect((await env.anon.get(`/api/users?token=${encodeURIComponent(r.body.token)}`)).status).toBe(401);
  });

  it('400 with field for a bad token name', async () => {
    const r = await env.admin.post('/api/tokens', { name: '   ' });
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('name');
  });
});

describe('CSRF', () => {
  it('refuses cookie writes from another Origin', async () => {
    const r = await env.admin.post('/api/flags', { name: 'x' }, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('csrf-rejected');
  });

  it('refuses cookie POSTs that are neither JSON nor carry an Origin', async () => {
    const cookie = env.admin.auth.cookie!;
    const r = await fetch(`${env.s.url}/api/flags`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{"name":"x"}' });
    expect(r.status).toBe(403);
    const d = await fetch(`${env.s.url}/api/logout`, { method: 'POST', headers: { cookie } });
    expect(d.status).toBe(403);
    expect(await d.json()).toMatchObject({ error: 'csrf-rejected' });
    // DELETE cannot come from a foreign page without a preflight: the cookie alone is enough
    expect((await fetch(`${env.s.url}/api/flags/whatever`, { method: 'DELETE', headers: { cookie } })).status).toBe(404);
    const x = await fetch(`${env.s.url}/api/flags/whatever`, { method: 'DELETE', headers: { cookie, origin: 'http://evil.example' } });
    expect(x.status).toBe(403);
  });

  it('accepts JSON cookie writes without an Origin, and same-origin writes without JSON', async () => {
    const cookie = env.admin.auth.cookie!;
    const r = await fetch(`${env.s.url}/api/flags`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"ok"}' });
    expect(r.status).toBe(201);
    const id = ((await r.json()) as { id: string }).id;
    const d = await fetch(`${env.s.url}/api/flags/${id}`, { method: 'DELETE', headers: { cookie, origin: env.s.url } });
    expect(d.status).toBe(204);
  });

  it('a text/plain body is refused with 415 when not signed in by cookie', async () => {
    const r = await fetch(`${env.s.url}/api/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ error: 'unsupported-media-type' });
  });
});

describe('first admin and passwords', () => {
  it('hashes with scrypt in PHC-like form and verifies in constant time', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(h);
  });

  it('creates the first admin once, with a generated password when none is configured', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-boot-'));
    const storage = await openStorage({ sqlitePath: path.join(dir, 'db.sqlite') });
    try {
      const config = loadConfig({ DATA_DIR: dir, ADMIN_USERNAME: 'root' } as NodeJS.ProcessEnv);
      const first = await ensureFirstAdmin(storage, config);
      expect(first).toMatchObject({ username: 'root', generated: true });
      expect(first!.password!.length).toBeGreaterThanOrEqual(20);
      const u = (await storage.users.getByUsername('root'))!;
      expect(u.roles).toEqual(['admin', 'agent']);
      expect(await verifyPassword(first!.password!, u.passwordHash)).toBe(true);
      expect(await ensureFirstAdmin(storage, config)).toBeNull();
    } finally {
      await storage.close();
    }
  });
});
