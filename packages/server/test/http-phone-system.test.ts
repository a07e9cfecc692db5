/**
 * GET/PUT /api/phone-system (spec 9) against a scripted SIP peer on UDP
 * loopback: validation, admins only, the password write-only and stored
 * encrypted, live status with the PBX's answer, re-registration without a
 * restart. The real-PBX flows are in e2e/sip-*.e2e.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePbx } from '../../sip-connector/test/fake-pbx.js';
import { setup, type Env } from './http-helpers.js';

let env: Env;
let pbx: FakePbx;
let registrar: string;
beforeAll(async () => {
  env = await setup();
  pbx = new FakePbx();
  registrar = `sip:127.0.0.1:${await pbx.start()}`;
});
afterAll(async () => {
  await env?.s.close();
  pbx?.close();
});

const body = (over: Record<string, unknown> = {}) => ({ enabled: true, registrar, domain: '127.0.0.1', username: 'widgets', password: 'pbx-secret-1', displayName: 'Contact Widgets', registerIntervalS: 120, ...over });

async function statusBecomes(state: string, reason?: RegExp): Promise<any> {
  let last: any;
  await expect
    .poll(async () => {
      last = (await env.admin.get('/api/phone-system')).body;
      return last.status.state === state && (!reason || reason.test(last.status.reason));
    }, { timeout: 10_000 })
    .toBe(true);
  return last;
}

describe('phone system API', () => {
  it('is off by default, and for admins only', async () => {
    const r = await env.admin.get('/api/phone-system');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: false, registrar: '', domain: '', username: '', authUser: '', outboundProxy: '', registerIntervalS: 300, hasPassword: false, status: { state: 'off', reason: '' } });
    expect(r.body).not.toHaveProperty('password');
    const { api } = await env.agent();
    expect((await api.get('/api/phone-system')).status).toBe(403);
    expect((await api.put('/api/phone-system', body())).status).toBe(403);
    expect((await env.anon.get('/api/phone-system')).status).toBe(401);
  });

  it('rejects bad settings with the field, and stores nothing then', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ registrar: 'http://pbx.example.com' }, 'registrar'],
      [{ registrar: 'sip:pbx.example.com;transport=sctp' }, 'registrar'],
      [{ registrar: '' }, 'registrar'],
      [{ domain: 'a b' }, 'domain'],
      [{ domain: '' }, 'domain'],
      [{ username: '' }, 'username'],
      [{ outboundProxy: 'nonsense:' }, 'outboundProxy'],
      [{ registerIntervalS: 5 }, 'registerIntervalS'],
      [{ enabled: 'yes' }, 'enabled'],
      [{ displayName: 'say "hi"' }, 'displayName'],
    ];
    for (const [over, field] of cases) {
      const r = await env.admin.put('/api/phone-system', body(over));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation-failed', field });
    }
    expect((await env.admin.get('/api/phone-system')).body).toMatchObject({ enabled: false, registrar: '' });
    expect(await env.s.storage.phoneSystem.get()).toBeUndefined();
  });

  it('registers at once when saved; the password is write-only and stored encrypted', async () => {
    pbx.handler = (r, p) => r.req.method !== 'ACK' && p.reply(r, 200, 'OK');
    const r = await env.admin.put('/api/phone-system', body());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ enabled: true, registrar, domain: '127.0.0.1', username: 'widgets', transport: 'udp', hasPassword: true });
    expect(r.text).not.toContain('pbx-secret-1');
    const s = await statusBecomes('registered');
    expect(s.status.since).toBeGreaterThan(0);
    const row = await env.s.storage.phoneSystem.get();
    expect(row?.passwordEnc).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain('pbx-secret-1');
    expect(fs.existsSync(path.join(env.s.dataDir, 'secrets.key'))).toBe(true);
    expect(env.events).toContainEqual(expect.objectContaining({ t: 'phone-system-changed' }));
  });

  it('shows the PBX answer when registration fails, and re-registers on the next save without a restart', async () => {
    pbx.handler = (r, p) => r.req.method === 'REGISTER' && p.reply(r, 403, 'Forbidden');
    // Saved without a password: the stored one is kept.
    expect((await env.admin.put('/api/phone-system', body({ password: undefined, username: 'blocked' }))).body.hasPassword).toBe(true);
    await statusBecomes('failed', /^403 Forbidden$/);
    const registers = pbx.received.filter((x) => x.req.method === 'REGISTER' && x.req.from.uri.user === 'blocked');
    expect(registers.length).toBeGreaterThan(0);
    pbx.handler = (r, p) => r.req.method !== 'ACK' && p.reply(r, 200, 'OK');
    await env.admin.put('/api/phone-system', body({ password: undefined }));
    await statusBecomes('registered');
  });

  it('turns off: unregisters and the status says off', async () => {
    const before = pbx.received.length;
    const r = await env.admin.put('/api/phone-system', body({ enabled: false, password: undefined }));
    expect(r.body).toMatchObject({ enabled: false, hasPassword: true, status: { state: 'off' } });
    const unregister = pbx.received.slice(before).find((x) => x.req.method === 'REGISTER');
    expect(unregister?.req.getHeader('expires')).toBe('0');
  });

  it('is in the OpenAPI document, and users and groups carry reach', async () => {
    const doc = (await env.anon.get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/phone-system'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(doc.components.schemas.PhoneSystemPut.properties.password.writeOnly).toBe(true);
    expect(doc.components.schemas.User.properties.reach.enum).toEqual(['console', 'phone', 'both']);
    const u = await env.admin.post('/api/users', { username: 'desk', password: 'desk-password', roles: ['agent'], reach: 'phone' });
    expect(u.body.reach).toBe('phone');
    expect((await env.admin.patch(`/api/users/${u.body.id}`, { reach: 'both' })).body.reach).toBe('both');
    expect((await env.admin.patch(`/api/users/${u.body.id}`, { reach: 'desk' })).body).toMatchObject({ error: 'validation-failed', field: 'reach' });
    const g = await env.admin.post('/api/groups', { name: 'Hotline', sipId: 'hotline', members: [u.body.id], reach: 'phone' });
    expect(g.body.reach).toBe('phone');
  });
});
