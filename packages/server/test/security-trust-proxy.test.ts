/**
 * Issue 11 finding 2, as the attack was run: with the README's nginx lines
 * (`proxy_add_x_forwarded_for`, which keeps what the client sent and appends
 * the address nginx saw) and `TRUST_PROXY=true`, the server took the leftmost
 * X-Forwarded-For value — chosen by the client: 60 of 60 guesses were
 * checked, never throttled, and naming a victim's address locked the victim
 * out. Now TRUST_PROXY is a hop count or a list of proxy addresses (spec 6).
 * The "proxy" here is a client on 127.0.0.2 that sends what nginx would.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { loadConfig } from '../src/config.js';
import { rawRequest, tally } from './security-helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

/** A guess relayed by nginx: the client's own X-Forwarded-For with the client's real address appended. */
const viaNginx = (s: TestServer, password: string, clientSent: string | undefined, clientReal: string, proxy = '127.0.0.2', username = 'admin') =>
  rawRequest(s.port, {
    method: 'POST',
    path: '/api/login',
    body: JSON.stringify({ username, password }),
    from: proxy,
    headers: { 'x-forwarded-for': clientSent ? `${clientSent}, ${clientReal}` : clientReal },
  });

describe('TRUST_PROXY', () => {
  it('as a hop count: 60 guesses with a fresh spoofed X-Forwarded-For each are throttled by the address the proxy saw', async () => {
    const s = await server({ TRUST_PROXY: '1' });
    const answers = [];
    for (let i = 0; i < 60; i++) answers.push(await viaNginx(s, `guess-${i}`, `10.66.${i}.${i}`, '203.0.113.9'));
    const t = tally(answers);
    console.log(`[security] 60 guesses through a 1-hop proxy, each naming a new address: ${JSON.stringify(t)} — ${t['401'] ?? 0} passwords checked (before the fix: 60 of 60)`);
    expect(t['401']).toBe(10);
    expect(t['429']).toBe(50);
  });

  it('an attacker cannot lock a victim out by naming the victim\'s address', async () => {
    const s = await server({ TRUST_PROXY: '1' });
    const victim = '198.51.100.7';
    for (let i = 0; i < 15; i++) await viaNginx(s, `guess-${i}`, victim, '203.0.113.66');
    const r = await viaNginx(s, s.adminPassword, undefined, victim);
    expect(r.status).toBe(200);
  });

  it('as an address list: only the listed proxy is believed; a direct client\'s X-Forwarded-For is ignored', async () => {
    const s = await server({ TRUST_PROXY: '127.0.0.2' });
    // Through the listed proxy: throttled per real client, so a second client is unaffected.
    for (let i = 0; i < 10; i++) expect((await viaNginx(s, `g-${i}`, undefined, '203.0.113.10')).status).toBe(401);
    expect((await viaNginx(s, 'g-x', undefined, '203.0.113.10')).status).toBe(429);
    expect((await viaNginx(s, 'g-y', undefined, '203.0.113.11')).status).toBe(401);
    // A direct client (127.0.0.3, not listed) naming fresh addresses is counted under its own address.
    const direct = [];
    for (let i = 0; i < 12; i++) direct.push((await viaNginx(s, `d-${i}`, undefined, `192.0.2.${i}`, '127.0.0.3')).status);
    expect(direct.slice(10)).toEqual([429, 429]);
  });

  it('X-Forwarded-Host and -Proto count only from a trusted proxy', async () => {
    const s = await server({ TRUST_PROXY: '127.0.0.2' });
    const admin = await rawRequest(s.port, { method: 'POST', path: '/api/login', body: JSON.stringify({ username: 'admin', password: s.adminPassword }), from: '127.0.0.9' });
    const cookie = String(admin.headers['set-cookie']).split(';')[0]!;
    const w = await rawRequest(s.port, { method: 'POST', path: '/api/widgets', body: JSON.stringify({ type: 'sidebar', name: 'W', agents: [] }), headers: { cookie } });
    const uuid = JSON.parse(w.text).uuid;
    const fwd = { 'x-forwarded-host': 'shop.example.com', 'x-forwarded-proto': 'https', cookie };
    const trusted = await rawRequest(s.port, { path: `/api/widgets/${uuid}/embed`, headers: fwd, from: '127.0.0.2' });
    const untrusted = await rawRequest(s.port, { path: `/api/widgets/${uuid}/embed`, headers: fwd, from: '127.0.0.3' });
    expect(JSON.parse(trusted.text).html).toContain('https://shop.example.com/widget.js');
    expect(JSON.parse(untrusted.text).html).not.toContain('shop.example.com');
  });

  it('refuses TRUST_PROXY=true and malformed addresses at start, saying why', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/pick its own address.*TRUST_PROXY=1/);
    expect(() => loadConfig({ TRUST_PROXY: 'not-an-address' })).toThrow(/TRUST_PROXY must be/);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it('warns once when a loopback/private peer sends X-Forwarded-For and TRUST_PROXY is unset', async () => {
    const lines: any[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
    const s = await startTestServer({ logger: pino({ level: "warn" }, sink) });
    servers.push(s);
    await rawRequest(s.port, { path: '/healthz', from: '127.0.0.2' });
    expect(lines.filter((l) => /TRUST_PROXY/.test(l.msg))).toHaveLength(0);
    await rawRequest(s.port, { path: '/healthz', from: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.5' } });
    await rawRequest(s.port, { path: '/healthz', from: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.6' } });
    const warned = lines.filter((l) => /TRUST_PROXY is not set/.test(l.msg));
    console.log(`[security] proxy warning: ${warned[0]?.msg}`);
    expect(warned).toHaveLength(1);
    expect(warned[0].peer).toBe('127.0.0.2');
  });
});
