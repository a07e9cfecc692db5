/**
 * Issue 11 finding 6, as the attack was run: `password` and `12345678` were
 * accepted as passwords. Now the commonly breached and trivially guessable
 * are refused (zxcvbn-ts with its common dictionaries, offline) with the
 * reason in words; the length rules stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { login, type Api } from './http-helpers.js';

let s: TestServer;
let admin: Api;
beforeAll(async () => {
  s = await startTestServer();
  admin = await login(s.url, s.adminUsername, s.adminPassword);
});
afterAll(async () => {
  await s.close();
});

let n = 0;
const create = (password: string, username = `user${++n}`) => admin.post('/api/users', { username, password, roles: ['agent'] });

describe('weak passwords', () => {
  it('refuses the common and the trivially guessable, saying why, and creates nothing', async () => {
    for (const pw of ['password', '12345678', 'qwertzuiop', 'iloveyou', 'aaaaaaaaaa', 'abcdefgh1']) {
      const r = await create(pw, 'weakling');
      console.log(`[security] ${JSON.stringify(pw)} → ${r.status} ${r.body.message}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation-failed', field: 'password', message: expect.stringMatching(/^This password is too easy to guess: .+\./) });
    }
    expect((await admin.get('/api/users')).body.some((u: any) => u.username === 'weakling')).toBe(false);
  });

  it("refuses a password made of the account's own name", async () => {
    const r = await create('marguerite', 'marguerite');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/too easy to guess/);
  });

  it('keeps the length rule and accepts strong passwords', async () => {
    expect((await create('Xk2!')).status).toBe(400);
    expect((await create('tangerine lamp orbit')).status).toBe(201);
    expect((await create('a8Kx!29pLm')).status).toBe(201);
  });

  it('applies to password changes by an admin and to your own', async () => {
    const u = await create('tangerine lamp orbit 2', 'carla');
    expect(u.status).toBe(201);
    const reset = await admin.patch(`/api/users/${u.body.id}`, { password: '123456789' });
    expect(reset.status).toBe(400);
    expect(reset.body.field).toBe('password');
    const carla = await login(s.url, 'carla', 'tangerine lamp orbit 2');
    const own = await carla.post('/api/me/password', { currentPassword: 'tangerine lamp orbit 2', password: 'password1' });
    expect(own.status).toBe(400);
    expect(own.body.message).toMatch(/common/);
    // Nothing changed: the old password still works.
    await login(s.url, 'carla', 'tangerine lamp orbit 2');
  });
});
