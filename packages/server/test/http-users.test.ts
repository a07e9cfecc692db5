/** Users, groups, directory, presence and chat history through the HTTP API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, setup, type Env } from './http-helpers.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

describe('users', () => {
  it('creates (201), lists, reads, never shows a password or hash', async () => {
    env.events.length = 0;
    const r = await env.admin.post('/api/users', { username: 'alice', password: 'alice-password', displayName: 'Alice', sipId: 'alice', email: 'a@example.com', phone: '+1', department: 'Sales', roles: ['agent'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(String), username: 'alice', displayName: 'Alice', sipId: 'alice', email: 'a@example.com', phone: '+1', department: 'Sales', picture: '', roles: ['agent'], reach: 'console' });
    expect(env.events).toContainEqual({ t: 'directory-changed' });
    const list = await env.admin.get('/api/users');
    expect(list.body.map((u: any) => u.username)).toEqual(expect.arrayContaining(['admin', 'alice']));
    expect(list.text).not.toMatch(/password|scrypt/i);
    expect((await env.admin.get(`/api/users/${r.body.id}`)).body).toEqual(r.body);
    expect((await env.admin.get('/api/users/nope')).status).toBe(404);
    await login(env.s.url, 'alice', 'alice-password');
  });

  it('defaults sipId to the username and displayName to the username', async () => {
    const r = await env.admin.post('/api/users', { username: 'bob', password: 'bob-password', roles: [] });
    expect(r.body).toMatchObject({ sipId: 'bob', displayName: 'bob', email: '', roles: [] });
  });

  it('409 conflict with the field for a taken username or sipId', async () => {
    await env.admin.post('/api/users', { username: 'carol', password: 'carol-password', sipId: 'c100', roles: ['agent'] });
    const u = await env.admin.post('/api/users', { username: 'carol', password: 'other-password', sipId: 'c101', roles: ['agent'] });
    expect(u.status).toBe(409);
    expect(u.body).toMatchObject({ error: 'conflict', field: 'username' });
    const s = await env.admin.post('/api/users', { username: 'carol2', password: 'other-password', sipId: 'c100', roles: ['agent'] });
    expect(s.status).toBe(409);
    expect(s.body).toMatchObject({ error: 'conflict', field: 'sipId' });
  });

  it('400 with field for bad bodies', async () => {
    const cases: [unknown, string][] = [
      [{ username: 'x y', password: 'long-enough', roles: [] }, 'username'],
      [{ username: 'xy', password: 'short', roles: [] }, 'password'],
      [{ username: 'xy', password: 'long-enough', roles: ['root'] }, 'roles[0]'],
      [{ username: 'xy', password: 'long-enough' }, 'roles'],
    ];
    for (const [b, field] of cases) {
      const r = await env.admin.post('/api/users', b);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe(field);
    }
  });

  it('PATCH changes fields and the password; losing the agent role publishes user-revoked', async () => {
    const { user } = await env.agent('dave');
    env.events.length = 0;
    const r = await env.admin.patch(`/api/users/${user.id}`, { displayName: 'Dave D.', password: 'new-password', roles: [] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ displayName: 'Dave D.', roles: [] });
    expect(env.events).toEqual(expect.arrayContaining([{ t: 'directory-changed' }, { t: 'user-revoked', userId: user.id }]));
    await login(env.s.url, 'dave', 'new-password');
    // a password reset by an admin ends the user's sign-ins and closes their consoles
    const { api: ed, user: edUser } = await env.agent('ed');
    env.events.length = 0;
    expect((await env.admin.patch(`/api/users/${edUser.id}`, { password: 'reset-password' })).status).toBe(200);
    expect(env.events).toContainEqual({ t: 'user-revoked', userId: edUser.id });
    expect((await ed.get('/api/me')).status).toBe(401);
    expect((await env.admin.patch('/api/users/nope', { displayName: 'x' })).status).toBe(404);
    const c = await env.admin.patch(`/api/users/${user.id}`, { username: 'admin' });
    expect(c.status).toBe(409);
    expect(c.body.field).toBe('username');
  });

  it('the last admin cannot be deleted or demoted (409)', async () => {
    const me = (await env.admin.get('/api/me')).body;
    const d = await env.admin.patch(`/api/users/${me.id}`, { roles: ['agent'] });
    expect(d.status).toBe(409);
    expect(d.body.field).toBe('roles');
    expect((await env.admin.del(`/api/users/${me.id}`)).status).toBe(409);
    expect((await env.admin.get('/api/me')).body.roles).toContain('admin');
  });

  it('DELETE removes the user from groups, ends their sign-ins and publishes user-revoked', async () => {
    const { api, user } = await env.agent('erin');
    const g = await env.admin.post('/api/groups', { name: 'Team E', sipId: 'team-e', members: [user.id] });
    env.events.length = 0;
    expect((await env.admin.del(`/api/users/${user.id}`)).status).toBe(204);
    expect(env.events).toEqual(expect.arrayContaining([{ t: 'user-revoked', userId: user.id }, { t: 'directory-changed' }]));
    expect((await api.get('/api/me')).status).toBe(401);
    expect((await env.admin.get(`/api/groups/${g.body.id}`)).body.members).toEqual([]);
    expect((await env.admin.del(`/api/users/${user.id}`)).status).toBe(404);
  });
});

describe('groups', () => {
  it('CRUD with member checks and sipId conflicts', async () => {
    const { user } = await env.agent('frank');
    const c = await env.admin.post('/api/groups', { name: 'Support', sipId: 'support', members: [user.id] });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({ id: expect.any(String), name: 'Support', sipId: 'support', members: [user.id], reach: 'console' });
    expect((await env.admin.get('/api/groups')).body).toContainEqual(c.body);
    const bad = await env.admin.post('/api/groups', { name: 'X', sipId: 'x-group', members: [user.id, 'ghost'] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('members[1]');
    expect((await env.admin.post('/api/groups', { name: 'Dup', sipId: 'support', members: [] })).body).toMatchObject({ error: 'conflict', field: 'sipId' });
    expect((await env.admin.post('/api/groups', { name: 'Dup', sipId: 'frank', members: [] })).body).toMatchObject({ error: 'conflict', field: 'sipId' });
    expect((await env.admin.post('/api/users', { username: 'support', password: 'long-enough', roles: [] })).body).toMatchObject({ error: 'conflict', field: 'sipId' });
    const p = await env.admin.patch(`/api/groups/${c.body.id}`, { name: 'Support 2', members: [] });
    expect(p.body).toEqual({ ...c.body, name: 'Support 2', members: [] });
    expect((await env.admin.patch(`/api/groups/${c.body.id}`, { members: ['ghost'] })).status).toBe(400);
    expect((await env.admin.del(`/api/groups/${c.body.id}`)).status).toBe(204);
    expect((await env.admin.get(`/api/groups/${c.body.id}`)).status).toBe(404);
    expect((await env.admin.del(`/api/groups/${c.body.id}`)).status).toBe(404);
  });
});

describe('directory', () => {
  it('finds users and groups by name or sipId, for admins and agents', async () => {
    const { api } = await env.agent('gina');
    await env.admin.post('/api/groups', { name: 'Gina fans', sipId: 'gfans', members: [] });
    const r = await api.get('/api/directory?q=gin');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'user', sipId: 'gina', name: 'gina' }),
      expect.objectContaining({ kind: 'group', sipId: 'gfans', name: 'Gina fans' }),
    ]));
    expect((await env.admin.get('/api/directory?q=zzzz-nothing')).body).toEqual([]);
    expect((await env.admin.get('/api/directory')).body.length).toBeGreaterThan(1);
  });
});

describe('presence API', () => {
  it('admins set anyone; a user sets only their own sipId; unknown sipId 404', async () => {
    const { api, user } = await env.agent('hank');
    const other = await env.agent('ivy');
    env.events.length = 0;
    const r = await env.admin.put(`/api/presence/${user.sipId}`, { presence: 'online' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sipId: 'hank', presence: 'online' });
    expect(await env.s.storage.presence.get(user.id)).toMatchObject({ presence: 'online', source: 'api' });
    expect(env.events).toEqual([{ t: 'presence-api', userId: user.id, presence: 'online', at: expect.any(Number) }]);
    expect((await api.put('/api/presence/hank', { presence: 'away' })).status).toBe(200);
    expect((await api.get('/api/presence/hank')).body).toMatchObject({ presence: 'away' });
    expect((await api.put(`/api/presence/${other.user.sipId}`, { presence: 'busy' })).status).toBe(403);
    expect((await env.admin.put('/api/presence/nobody', { presence: 'busy' })).status).toBe(404);
    const bad = await env.admin.put('/api/presence/hank', { presence: 'sleeping' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('presence');
  });
});

describe('chat history and call log', () => {
  it("lists the caller's closed chats with the widget name; one chat with messages; admins see all", async () => {
    const { api, user } = await env.agent('jack');
    const other = await env.agent('kate');
    const w = await env.admin.post('/api/widgets', { type: 'sidebar', name: 'Shop' });
    const st = env.s.storage;
    const mk = async (agent: any, dn: string) => {
      const c = await st.chats.create({ widgetUuid: w.body.uuid, visitorSession: 'secret-session', visitorDn: dn, visitorEmail: '', dest: agent.sipId });
      await st.chats.accept(c.id, agent.id, agent.displayName);
      await st.chats.appendMessage({ chatId: c.id, from: 'visitor', dn, text: `hello from ${dn}`, ts: Date.now(), cid: 'k1' });
      await st.chats.close(c.id, 'visitor', Date.now());
      return c.id;
    };
    const mine = await mk(user, 'Visitor One');
    const theirs = await mk(other.user, 'Visitor Two');
    const r = await api.get('/api/chats');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ id: mine, widgetName: 'Shop', visitorDn: 'Visitor One', state: 'closed', closedBy: 'visitor', preview: 'hello from Visitor One' });
    expect(r.text).not.toContain('secret-session');
    const d = await api.get(`/api/chats/${mine}`);
    expect(d.body.chat.id).toBe(mine);
    expect(d.body.messages).toEqual([expect.objectContaining({ from: 'visitor', text: 'hello from Visitor One' })]);
    expect((await api.get(`/api/chats/${theirs}`)).status).toBe(404);
    expect((await api.get('/api/chats?all=1')).status).toBe(403);
    const all = await env.admin.get('/api/chats?all=1');
    expect(all.body.map((c: any) => c.id)).toEqual(expect.arrayContaining([mine, theirs]));
    expect((await env.admin.get(`/api/chats/${theirs}`)).status).toBe(200);
    expect((await api.get('/api/chats?limit=0')).status).toBe(400);
  });

  it('GET /api/calls lists the call log for admins', async () => {
    const w = await env.admin.post('/api/widgets', { type: 'sidebar', name: 'Calls' });
    await env.s.storage.calls.create({ widgetUuid: w.body.uuid, dest: 'x', visitorDn: 'V', video: false, agentUserId: null, startedAt: Date.now(), answeredAt: null, endedAt: null, cause: null });
    const r = await env.admin.get('/api/calls?limit=10');
    expect(r.status).toBe(200);
    expect(r.body[0]).toMatchObject({ dest: 'x', visitorDn: 'V' });
  });
});
