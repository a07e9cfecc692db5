/**
 * Issue 11 finding 8: no Strict-Transport-Security even with
 * SECURE_COOKIES=true (the setting that says the server is reached over
 * HTTPS). Now every answer carries it then — API, static files, the embed
 * script, errors — and none does without it (HSTS over plain HTTP would be
 * ignored, and on localhost it would only get in the way).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const paths = ['/healthz', '/api/openapi.json', '/api/me', '/widget.js', '/admin/', '/no-such-page'];

describe('HSTS', () => {
  it('is sent on every answer with SECURE_COOKIES=true', async () => {
    const s = await startTestServer({ env: { SECURE_COOKIES: 'true' } });
    servers.push(s);
    for (const p of paths) {
      const r = await fetch(s.url + p);
      await r.arrayBuffer();
      expect(r.headers.get('strict-transport-security'), p).toBe('max-age=31536000');
    }
    const login = await fetch(`${s.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: s.adminPassword }) });
    expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(login.headers.get('set-cookie')).toMatch(/; Secure/);
    console.log(`[security] SECURE_COOKIES=true: strict-transport-security: ${login.headers.get('strict-transport-security')} on ${paths.length + 1} kinds of answer`);
  });

  it('is not sent without SECURE_COOKIES, and HSTS_MAX_AGE_S sets the age', async () => {
    const plain = await startTestServer();
    const tuned = await startTestServer({ env: { SECURE_COOKIES: 'true', HSTS_MAX_AGE_S: '600' } });
    servers.push(plain, tuned);
    for (const p of paths) expect((await fetch(plain.url + p)).headers.get('strict-transport-security'), p).toBeNull();
    expect((await fetch(tuned.url + '/healthz')).headers.get('strict-transport-security')).toBe('max-age=600');
  });
});
