/** GET /api/calls (issue 15: calls in the console's History): who sees which calls, filters, outcomes, bad queries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, type Env } from './http-helpers.js';

let env: Env;
let widget: string;
let ann: { api: any; user: any };
let bob: { api: any; user: any };
const T0 = Date.UTC(2026, 0, 10, 9);

beforeAll(async () => {
  env = await setup();
  ann = await env.agent('ann');
  bob = await env.agent('bob');
  await env.admin.post('/api/groups', { name: 'Sales', sipId: 'sales', members: [ann.user.id] });
  widget = (await env.admin.post('/api/widgets', { type: 'sidebar', name: 'Shop' })).body.uuid;
  const st = env.s.storage;
  const call = (over: Record<string, unknown>) =>
    st.calls.create({ widgetUuid: widget, dest: 'ann', visitorDn: 'V', video: false, agentUserId: null, startedAt: T0, answeredAt: null, endedAt: T0 + 30_000, cause: 'no-answer', ...over });
  // ann: answered one, missed one (to her), declined one (to her group), one still ringing
  await call({ id: 'c-ans', visitorDn: 'Vera', agentUserId: ann.user.id, answeredAt: T0 + 5000, endedAt: T0 + 65_000, cause: 'hangup', startedAt: T0 + 1, visitor: { page: { url: 'https://shop.example/cart', title: 'Cart' }, lang: 'de' }, visitorSession: 'sess-vera' });
  await call({ id: 'c-miss', visitorDn: 'Max', startedAt: T0 + 2 });
  await call({ id: 'c-decl', dest: 'sales', cause: 'rejected', startedAt: T0 + 3 });
  await call({ id: 'c-ring', endedAt: null, cause: null, startedAt: T0 + 4 });
  // not ann's: bob answered a call to the group; a call to bob; an old one to bob
  await call({ id: 'c-bob-grp', dest: 'sales', agentUserId: bob.user.id, answeredAt: T0 + 1000, cause: 'hangup', startedAt: T0 + 5 });
  await call({ id: 'c-bob', dest: 'bob', cause: 'busy', startedAt: T0 + 6 });
  await call({ id: 'c-old', dest: 'bob', cause: 'unavailable', startedAt: T0 - 86_400_000 });
  // Vera gave her e-mail in a chat of the same visit
  await st.chats.create({ widgetUuid: widget, visitorSession: 'sess-vera', visitorDn: 'Vera', visitorEmail: 'vera@example.com', dest: 'ann' });
});
afterAll(async () => {
  await env?.s.close();
});

const ids = (r: { body: { id: string }[] }) => r.body.map((c) => c.id);

describe('GET /api/calls', () => {
  it('an agent sees only their own calls: answered by them, or to them or their group and answered by nobody', async () => {
    const r = await ann.api.get('/api/calls');
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['c-ring', 'c-decl', 'c-miss', 'c-ans']);
    const b = await bob.api.get('/api/calls');
    expect(ids(b)).toEqual(['c-bob', 'c-bob-grp', 'c-old']);
  });

  it('says the outcome, the widget, the page and an e-mail the visitor gave in the same visit', async () => {
    const r = await ann.api.get('/api/calls');
    const by = Object.fromEntries(r.body.map((c: any) => [c.id, c]));
    expect(by['c-ans']).toMatchObject({ outcome: 'answered', widgetName: 'Shop', visitorDn: 'Vera', visitorEmail: 'vera@example.com', answeredAt: T0 + 5000, endedAt: T0 + 65_000, visitor: { page: { url: 'https://shop.example/cart', title: 'Cart' }, lang: 'de' } });
    expect(by['c-miss']).toMatchObject({ outcome: 'missed', visitorEmail: '' });
    expect(by['c-miss'].visitor).toBeUndefined();
    expect(by['c-decl'].outcome).toBe('declined');
    expect(by['c-ring'].outcome).toBe('ringing');
    expect(r.text).not.toContain('sess-vera');
    const b = Object.fromEntries((await bob.api.get('/api/calls')).body.map((c: any) => [c.id, c.outcome]));
    expect(b).toEqual({ 'c-bob': 'busy', 'c-bob-grp': 'answered', 'c-old': 'unavailable' });
  });

  it('filters by answered and by start time', async () => {
    expect(ids(await ann.api.get('/api/calls?answered=false'))).toEqual(['c-ring', 'c-decl', 'c-miss']);
    expect(ids(await ann.api.get('/api/calls?answered=true'))).toEqual(['c-ans']);
    expect(ids(await bob.api.get(`/api/calls?from=${T0}`))).toEqual(['c-bob', 'c-bob-grp']);
    expect(ids(await ann.api.get('/api/calls?limit=2'))).toEqual(['c-ring', 'c-decl']);
  });

  it('admins see everyone’s calls, or their own with mine=1', async () => {
    const all = await env.admin.get('/api/calls');
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual(['c-bob', 'c-bob-grp', 'c-ring', 'c-decl', 'c-miss', 'c-ans', 'c-old']);
    const mine = await env.admin.get('/api/calls?mine=1');
    expect(mine.status).toBe(200);
    expect(ids(mine)).toEqual([]);
  });

  it('a bad query is refused with 400 naming the field', async () => {
    for (const [q, field] of [
      ['answered=maybe', 'answered'],
      ['from=yesterday', 'from'],
      ['from=-1', 'from'],
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['mine=yes', 'mine'],
    ] as const) {
      const r = await ann.api.get(`/api/calls?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body, q).toMatchObject({ error: 'validation-failed', field });
    }
  });

  it('needs a sign-in', async () => {
    expect((await env.anon.get('/api/calls')).status).toBe(401);
  });
});
