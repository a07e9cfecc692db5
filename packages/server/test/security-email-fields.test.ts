/**
 * Issue 11 finding 9, as the attack was run: an agent e-mail of
 * `x@y.z?bcc=spy%40evil.example` was stored and became a mailto: link with a
 * hidden bcc. Now every `email` field (users, widget contact, widget agents,
 * the visitor's ChatStart) is an e-mail address without spaces or `?`, or ""
 * (spec 14); the widget also encodes every mailto:/tel: link
 * (packages/widget/test/appearance.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type TestServer } from '@cw/testkit';
import { login, widgetBody, type Api } from './http-helpers.js';

let s: TestServer;
let admin: Api;
beforeAll(async () => {
  s = await startTestServer();
  admin = await login(s.url, s.adminUsername, s.adminPassword);
});
afterAll(async () => {
  await s.close();
});

const BCC = 'x@y.z?bcc=spy%40evil.example';
const bad = [BCC, 'a b@example.com', 'name@localhost', 'no-at-sign', 'x@y.z\r\nBcc: spy@evil.example'];

describe('e-mail fields', () => {
  it('a widget agent or contact e-mail with a hidden bcc is refused with the field named, and nothing is stored', async () => {
    for (const email of bad) {
      const agent = await admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'atlantis', media: ['email'], availability: 'presence', email }] }));
      expect(agent.status, email).toBe(400);
      expect(agent.body.field).toBe('agents[0].email');
      const contact = await admin.post('/api/widgets', widgetBody({ contact: { email } }));
      expect(contact.status, email).toBe(400);
      expect(contact.body.field).toBe('contact.email');
    }
    const r = await admin.post('/api/widgets', widgetBody({ agents: [{ sipId: 'atlantis', media: ['email'], availability: 'presence', email: BCC }] }));
    console.log(`[security] agent e-mail ${JSON.stringify(BCC)} → ${r.status} ${r.body.field}: ${r.body.message}`);
    expect((await admin.get('/api/widgets')).body).toEqual([]);
  });

  it('user e-mails follow the same rule; good addresses and "" pass', async () => {
    expect((await admin.post('/api/users', { username: 'eve1', password: 'tangerine lamp orbit', roles: ['agent'], email: BCC })).body.field).toBe('email');
    const ok = await admin.post('/api/users', { username: 'eve2', password: 'tangerine lamp orbit', roles: ['agent'], email: 'müller@bäcker.de' });
    expect(ok.status).toBe(201);
    expect((await admin.patch(`/api/users/${ok.body.id}`, { email: 'a b@c.de' })).status).toBe(400);
    expect((await admin.patch(`/api/users/${ok.body.id}`, { email: '' })).status).toBe(200);
    const w = await admin.post('/api/widgets', widgetBody({ contact: { email: 'sales@example.com' }, agents: [{ sipId: 'atlantis', media: ['email'], availability: 'presence', email: '' }] }));
    expect(w.status).toBe(201);
  });

  it("the visitor's ChatStart email is checked too (bad-request, the socket stays)", async () => {
    const w = await admin.post('/api/widgets', widgetBody({ name: 'Mail' }));
    const c = await WsClient.connect(`${s.wsUrl}/ws/widget`);
    c.send({ mt: 'Start', uuid: w.body.uuid });
    await c.next('IceConfig');
    c.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Me', email: BCC });
    expect(await c.next('Error')).toMatchObject({ code: 'bad-request', ref: 'ChatStart', text: expect.stringMatching(/email/) });
    c.send({ mt: 'GetPicture', id: 'atlantis' });
    await c.next('Picture');
    await c.close();
  });
});
