/**
 * Visitor loading (spec 2.1): the original product's loading log over real
 * WebSockets, presence updates, live widget updates, origins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@cw/testkit';
import { DOMAIN_TOPIC } from '../src/bus/types.js';
import { agent, entry, makeUser, makeWidget, openVisitor, setPresence, visitor, dbOptions, type AgentUser } from './protocol-fixtures.js';

const PIC = 'data:image/png;base64,iVBORw0KGgo=';

let s: TestServer;
let atlantis: AgentUser;
let columbia: AgentUser;

beforeAll(async () => {
  s = await startTestServer({ ...dbOptions(), env: { STUN_URLS: 'stun:stun.example.com:3478', TURN_URLS: 'turn:turn.example.com:3478?transport=udp', TURN_SECRET: 's3cret' } });
  atlantis = await makeUser(s, { sipId: 'atlantis', displayName: 'Atlantis', department: 'Sales', email: 'atlantis@example.com' });
  columbia = await makeUser(s, { sipId: 'columbia', displayName: 'Columbia' });
});
afterAll(async () => {
  await s?.close();
});

describe('loading', () => {
  it('plays the original loading log: Start, Session, Info×N, IceConfig, GetPicture → Picture, Info on presence change', async () => {
    const w = await makeWidget(s, [entry('atlantis', { picture: PIC, link: 'https://example.com/hours' }), entry('columbia', { displayName: 'Col', media: ['chat'] })]);
    const { c: console1 } = await agent(s, atlantis.token);
    await setPresence(console1, 'online');

    const { c, session, infos } = await visitor(s, w.uuid, { lang: 'de-CH' });
    expect(session).toMatchObject({ mt: 'Session', name: 'Sales', lang: 'de', type: 'sidebar', uuid: w.uuid, contact: { company: 'Example Ltd' } });
    expect(typeof session.session).toBe('string');
    expect(Object.keys(session.strings).length).toBeGreaterThan(5);
    expect(infos).toEqual([
      {
        mt: 'Info',
        id: 'atlantis',
        dn: 'Atlantis',
        department: 'Sales',
        phonenumber: '',
        email: 'atlantis@example.com',
        company: { company: 'Example Ltd' },
        presence: 'online',
        media: ['voice', 'video', 'chat', 'email'],
        order: 0,
        link: 'https://example.com/hours',
      },
      { mt: 'Info', id: 'columbia', dn: 'Col', department: '', phonenumber: '', email: '', company: { company: 'Example Ltd' }, presence: 'offline', media: ['chat'], order: 1 },
    ]);
    const ice = c.received.find((m) => m.mt === 'IceConfig')!;
    expect(ice).toMatchObject({ stun: 'stun.example.com', turn: 'turn.example.com' });
    expect(ice.iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
    expect(ice.iceServers[1].username).toMatch(/^\d+:cw$/);
    expect(ice.expires).toBeGreaterThan(Date.now());

    c.send({ mt: 'GetPicture', id: 'atlantis' });
    expect(await c.next('Picture')).toEqual({ mt: 'Picture', id: 'atlantis', url: PIC });
    c.send({ mt: 'GetPicture', id: 'columbia' });
    expect(await c.next('Picture')).toEqual({ mt: 'Picture', id: 'columbia', url: '' });
    c.send({ mt: 'GetPicture', id: 'nobody' });
    expect(await c.next('Error')).toMatchObject({ code: 'unknown-agent', ref: 'GetPicture' });

    await setPresence(console1, 'away');
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'busy' });
    await setPresence(console1, 'offline');
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'offline' });
    await setPresence(console1, 'online');
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'online' });
    // Only real changes go out: columbia never got a second Info.
    expect(c.received.filter((m) => m.mt === 'Info' && m.id === 'columbia')).toHaveLength(1);
    await c.close();
    await console1.close();
  });

  it('answers in the order of the original log when GetPicture follows each Info at once', async () => {
    const w = await makeWidget(s, [entry('atlantis', { picture: PIC }), entry('columbia')]);
    const c = await openVisitor(s);
    c.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.mt === 'Info') c.send({ mt: 'GetPicture', id: m.id });
    });
    c.send({ mt: 'Start', uuid: w.uuid });
    await c.next((m) => m.mt === 'Picture' && m.id === 'columbia');
    expect(c.received.map((m) => (m.mt === 'Info' || m.mt === 'Picture' ? `${m.mt}:${m.id}` : m.mt))).toEqual([
      'Session',
      'Info:atlantis',
      'Info:columbia',
      'IceConfig',
      'Picture:atlantis',
      'Picture:columbia',
    ]);
    await c.close();
  });

  it('refuses unknown widgets with unknown-widget and close 1008', async () => {
    const c = await openVisitor(s);
    c.send({ mt: 'Start', uuid: 'nope' });
    expect(await c.next('Error')).toMatchObject({ code: 'unknown-widget', ref: 'Start' });
    expect((await c.closed).code).toBe(1008);
  });

  it('resumes a session with the same token, gives a fresh one for unknown tokens', async () => {
    const w = await makeWidget(s, [entry('atlantis')]);
    const a = await visitor(s, w.uuid);
    const token = a.session.session as string;
    await a.c.close();
    const b = await visitor(s, w.uuid, { session: token });
    expect(b.session.session).toBe(token);
    await b.c.close();
    const c = await visitor(s, w.uuid, { session: 'made-up' });
    expect(c.session.session).not.toBe('made-up');
    expect(c.c.received.some((m) => m.mt === 'Error')).toBe(false);
    await c.c.close();
  });

  it('checks allowedOrigins: exact, wildcard, missing Origin', async () => {
    const w = await makeWidget(s, [entry('atlantis')], { allowedOrigins: ['https://shop.example.com', 'https://*.example.org'] });
    for (const ok of ['https://shop.example.com', 'https://a.b.example.org']) {
      const v = await visitor(s, w.uuid, { origin: ok });
      await v.c.close();
    }
    for (const bad of ['https://evil.com', 'https://example.org', 'http://shop.example.com', undefined]) {
      const c = await openVisitor(s, bad);
      c.send({ mt: 'Start', uuid: w.uuid });
      expect(await c.next('Error')).toMatchObject({ code: 'origin-not-allowed' });
      expect((await c.closed).code).toBe(1008);
    }
  });

  it('pushes a saved widget within a second: Session, Remove, Info', async () => {
    const w = await makeWidget(s, [entry('atlantis'), entry('columbia')]);
    const { c } = await visitor(s, w.uuid);
    await s.storage.widgets.replace(w.uuid, { ...w, name: 'Support', agents: [entry('columbia', { displayName: 'Columbia Team' })] });
    const t0 = Date.now();
    s.bus.publish(DOMAIN_TOPIC, { t: 'widget-updated', uuid: w.uuid });
    expect(await c.next('Session')).toMatchObject({ name: 'Support' });
    expect(await c.next('Remove')).toEqual({ mt: 'Remove', id: 'atlantis' });
    expect(await c.next('Info')).toMatchObject({ id: 'columbia', dn: 'Columbia Team', order: 0 });
    expect(Date.now() - t0).toBeLessThan(1000);

    await s.storage.widgets.delete(w.uuid);
    s.bus.publish(DOMAIN_TOPIC, { t: 'widget-deleted', uuid: w.uuid });
    expect(await c.next('Error')).toMatchObject({ code: 'unknown-widget' });
    expect((await c.closed).code).toBe(1008);
  });

  it('updates Info when a flag toggles', async () => {
    const f = await s.storage.flags.create({ name: 'open', value: false });
    const w = await makeWidget(s, [entry('atlantis', { availability: 'boolean', flag: f.id })]);
    const { c, infos } = await visitor(s, w.uuid);
    expect(infos[0]).toMatchObject({ presence: 'offline' });
    await s.storage.flags.update(f.id, { value: true });
    s.bus.publish(DOMAIN_TOPIC, { t: 'flag-changed', id: f.id, value: true });
    expect(await c.next('Info')).toMatchObject({ id: 'atlantis', presence: 'online' });
    await c.close();
  });

  it('shows an API-set online without a console', async () => {
    const w = await makeWidget(s, [entry('columbia')]);
    const { c, infos } = await visitor(s, w.uuid);
    expect(infos[0]).toMatchObject({ presence: 'offline' });
    await s.storage.presence.set({ userId: columbia.user.id, presence: 'online', source: 'api', updatedAt: Date.now() });
    s.bus.publish(DOMAIN_TOPIC, { t: 'presence-api', userId: columbia.user.id, presence: 'online' });
    expect(await c.next('Info')).toMatchObject({ id: 'columbia', presence: 'online' });
    await c.close();
  });
});
