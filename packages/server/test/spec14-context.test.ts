/**
 * Spec 14 over the real API and WebSockets: colour rules (a colour word is
 * refused and changes nothing), widget texts in Session, the visitor's page,
 * language and browser on ChatOffer / IncomingCall (and what was written
 * before anyone accepted), users' own pictures, "video includes voice", and
 * 1,000 agents per widget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { WsClient } from '@cw/testkit';
import { setup, widgetBody, type Env } from './http-helpers.js';
import { agent, online } from './protocol-fixtures.js';
import { makeUser } from './protocol-fixtures.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(async () => {
  await env?.s.close();
});

async function startVisitor(uuid: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const c = await WsClient.connect(`${env.s.wsUrl}/ws/widget`, { headers });
  c.send({ mt: 'Start', uuid, ...extra });
  const session = await c.next('Session');
  await c.next('IceConfig');
  return { c, session };
}

describe('spec 14: colours, texts, context, pictures, video, scale', () => {
  it('refuses a colour word (400, field named) and leaves the live widget as it was', async () => {
    const created = await env.admin.post('/api/widgets', widgetBody({ appearance: { colors: { primary: '#0a7d5c' } } }));
    expect(created.status).toBe(201);
    const uuid = created.body.uuid as string;
    const { c } = await startVisitor(uuid);
    for (const bad of ['greenish', 'red', '#abcd', '#0a7d5c80', 'rgb(1,2,3)', ' #fff', '#ggg']) {
      const r = await env.admin.put(`/api/widgets/${uuid}`, widgetBody({ appearance: { colors: { primary: bad } } }));
      expect(r.status, bad).toBe(400);
      expect(r.body.field).toBe('appearance.colors.primary');
      expect(r.body.message).toMatch(/hex colour/);
    }
    expect((await env.admin.get(`/api/widgets/${uuid}`)).body.appearance.colors.primary).toBe('#0a7d5c');
    // Nothing was pushed to the open widget.
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received.filter((m) => m.mt === 'Session')).toHaveLength(1);
    for (const good of ['#fff', '#0A7D5C', ''])
      expect((await env.admin.put(`/api/widgets/${uuid}`, widgetBody({ appearance: { colors: { primary: good, background: good, text: good } } }))).status, good).toBe(200);
    c.ws.close();
  });

  it('sends the admin texts in Session (empty: "")', async () => {
    const r = await env.admin.post('/api/widgets', widgetBody({ texts: { title: 'Talk to our gardeners', greeting: 'We usually answer within minutes.' } }));
    expect(r.body.texts).toEqual({ title: 'Talk to our gardeners', greeting: 'We usually answer within minutes.' });
    const { c, session } = await startVisitor(r.body.uuid);
    expect(session.texts).toEqual({ title: 'Talk to our gardeners', greeting: 'We usually answer within minutes.' });
    c.ws.close();
    const plain = await env.admin.post('/api/widgets', widgetBody());
    expect(plain.body.texts).toEqual({ title: '', greeting: '' });
    expect((await env.admin.post('/api/widgets', widgetBody({ texts: { title: 'x'.repeat(101) } }))).status).toBe(400);
  });

  it('tells the agent the page, language and browser on ChatOffer and IncomingCall, and shows what was written before accepting', async () => {
    const ann = await makeUser(env.s, { sipId: 'ann14', displayName: 'Ann' });
    const w = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'ann14', media: ['voice', 'video', 'chat'], availability: 'presence' }] }));
    const a = await online(env.s, ann);
    const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const page = { url: 'https://shop.example.com/planters', title: 'Planters' };
    const { c: v } = await startVisitor(w.body.uuid, { page, lang: 'de-CH' }, { 'user-agent': ua });
    v.send({ mt: 'ChatStart', dest: 'ann14', dn: 'Mia' });
    const offer = await a.next('ChatOffer');
    expect(offer.visitor).toEqual({ page, lang: 'de-CH', userAgent: ua });
    v.send({ mt: 'ChatMessage', chat: offer.chat, cid: 'k1', text: 'Do you ship to Zurich?' });
    const again = await a.next((m) => m.mt === 'ChatOffer' && Array.isArray(m.messages));
    expect(again.messages.map((m: { text: string }) => m.text)).toEqual(['Do you ship to Zurich?']);
    expect(again.visitor.page).toEqual(page);
    // A console that connects later gets the offer with context and messages too.
    const { c: late } = await agent(env.s, ann.token);
    const restored = await late.next('ChatOffer');
    expect(restored.visitor.page).toEqual(page);
    expect(restored.messages).toHaveLength(1);
    v.send({ mt: 'ChatEnd', chat: offer.chat });
    await a.next((m) => m.mt === 'ChatInfo' && m.state === 'closed');
    // The same visitor asks again: the agent sees the earlier conversation of this visit.
    v.send({ mt: 'ChatStart', dest: 'ann14', dn: 'Mia' });
    const second = await a.next((m) => m.mt === 'ChatOffer' && m.chat !== offer.chat);
    expect(second.earlier).toEqual([{ chat: offer.chat, ts: expect.any(Number), agentDn: null, answered: false }]);
    v.send({ mt: 'ChatEnd', chat: second.chat });
    await a.next((m) => m.mt === 'ChatInfo' && m.chat === second.chat && m.state === 'closed');

    // The call: the same context on IncomingCall.
    const { c: v2 } = await startVisitor(w.body.uuid, { page, lang: 'de' }, { 'user-agent': ua });
    v2.send({ mt: 'CreateCall', dest: 'ann14', dn: 'Mia', video: false });
    v2.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: 'v=0\r\n' });
    const ring = await a.next('IncomingCall');
    expect(ring.visitor).toEqual({ page, lang: 'de', userAgent: ua });
    v2.send({ mt: 'ClearCall' });
    await a.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
    // Only web pages are passed on.
    const { c: v3 } = await startVisitor(w.body.uuid, { page: { url: 'javascript:alert(1)', title: 'x' } });
    v3.send({ mt: 'ChatStart', dest: 'ann14', dn: 'Eve' });
    const o3 = await a.next((m) => m.mt === 'ChatOffer' && m.from.dn === 'Eve');
    expect(o3.visitor?.page).toBeUndefined();
    for (const c of [v, v2, v3, a, late]) c.ws.close();
  });

  it('lets a video agent be called with or without video (video includes voice)', async () => {
    const vid = await makeUser(env.s, { sipId: 'vid14', displayName: 'Vid' });
    const w = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'vid14', media: ['video'], availability: 'presence' }, { sipId: 'chat14', media: ['chat'], availability: 'always' }] }));
    const a = await online(env.s, vid);
    for (const video of [false, true]) {
      const { c: v } = await startVisitor(w.body.uuid);
      v.send({ mt: 'CreateCall', dest: 'vid14', dn: 'Mia', video });
      v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: 'v=0\r\n' });
      expect((await a.next('IncomingCall')).video).toBe(video);
      expect(v.received.find((m) => m.mt === 'Error')).toBeUndefined();
      v.send({ mt: 'ClearCall' });
      await a.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
      v.ws.close();
    }
    // Without voice or video: still refused.
    const { c: v } = await startVisitor(w.body.uuid);
    v.send({ mt: 'CreateCall', dest: 'chat14', dn: 'Mia' });
    expect(await v.next('Error')).toMatchObject({ code: 'media-not-allowed' });
    v.ws.close();
    a.ws.close();
  });

  it("shows the user's own picture on every widget whose entry has none; an entry's own picture wins", async () => {
    const png = `data:image/png;base64,${(await sharp({ create: { width: 40, height: 40, channels: 3, background: '#c33' } }).png().toBuffer()).toString('base64')}`;
    const u = await env.admin.post('/api/users', { username: 'pic14', password: 'pic14-long-password-x', roles: ['agent'] });
    const patched = await env.admin.patch(`/api/users/${u.body.id}`, { picture: png, department: 'Garden', phone: '+41 44 000 00 00', email: 'pic@example.com' });
    expect(patched.status).toBe(200);
    expect(patched.body.picture).toMatch(/^data:image\/jpeg;base64,/);
    expect((await env.admin.patch(`/api/users/${u.body.id}`, { picture: 'data:image/svg+xml;base64,PHN2Zz4=' })).status).toBe(400);
    const w1 = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'pic14', media: ['chat'], availability: 'always' }] }));
    const { c: v } = await startVisitor(w1.body.uuid);
    v.send({ mt: 'GetPicture', id: 'pic14' });
    expect((await v.next('Picture')).url).toBe(patched.body.picture);
    const info = v.received.find((m) => m.mt === 'Info');
    expect(info).toMatchObject({ department: 'Garden', phonenumber: '+41 44 000 00 00', email: 'pic@example.com' });
    v.ws.close();
    const w2 = await env.admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'pic14', media: ['chat'], availability: 'always', picture: png, department: 'Shop' }] }));
    const { c: v2 } = await startVisitor(w2.body.uuid);
    v2.send({ mt: 'GetPicture', id: 'pic14' });
    const own = (await v2.next('Picture')).url as string;
    expect(own).toMatch(/^data:image\/jpeg/);
    expect(v2.received.find((m) => m.mt === 'Info')).toMatchObject({ department: 'Shop' });
    v2.ws.close();
  });

  it('takes 1,000 agents on a widget and refuses 1,001', async () => {
    const agents = Array.from({ length: 1000 }, (_, i) => ({ sipId: `bulk${i}`, media: ['chat'], availability: 'inactive' }));
    const r = await env.admin.post('/api/widgets', widgetBody({ agents }));
    expect(r.status).toBe(201);
    expect(r.body.agents).toHaveLength(1000);
    const { c, session } = await startVisitor(r.body.uuid);
    expect(session.mt).toBe('Session');
    expect(c.received.filter((m) => m.mt === 'Info')).toHaveLength(1000);
    c.ws.close();
    const over = await env.admin.put(`/api/widgets/${r.body.uuid}`, widgetBody({ agents: [...agents, { sipId: 'one-more', media: ['chat'], availability: 'inactive' }] }));
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/at most 1000/);
  });
});
