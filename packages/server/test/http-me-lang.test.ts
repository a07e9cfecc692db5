/** The user's own language for the admin app and console (spec 13): GET/PATCH /api/me. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, type Env } from './http-helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

describe('PATCH /api/me {lang}', () => {
  it("is '' until chosen, remembers a choice per user, and '' follows the browser again", async () => {
    const { api } = await env.agent('lena');
    expect((await api.get('/api/me')).body.lang).toBe('');
    const r = await api.patch('/api/me', { lang: 'he' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: 'lena', lang: 'he' });
    expect((await api.get('/api/me')).body.lang).toBe('he');
    // Another user is not affected.
    expect((await env.admin.get('/api/me')).body.lang).toBe('');
    expect((await api.patch('/api/me', { lang: '' })).body.lang).toBe('');
    expect((await api.get('/api/me')).body.lang).toBe('');
  });

  it('refuses what is not a language of the product, changing nothing; other fields are not changed through it', async () => {
    const { api } = await env.agent('mira');
    await api.patch('/api/me', { lang: 'pl' });
    for (const body of [{ lang: 'xx' }, { lang: 'pt-BR' }, { lang: 3 }, {}]) {
      const r = await api.patch('/api/me', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('validation-failed');
    }
    expect((await api.get('/api/me')).body).toMatchObject({ lang: 'pl', roles: ['agent'] });
    // Only the language changes: a role in the body is not applied.
    expect((await api.patch('/api/me', { lang: 'de', roles: ['admin'] })).body).toMatchObject({ lang: 'de', roles: ['agent'] });
  });

  it('needs a signed-in user', async () => {
    const r = await fetch(`${env.s.url}/api/me`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lang: 'de' }) });
    expect(r.status).toBe(401);
  });
});
