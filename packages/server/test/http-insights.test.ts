/**
 * The HTTP side of spec section 12: /api/stats, /api/webhooks (with a real
 * receiver for "send test event"), /api/audit with an entry for each kind of
 * change, and /api/export → /api/import into an empty PostgreSQL with
 * identical API answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need, PG_URL, startTestServer } from '@cw/testkit';
import { openStorage } from '../src/storage/index.js';
import { verifySignature } from '../src/webhooks/signature.js';
import { login, setup, widgetBody, type Api, type Env } from './http-helpers.js';
import { postgresBackend } from './storage.backends.js';

const PICTURE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

let env: Env;
let admin: Api;

beforeAll(async () => {
  env = await setup();
  admin = env.admin;
});
afterAll(async () => {
  await env?.s.close();
});

describe('GET /api/stats', () => {
  it('is for admins and checks its query', async () => {
    const { api: agent } = await env.agent();
    expect((await agent.get('/api/stats')).status).toBe(403);
    expect((await env.anon.get('/api/stats')).status).toBe(401);
    expect((await admin.get('/api/stats?tz=Mars/Base')).body).toMatchObject({ error: 'validation-failed', field: 'tz' });
    expect((await admin.get('/api/stats?from=yesterday')).body).toMatchObject({ error: 'validation-failed', field: 'from' });
    expect((await admin.get('/api/stats?bucket=week')).body).toMatchObject({ error: 'validation-failed', field: 'bucket' });
    expect((await admin.get('/api/stats?from=2026-01-01&to=2026-06-01&bucket=hour')).body).toMatchObject({ error: 'validation-failed', field: 'bucket' });
    expect((await admin.get('/api/stats?from=2026-02-01&to=2026-01-01')).body).toMatchObject({ error: 'validation-failed', field: 'to' });
    expect((await admin.get('/api/stats?group=nope')).status).toBe(404);
  });

  it('answers the spec shape, with bare dates meaning midnight in the time zone', async () => {
    const s = env.s.storage;
    const t0 = Date.parse('2026-03-02T08:00:00Z');
    await s.calls.create({ widgetUuid: 'wstats', dest: 'x', visitorDn: 'V', video: true, agentUserId: null, startedAt: t0, answeredAt: t0 + 4000, endedAt: t0 + 64_000, cause: 'hangup' });
    await s.calls.create({ widgetUuid: 'wstats', dest: 'x', visitorDn: 'V', video: false, agentUserId: null, startedAt: t0 + 3_600_000, answeredAt: null, endedAt: t0 + 3_630_000, cause: 'no-answer' });
    const r = await admin.get('/api/stats?from=2026-03-01&to=2026-03-04&tz=Europe/Berlin&widget=wstats');
    expect(r.status).toBe(200);
    expect(r.body.period).toEqual({ from: '2026-03-01T00:00:00+01:00', to: '2026-03-04T00:00:00+01:00', bucket: 'day', tz: 'Europe/Berlin' });
    expect(r.body.totals).toMatchObject({ chats: 0, voiceCalls: 1, videoCalls: 1, offlineMessages: 0, answered: 1, missed: 1, answerTimeP50Ms: 4000, answerTimeP90Ms: 4000 });
    expect(r.body.buckets.map((b: { start: string; videoCalls: number }) => [b.start, b.videoCalls])).toEqual([
      ['2026-03-01T00:00:00+01:00', 0],
      ['2026-03-02T00:00:00+01:00', 1],
      ['2026-03-03T00:00:00+01:00', 0],
    ]);
    expect(r.body.busiestHours[0]).toEqual({ hour: 9, contacts: 1 });
  });
});

/** A receiver for the test event. */
async function receiver() {
  const got: { headers: http.IncomingHttpHeaders; raw: string }[] = [];
  let status = 200;
  const waiters: (() => void)[] = [];
  const srv = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push({ headers: req.headers, raw });
      res.writeHead(status).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    got,
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/in`,
    setStatus: (s: number) => (status = s),
    next: () => new Promise<void>((r) => waiters.push(r)),
    close: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))),
  };
}

describe('/api/webhooks', () => {
  it('registers, shows the secret once, validates, sends a signed test event, logs and retries deliveries', async () => {
    const rx = await receiver();
    try {
      expect((await admin.post('/api/webhooks', { url: 'ftp://x', events: ['call.ended'] })).body).toMatchObject({ error: 'validation-failed', field: 'url' });
      expect((await admin.post('/api/webhooks', { url: rx.url, events: ['call.exploded'] })).body).toMatchObject({ error: 'validation-failed', field: 'events[0]' });
      expect((await admin.post('/api/webhooks', { url: rx.url, events: [] })).body).toMatchObject({ error: 'validation-failed', field: 'events' });
      expect((await admin.get('/api/webhooks')).body).toEqual([]);

      const created = await admin.post('/api/webhooks', { url: rx.url, events: ['call.ended', 'chat.ended'], description: 'CRM' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ url: rx.url, events: ['call.ended', 'chat.ended'], active: true, description: 'CRM' });
      expect(created.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      const id = created.body.id as string;
      expect((await admin.get('/api/webhooks')).body).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
      expect((await admin.get(`/api/webhooks/${id}`)).body.secret).toBeUndefined();

      const arrived = rx.next();
      const test = await admin.post(`/api/webhooks/${id}/test`, {});
      expect(test.status).toBe(202);
      expect(test.body).toMatchObject({ event: 'webhook.test', state: 'pending' });
      await arrived;
      const got = rx.got[0]!;
      expect(verifySignature(created.body.secret, String(got.headers['x-cw-signature']), got.raw)).toBe(true);
      expect(JSON.parse(got.raw)).toMatchObject({ id: test.body.id, event: 'webhook.test', data: { webhook: { id } } });

      await env.s.app.webhooks.queue.settled();
      let log = await admin.get(`/api/webhooks/${id}/deliveries`);
      for (let i = 0; i < 50 && log.body[0]?.state !== 'delivered'; i++) log = await admin.get(`/api/webhooks/${id}/deliveries`);
      expect(log.body[0]).toMatchObject({ id: test.body.id, state: 'delivered', attempts: 1, lastStatus: 200, lastError: '' });
      expect((await admin.get(`/api/webhooks/${id}/deliveries/${test.body.id}`)).body.body).toBe(got.raw);
      expect((await admin.get(`/api/webhooks/${id}/deliveries/nope`)).status).toBe(404);
      // Only failed deliveries can be retried.
      expect((await admin.post(`/api/webhooks/${id}/deliveries/${test.body.id}/retry`, {})).status).toBe(400);

      // Rotation: a new secret, shown once; the next delivery is signed with it.
      const rotated = await admin.post(`/api/webhooks/${id}/secret`, {});
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      const second = rx.next();
      await admin.post(`/api/webhooks/${id}/test`, {});
      await second;
      expect(verifySignature(rotated.body.secret, String(rx.got[1]!.headers['x-cw-signature']), rx.got[1]!.raw)).toBe(true);

      const put = await admin.put(`/api/webhooks/${id}`, { url: rx.url, events: ['presence.changed'], active: false, description: 'off' });
      expect(put.body).toMatchObject({ events: ['presence.changed'], active: false, description: 'off' });
      expect((await admin.put('/api/webhooks/nope', { url: rx.url, events: ['call.ended'] })).status).toBe(404);
      expect((await admin.del(`/api/webhooks/${id}`)).status).toBe(204);
      expect((await admin.get(`/api/webhooks/${id}`)).status).toBe(404);
      expect((await admin.get(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
    } finally {
      await rx.close();
    }
  });

  it('logs the answers of a failing receiver and schedules a retry; a failed delivery can be queued again', async () => {
    const rx = await receiver();
    try {
      rx.setStatus(500);
      const hook = (await admin.post('/api/webhooks', { url: rx.url, events: ['call.ended'] })).body;
      const test = (await admin.post(`/api/webhooks/${hook.id}/test`, {})).body;
      const failed = new Promise<void>((r) => env.s.app.webhooks.dispatcher.onAttempt((o) => void (o.delivery === test.id && r())));
      await failed;
      let d = (await admin.get(`/api/webhooks/${hook.id}/deliveries`)).body[0];
      expect(d).toMatchObject({ state: 'pending', lastStatus: 500, lastError: 'answered 500' });
      expect(d.nextAttemptAt).toBeGreaterThan(d.lastAttemptAt);
      await env.s.storage.webhooks.settle(test.id, { state: 'failed', lastStatus: 500, lastError: 'answered 500' });
      rx.setStatus(204);
      const back = rx.next();
      const retried = await admin.post(`/api/webhooks/${hook.id}/deliveries/${test.id}/retry`, {});
      expect(retried.body).toMatchObject({ id: test.id, state: 'pending' });
      await back;
      expect(JSON.parse(rx.got.at(-1)!.raw).id).toBe(test.id);
      await admin.del(`/api/webhooks/${hook.id}`);
    } finally {
      await rx.close();
    }
  });
});

describe('/api/audit', () => {
  it('records every kind of change with who, when, from where and a masked field-level diff', async () => {
    const since = Date.now();
    // Users
    const u = (await admin.post('/api/users', { username: 'audited', password: 'first-password', displayName: 'Audited', roles: ['agent'] })).body;
    await admin.patch(`/api/users/${u.id}`, { displayName: 'Audited Two', password: 'second-password' });
    // Groups
    const g = (await admin.post('/api/groups', { name: 'Audit group', sipId: 'auditgroup', members: [u.id] })).body;
    await admin.patch(`/api/groups/${g.id}`, { name: 'Audit group 2' });
    // Flags
    const f = (await admin.post('/api/flags', { name: 'Audit flag' })).body;
    await admin.put(`/api/flags/${f.id}`, { value: true });
    // Widgets
    const w = (await admin.post('/api/widgets', widgetBody({ name: 'Audit widget' }))).body;
    await admin.put(`/api/widgets/${w.uuid}`, widgetBody({ name: 'Audit widget', agents: [{ sipId: 'atlantis', picture: PICTURE, media: ['voice', 'chat'], availability: 'presence' }] }));
    // Tokens
    const t = (await admin.post('/api/tokens', { name: 'audit token' })).body;
    await admin.del(`/api/tokens/${t.id}`);
    // Webhooks
    const h = (await admin.post('/api/webhooks', { url: 'https://example.com/h', events: ['call.ended'] })).body;
    await admin.post(`/api/webhooks/${h.id}/secret`, {});
    await admin.put(`/api/webhooks/${h.id}`, { url: 'https://example.com/h2', events: ['call.ended'] });
    // Deletions
    await admin.del(`/api/webhooks/${h.id}`);
    await admin.del(`/api/widgets/${w.uuid}`);
    await admin.del(`/api/flags/${f.id}`);
    await admin.del(`/api/groups/${g.id}`);
    await admin.del(`/api/users/${u.id}`);
    // A refused change leaves no entry.
    expect((await admin.post('/api/flags', { name: '' })).status).toBe(400);

    const all = (await admin.get(`/api/audit?from=${since}&limit=500`)).body as any[];
    const actions = all.map((e) => e.action).reverse();
    expect(actions).toEqual([
      'user.create',
      'user.update',
      'group.create',
      'group.update',
      'flag.create',
      'flag.update',
      'widget.create',
      'widget.update',
      'token.create',
      'token.delete',
      'webhook.create',
      'webhook.rotate-secret',
      'webhook.update',
      'webhook.delete',
      'widget.delete',
      'flag.delete',
      'group.delete',
      'user.delete',
    ]);
    const by = (a: string) => all.find((e) => e.action === a)!;
    for (const e of all) {
      expect(e.actor).toMatchObject({ username: 'admin', via: 'session' });
      expect(e.ip).toBe('127.0.0.1');
      expect(e.ts).toBeGreaterThanOrEqual(since);
    }
    expect(by('user.create')).toMatchObject({ target: u.id, targetName: 'Audited', diff: { username: { to: 'audited' }, password: { from: '***', to: '***' } } });
    expect(by('user.update').diff).toEqual({ displayName: { from: 'Audited', to: 'Audited Two' }, password: { from: '***', to: '***' } });
    expect(by('group.update').diff).toEqual({ name: { from: 'Audit group', to: 'Audit group 2' } });
    expect(by('flag.update').diff).toEqual({ value: { from: false, to: true } });
    const wu = by('widget.update');
    expect(wu.target).toBe(w.uuid);
    expect(wu.diff['agents[0].media']).toEqual({ from: ['voice', 'video', 'chat', 'email'], to: ['voice', 'chat'] });
    expect(wu.diff['agents[0].picture'].to).toMatch(/^image\/jpeg picture, \d+ KiB, sha256 [0-9a-f]{12}$/);
    expect(JSON.stringify(all)).not.toContain('first-password');
    expect(JSON.stringify(all)).not.toContain('whsec_');
    expect(by('token.create')).toMatchObject({ target: t.id, diff: { name: { to: 'audit token' } } });
    expect(by('token.delete')).toMatchObject({ target: t.id, targetName: 'audit token' });
    expect(by('webhook.rotate-secret').diff).toMatchObject({ secret: { from: '***', to: '***' } });
    expect(by('webhook.update').diff.url).toEqual({ from: 'https://example.com/h', to: 'https://example.com/h2' });
    expect(by('widget.delete').diff.name).toEqual({ from: 'Audit widget' });

    // Filters and paging.
    expect((await admin.get(`/api/audit?from=${since}&action=webhook.`)).body.map((e: any) => e.action)).toEqual(['webhook.delete', 'webhook.update', 'webhook.rotate-secret', 'webhook.create']);
    expect((await admin.get(`/api/audit?from=${since}&action=flag.update`)).body).toHaveLength(1);
    expect((await admin.get(`/api/audit?from=${since}&actor=nobody`)).body).toEqual([]);
    expect((await admin.get(`/api/audit?from=${since}&target=${w.uuid}`)).body).toHaveLength(3);
    expect((await admin.get(`/api/audit?to=${since}&action=user.`)).body.every((e: any) => e.ts < since)).toBe(true);
    const page1 = (await admin.get(`/api/audit?from=${since}&limit=5`)).body;
    const page2 = (await admin.get(`/api/audit?from=${since}&limit=5&before=${page1[4].id}`)).body;
    expect([...page1, ...page2].map((e: any) => e.id)).toEqual(all.slice(0, 10).map((e) => e.id));
    expect((await admin.get('/api/audit?limit=0')).body).toMatchObject({ error: 'validation-failed', field: 'limit' });
  });

  it('cannot be changed through the product and is for admins only', async () => {
    const entry = (await admin.get('/api/audit?limit=1')).body[0];
    for (const m of ['post', 'put', 'patch'] as const) expect((await admin[m]('/api/audit', {})).status).toBeGreaterThanOrEqual(404);
    expect((await admin.del('/api/audit')).status).toBeGreaterThanOrEqual(404);
    expect((await admin.del(`/api/audit/${entry.id}`)).status).toBe(404);
    const { api: agent } = await env.agent();
    expect((await agent.get('/api/audit')).status).toBe(403);
    // A token's changes say so.
    const tok = (await admin.post('/api/tokens', { name: 'integration' })).body.token as string;
    const viaToken = new (admin.constructor as typeof Api)(env.s.url, { token: tok });
    await viaToken.post('/api/flags', { name: 'by token' });
    expect((await admin.get('/api/audit?action=flag.create&limit=1')).body[0].actor).toMatchObject({ username: 'admin', via: 'token' });
  });
});

const hasPg = await need('postgres', 'export from SQLite, import into PostgreSQL');

describe.skipIf(!hasPg)('/api/export → /api/import into an empty PostgreSQL', () => {
  it('gives identical API answers', async () => {
    const s = env.s.storage;
    await admin.post('/api/users', { username: 'carol', password: 'carol-password', displayName: 'Carol', sipId: 'carol', roles: ['agent'], email: 'carol@example.com' });
    await admin.post('/api/groups', { name: 'Support', sipId: 'support', members: [(await s.users.getByUsername('carol'))!.id] });
    const flag = (await admin.post('/api/flags', { name: 'Open' })).body;
    await admin.post('/api/widgets', widgetBody({ name: 'Shop', agents: [{ sipId: 'carol', picture: PICTURE, media: ['chat', 'voice'], availability: 'boolean', flag: flag.id }] }));
    await admin.post('/api/webhooks', { url: 'https://crm.example.com/hook', events: ['chat.ended'] });

    const exported = await admin.get('/api/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="contact-widgets-config-\d{4}-\d{2}-\d{2}\.json"$/);

    const pg = postgresBackend();
    const opts = await pg.fresh();
    (await openStorage(opts)).close();
    const target = await startTestServer({ databaseUrl: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${opts.schema}`)}` });
    try {
      const targetAdmin = await login(target.url, target.adminUsername, target.adminPassword);
      const imported = await targetAdmin.post('/api/import', exported.body);
      expect(imported.status).toBe(200);
      for (const t of ['widgets', 'users', 'groups', 'flags', 'webhooks']) expect(imported.body.imported[t], t).toBe((await admin.get(`/api/${t}`)).body.length);
      // Every sign-in ended with the users it belonged to; the source's admin signs in with the source's password.
      expect((await targetAdmin.get('/api/widgets')).status).toBe(401);
      const again = await login(target.url, env.s.adminUsername, env.s.adminPassword);
      for (const path of ['/api/widgets', '/api/users', '/api/groups', '/api/flags', '/api/webhooks']) {
        const [a, b] = await Promise.all([admin.get(path), again.get(path)]);
        expect(b.status, path).toBe(200);
        expect(b.body, path).toEqual(a.body);
      }
      const w = (await admin.get('/api/widgets')).body.find((x: { name: string }) => x.name === 'Shop');
      expect((await again.get(`/api/widgets/${w.uuid}`)).body).toEqual((await admin.get(`/api/widgets/${w.uuid}`)).body);
      // A second import is refused: there are widgets now.
      expect((await again.post('/api/import', exported.body)).status).toBe(409);
      expect((await again.post('/api/import', { format: 'nope' })).body).toMatchObject({ error: 'validation-failed', field: 'format' });
      expect((await again.get('/api/audit?action=config.import')).body[0]).toMatchObject({ action: 'config.import', diff: { widgets: { from: 0, to: (await admin.get('/api/widgets')).body.length } } });
    } finally {
      await target.close();
      await pg.cleanup();
    }
  });
});
