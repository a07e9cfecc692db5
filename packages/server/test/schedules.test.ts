// Spec 11 on a real server with a clock the test moves: the schedule API (validation, computed state, audit),
// flags that follow a schedule (flipped at the boundary, live to widgets; a manual value holds until the next
// change), widget hours in Session, offline messages (checks, anti-spam, limits, Missed, outbox), and the
// Missed API's roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JumpClock, startTestServer, type TestServer } from '@cw/testkit';
import { Api, login } from './http-helpers.js';
import { entry, makeUser, makeWidget, visitor } from './protocol-fixtures.js';

const clock = new JumpClock();
let s: TestServer;
let admin: Api;

/** A plan open only from the next full hour (local UTC) for one hour, every day. */
function hourAhead(): { from: string; to: string; opensAt: number; closesAt: number } {
  const now = clock.now();
  const opensAt = Math.ceil((now + 60_000) / 3_600_000) * 3_600_000;
  const h = new Date(opensAt).getUTCHours();
  const hh = (n: number) => `${String(n).padStart(2, '0')}:00`;
  // An opening that would cross midnight is cut at 24:00.
  return { from: hh(h), to: h === 23 ? '24:00' : hh(h + 1), opensAt, closesAt: opensAt + 3_600_000 };
}

const everyDay = (iv: [string, string][]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, iv]));

beforeAll(async () => {
  s = await startTestServer({ clock, env: { OFFLINE_MIN_FILL_S: '1', OFFLINE_PER_SESSION: '2' } });
  // A token, not a session: the clock jumps by days, and sessions end after 12 hours.
  const cookie = await login(s.url, s.adminUsername, s.adminPassword);
  admin = new Api(s.url, { token: (await cookie.post('/api/tokens', { name: 'test' })).body.token });
});
afterAll(async () => s?.close());

