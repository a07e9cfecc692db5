/**
 * The HTTP API driving live visitors (spec 2.1, 4, 5, 8): PUT /api/flags,
 * PUT /api/widgets, PUT /api/presence — and API presence across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { entry, makeUser, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';

let s: TestServer;
let admin: AgentUser;
let atlantis: AgentUser;

async function api(method: string, path: string, body?: unknown, token = admin.token): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const widgetBody = (agents: unknown[], name = 'Sales') => ({ type: 'cards', name, lang: 'en', contact: { company: 'Example Ltd' }, agents });

beforeAll(async () => {
  s = await startTestServer(dbOptions());
  admin = await makeUser(s, { sipId: 'boss', roles: ['admin'] });
  atlantis = await makeUser(s, { sipId: 'atlantis', displayName: 'Atlantis' });
  await makeUser(s, { sipId: 'columbia', displayName: 'Columbia' });
});
afterAll(async () => {
  await s?.close();
});

describe('live updates from the HTTP API', () => {
  it('PUT /api/flags toggles a boolean agent live', async () => {
    const flag = await api('POST', '/api/flags', { name: 'hotline-open', value: false });
    expect(flag.status).toBe(201);
    const created = await api('POST', '/api/widgets', widgetBody([entry('atlantis', { availability: 'boolean', flag: flag.json.id })]));
    expect(created.status).toBe(201);
    const { c, infos } = await visitor(s, created.json.uuid);
    expect(infos[0]).toMatchObject({ id: 'atlantis', presence: 'offline' });
    expect((await api('PUT', `/api/flags/${flag.json.id}`, { value: true })).status).toBe(200);
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'online' });
    await api('PUT', `/api/flags/${flag.json.id}`, { value: false });
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'offline' });
    await c.close();
  });

  it('PUT /api/widgets reaches open visitors within a second: Session, Remove, Info', async () => {
    const created = await api('POST', '/api/widgets', widgetBody([entry('atlantis'), entry('columbia')]));
    const uuid = created.json.uuid as string;
    const { c } = await visitor(s, uuid, { lang: 'fr' });
    const t0 = Date.now();
    expect((await api('PUT', `/api/widgets/${uuid}`, widgetBody([entry('columbia', { displayName: 'Col' })], 'Support'))).status).toBe(200);
    expect(await c.next('Session')).toMatchObject({ name: 'Support', lang: 'fr', type: 'cards' });
    expect(await c.next('Remove')).toEqual({ mt: 'Remove', id: 'atlantis' });
    expect(await c.next('Info')).toMatchObject({ id: 'columbia', dn: 'Col', order: 0 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await api('DELETE', `/api/widgets/${uuid}`)).status).toBeLessThan(300);
    expect(await c.next('Error')).toMatchObject({ code: 'unknown-widget' });
    expect((await c.closed).code).toBe(1008);
  });

  it('PUT /api/presence shows without a console and persists across a restart', async () => {
    const created = await api('POST', '/api/widgets', widgetBody([entry('atlantis')]));
    const uuid = created.json.uuid as string;
    const { c } = await visitor(s, uuid);
    expect((await api('PUT', '/api/presence/atlantis', { presence: 'online' }, atlantis.token)).status).toBe(200);
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'online' });
    await api('PUT', '/api/presence/atlantis', { presence: 'away' });
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'busy' });
    await s.restart();
    await c.closed;
    const after = await visitor(s, uuid);
    expect(after.infos[0]).toMatchObject({ id: 'atlantis', presence: 'busy' });
    await after.c.close();
  });
});