describe('schedules API', () => {
  it('validates: zone, times, dates; a refused request writes nothing', async () => {
    const bad = [
      [{ name: 'x', timeZone: 'Mars/Olympus', week: {} }, 'timeZone'],
      [{ name: 'x', timeZone: 'UTC', week: { mon: [['12:00', '08:00']] } }, 'week.mon[0]'],
      [{ name: 'x', timeZone: 'UTC', week: { mon: [['25:00', '26:00']] } }, 'week.mon[0][0]'],
      [{ name: 'x', timeZone: 'UTC', week: { mon: [['08:00']] } }, 'week.mon[0]'],
      [{ name: 'x', timeZone: 'UTC', week: {}, exceptions: [{ date: '2026-02-30', intervals: [] }] }, 'exceptions[0].date'],
      [{ name: ' ', timeZone: 'UTC', week: {} }, 'name'],
    ] as const;
    for (const [body, field] of bad) {
      const r = await admin.post('/api/schedules', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.field).toBe(field);
    }
    expect((await admin.get('/api/schedules')).body).toEqual([]);
    const noadmin = await makeUser(s, { sipId: 'noadmin' });
    expect((await new Api(s.url).get('/api/schedules')).status).toBe(401);
    expect((await new Api(s.url, { token: noadmin.token }).get('/api/schedules')).status).toBe(403);
    expect((await new Api(s.url, { token: noadmin.token }).post('/api/schedules', { name: 'x', timeZone: 'UTC', week: {} })).status).toBe(403);
  });

  it('a flag follows its schedule: flipped at the boundary and pushed to open widgets; a manual value holds until the next change', async () => {
    const h = hourAhead();
    const created = await admin.post('/api/schedules', { name: 'Hour', timeZone: 'UTC', week: everyDay([[h.from, h.to]]), exceptions: [{ date: '2020-01-01', intervals: [], label: 'Old' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Hour', open: false, nextChange: h.opensAt, exceptions: [{ date: '2020-01-01', intervals: [], label: 'Old' }] });
    const id = created.body.id;
    const flag = await admin.post('/api/flags', { name: 'office-open', scheduleId: id });
    expect(flag.body).toMatchObject({ value: false, scheduleId: id });
    await makeUser(s, { sipId: 'hotline' });
    const w = await makeWidget(s, [entry('hotline', { availability: 'boolean', flag: flag.body.id })]);
    const v = await visitor(s, w.uuid);
    expect(v.infos[0]).toMatchObject({ id: 'hotline', presence: 'offline' });

    clock.jumpTo(h.opensAt);
    await v.c.next((m) => m.mt === 'Info' && m.presence === 'online').catch((e) => { throw new Error(`at the opening: ${e.message}`); });
    expect((await admin.get(`/api/flags/${flag.body.id}`)).body.value).toBe(true);
    expect((await admin.get(`/api/schedules/${id}`)).body).toMatchObject({ open: true, nextChange: h.closesAt });

    // Switched off by hand: holds until the schedule's next change, then the schedule rules again.
    expect((await admin.put(`/api/flags/${flag.body.id}`, { value: false })).body.value).toBe(false);
    await v.c.next((m) => m.mt === 'Info' && m.presence === 'offline').catch((e) => { throw new Error(`after the override: ${e.message}`); });
    clock.jump(10 * 60_000);
    expect((await admin.get(`/api/flags/${flag.body.id}`)).body.value).toBe(false);
    clock.jumpTo(h.closesAt);
    // Closed at the change anyway; the next opening switches it on again.
    clock.jumpTo(h.opensAt + 86_400_000);
    await v.c.next((m) => m.mt === 'Info' && m.presence === 'online').catch((e) => { throw new Error(`next day: ${e.message}`); });

    // In use: cannot be deleted.
    expect((await admin.del(`/api/schedules/${id}`)).status).toBe(409);
    await v.c.close();
  });

  it('a widget with a schedule says in Session whether it is open and when it opens, and says it again at the change', async () => {
    const h = hourAhead();
    const sched = (await admin.post('/api/schedules', { name: 'Widget hours', timeZone: 'Europe/Berlin', week: {} })).body;
    // Exceptions in the zone's dates: open tomorrow (Berlin) at the hour computed for UTC is fine as a shape test.
    const put = await admin.put(`/api/schedules/${sched.id}`, { name: 'Widget hours', timeZone: 'UTC', week: everyDay([[h.from, h.to]]) });
    expect(put.status).toBe(200);
    await makeUser(s, { sipId: 'desk' });
    const created = await admin.post('/api/widgets', { type: 'sidebar', name: 'Hours', agents: [{ sipId: 'desk', media: ['chat'], availability: 'presence' }], scheduleId: sched.id, offline: { consentText: 'I agree', notify: ['team@example.com'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scheduleId: sched.id, offline: { enabled: true, consentText: 'I agree', notify: ['team@example.com'] } });
    expect((await admin.post('/api/widgets', { type: 'sidebar', name: 'Bad', scheduleId: 'nope' })).status).toBe(400);
    const v = await visitor(s, created.body.uuid);
    expect(v.session).toMatchObject({ open: false, nextOpen: h.opensAt, offline: { consentText: 'I agree' } });
    clock.jumpTo(h.opensAt);
    const again = await v.c.next((m) => m.mt === 'Session');
    expect(again).toMatchObject({ open: true, nextOpen: null });
    await v.c.close();
  });
});

let sallyToken = '';
describe('offline messages', () => {
  it('checks, anti-spam, limits; stored as Missed and queued as mail', async () => {
    sallyToken = (await makeUser(s, { sipId: 'sally' })).token;
    const w = await makeWidget(s, [entry('sally')], { name: 'Shop', offline: { enabled: true, consentText: 'You may store my message.', notify: ['sales@example.com'] } });
    const v = await visitor(s, w.uuid);
    const msg = { mt: 'OfflineMessage', cid: 'o1', name: 'Vera <b>', email: 'vera@example.com', text: 'Call me\nback <script>', consent: true };
    // Too fast (minimum fill time 1 s on this server).
    v.c.send(msg);
    expect(await v.c.next('Error')).toMatchObject({ code: 'too-fast', ref: 'OfflineMessage' });
    clock.jump(2000);
    for (const [bad, code] of [
      [{ ...msg, email: 'nope' }, 'bad-request'],
      [{ ...msg, email: '' }, 'bad-request'],
      [{ ...msg, text: ' ' }, 'bad-request'],
      [{ ...msg, text: 'x'.repeat(4001) }, 'bad-request'],
      [{ ...msg, consent: false }, 'bad-request'],
    ] as const) {
      v.c.send(bad);
      expect(await v.c.next('Error')).toMatchObject({ code });
    }
    // The honeypot: acknowledged, nothing stored.
    v.c.send({ ...msg, cid: 'hp', hp: 'http://spam.example' });
    expect(await v.c.next('OfflineAck')).toEqual({ mt: 'OfflineAck', cid: 'hp' });
    expect(await s.storage.missed.list({ limit: 10 })).toEqual([]);
    v.c.send(msg);
    expect(await v.c.next('OfflineAck')).toEqual({ mt: 'OfflineAck', cid: 'o1' });
    const missed = await admin.get('/api/missed?state=open');
    expect(missed.body).toEqual([
      { id: expect.any(String), kind: 'offline', widget: { uuid: w.uuid, name: 'Shop' }, agent: null, name: 'Vera <b>', email: 'vera@example.com', text: 'Call me\nback <script>', ts: expect.any(Number), state: 'open' },
    ]);
    const [mail] = await s.storage.mail.list(5);
    expect(mail).toMatchObject({ kind: 'offline', to: ['sales@example.com'], replyTo: 'vera@example.com', state: 'pending' });
    expect(mail!.text).toContain('Call me\nback <script>');
    expect(mail!.html).toContain('Call me<br>back &lt;script&gt;');
    expect(mail!.html).not.toContain('<script>');
    // Per session: 2 on this server.
    v.c.send({ ...msg, cid: 'o2' });
    await v.c.next('OfflineAck');
    v.c.send({ ...msg, cid: 'o3' });
    expect(await v.c.next('Error')).toMatchObject({ code: 'try-later' });
    expect((await s.storage.missed.list({ limit: 10 })).length).toBe(2);
    // Counted by the statistics (spec 12's offlineMessages), per widget.
    const from = clock.now() - 86_400_000;
    const to = clock.now() + 86_400_000;
    const stats = (await admin.get(`/api/stats?from=${from}&to=${to}&bucket=day&tz=UTC&widget=${w.uuid}`)).body;
    expect(stats.totals.offlineMessages).toBe(2);
    // Without SMTP nothing is sent, and admins are told.
    expect((await admin.get('/api/mail/status')).body).toMatchObject({ configured: false, pending: 2 });
    await v.c.close();
  });

  it('a widget with the form off refuses; Missed for agents: their widgets only; mark done', async () => {
    const off = await makeWidget(s, [entry('sally')], { name: 'Closed', offline: { enabled: false, consentText: '', notify: [] } });
    const v = await visitor(s, off.uuid);
    clock.jump(2000);
    v.c.send({ mt: 'OfflineMessage', cid: 'x', email: 'a@example.com', text: 'hi' });
    expect(await v.c.next('Error')).toMatchObject({ code: 'offline-disabled' });
    await v.c.close();

    const sally = new Api(s.url, { token: sallyToken });
    const mine = await sally.get('/api/missed');
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBe(2);
    const stranger = new Api(s.url, { token: (await makeUser(s, { sipId: 'stranger' })).token });
    expect((await stranger.get('/api/missed')).body).toEqual([]);
    expect((await stranger.patch(`/api/missed/${mine.body[0].id}`, { state: 'done' })).status).toBe(404);
    expect((await sally.patch(`/api/missed/${mine.body[0].id}`, { state: 'gone' })).status).toBe(400);
    const done = await sally.patch(`/api/missed/${mine.body[0].id}`, { state: 'done' });
    expect(done.body.state).toBe('done');
    expect((await sally.get('/api/missed?state=open')).body.length).toBe(1);
  });

  it('the new routes are in the OpenAPI document', async () => {
    const doc = (await new Api(s.url).get('/api/openapi.json')).body;
    for (const p of ['/api/schedules', '/api/schedules/{id}', '/api/missed', '/api/missed/{id}', '/api/mail/status', '/api/mail']) expect(doc.paths[p], p).toBeDefined();
    const audit = (await admin.get('/api/audit?action=schedule.create')).body;
    expect(audit.length).toBeGreaterThan(0);
  });
});
