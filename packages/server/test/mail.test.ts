// Mail (spec 11) against a real SMTP server on loopback: the offline notification's fields, multipart text +
// HTML with visitor text escaped and no header injection; transcripts with every message; the SMTP server
// down → mails kept (failures visible to admins) and sent when it is back, with a server restart in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, startTestServer, type TestServer, type TestSmtp } from '@cw/testkit';
import { Api, login } from './http-helpers.js';
import { entry, makeUser, makeWidget, online, visitor } from './protocol-fixtures.js';

let smtp: TestSmtp;
let s: TestServer;
let admin: Api;

beforeAll(async () => {
  smtp = await startSmtp();
  s = await startTestServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Example Shop <contact@example.com>', MAIL_RETRY_BASE_S: '0.2', OFFLINE_MIN_FILL_S: '0' } });
  admin = await login(s.url, s.adminUsername, s.adminPassword);
});
afterAll(async () => {
  await s?.close();
  await smtp?.stop();
});

/** Polls until `fn` is true (mail state lives in another part of the server). */
async function until(fn: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mail over SMTP', () => {
  it('an offline message reaches the notification addresses: fields, multipart, escaped, no header injection', async () => {
    await makeUser(s, { sipId: 'nobody' });
    const w = await makeWidget(s, [entry('nobody')], { name: 'Gärten', lang: 'de', offline: { enabled: true, consentText: 'Ich stimme zu.', notify: ['sales@example.com', 'boss@example.com'] } });
    const v = await visitor(s, w.uuid, { lang: 'en' });
    v.c.send({ mt: 'OfflineMessage', cid: 'o1', name: 'Eve\r\nBcc: victim@example.com', email: 'eve@example.com', text: 'Hello <img src=x onerror=alert(1)>\nline two & more', consent: true });
    await v.c.next('OfflineAck');
    const mail = await smtp.next((m) => m.to.includes('sales@example.com'));
    expect(mail.to.sort()).toEqual(['boss@example.com', 'sales@example.com']);
    expect(mail.from).toBe('contact@example.com');
    const p = mail.parsed;
    expect(p.replyTo?.value[0]?.address).toBe('eve@example.com');
    // The widget's language (de), one subject line, no Bcc smuggled in.
    expect(p.subject).toBe('Neue Nachricht von Eve Bcc: victim@example.com (Gärten)');
    expect(p.headers.has('bcc')).toBe(false);
    expect(mail.raw).not.toMatch(/^Bcc:/im);
    expect(p.text).toContain('Hello <img src=x onerror=alert(1)>\nline two & more');
    expect(p.text).toContain('Einwilligung erteilt: ja — Ich stimme zu.');
    expect(p.html).toContain('Hello &lt;img src=x onerror=alert(1)&gt;<br>line two &amp; more');
    expect(p.html).not.toContain('<img');
    expect(mail.raw).toMatch(/multipart\/alternative/);
    expect((await admin.get('/api/mail')).body[0]).toMatchObject({ kind: 'offline', state: 'sent', attempts: 1 });
    await v.c.close();
  });

  it('a transcript the visitor asked for arrives when the chat ends, with every message', async () => {
    const ann = await makeUser(s, { sipId: 'ann', displayName: 'Ann' });
    const w = await makeWidget(s, [entry('ann')], { name: 'Support' });
    const console = await online(s, ann);
    const v = await visitor(s, w.uuid, { lang: 'fr' });
    v.c.send({ mt: 'ChatStart', dest: 'ann', dn: 'Vera' });
    const { chat } = await v.c.next('ChatInfo');
    await console.next('ChatOffer');
    console.send({ mt: 'ChatAccept', chat });
    await v.c.next((m) => m.mt === 'ChatInfo' && m.state === 'accepted');
    const lines = ['Bonjour, <b>une question</b>', 'Oui ?', 'Merci & au revoir'];
    v.c.send({ mt: 'ChatMessage', chat, cid: 'v1', text: lines[0] });
    await v.c.next('ChatAck');
    console.send({ mt: 'ChatMessage', chat, cid: 'a1', text: lines[1] });
    await console.next('ChatAck');
    v.c.send({ mt: 'ChatMessage', chat, cid: 'v2', text: lines[2] });
    await v.c.next((m) => m.mt === 'ChatAck' && m.cid === 'v2');
    // Someone else's chat is unknown; a bad address is refused.
    v.c.send({ mt: 'ChatTranscript', chat: 'nope', email: 'vera@example.com' });
    expect(await v.c.next('Error')).toMatchObject({ code: 'unknown-chat' });
    v.c.send({ mt: 'ChatTranscript', chat, email: 'not an address' });
    expect(await v.c.next('Error')).toMatchObject({ code: 'bad-request' });
    v.c.send({ mt: 'ChatTranscript', chat, email: 'vera@example.com' });
    expect(await v.c.next('ChatTranscriptAck')).toEqual({ mt: 'ChatTranscriptAck', chat });
    expect(smtp.mails.some((m) => m.to.includes('vera@example.com'))).toBe(false);
    v.c.send({ mt: 'ChatEnd', chat });
    const mail = await smtp.next((m) => m.to.includes('vera@example.com'));
    expect(mail.parsed.subject).toBe('Votre discussion avec Support');
    for (const l of lines) expect(mail.parsed.text).toContain(l);
    expect(mail.parsed.text).toMatch(/Vous: Bonjour[\s\S]*Ann: Oui \?[\s\S]*Vous: Merci & au revoir/);
    expect(mail.parsed.html).toContain('Bonjour, &lt;b&gt;une question&lt;/b&gt;');
    // The console sends one too, to another address, after the end: at once.
    const r = await new Api(s.url, { token: ann.token }).post(`/api/chats/${chat}/transcript`, { email: 'copy@example.com' });
    expect(r.status).toBe(202);
    const copy = await smtp.next((m) => m.to.includes('copy@example.com'));
    for (const l of lines) expect(copy.parsed.text).toContain(l);
    await v.c.close();
    await console.close();
  });

  it('SMTP down: mails are kept, failures visible; a restart loses none; sent once the server is back', async () => {
    await smtp.stop();
    const w = await makeWidget(s, [entry('nobody')], { name: 'Outage', offline: { enabled: true, consentText: '', notify: ['ops@example.com'] } });
    const v = await visitor(s, w.uuid);
    for (const cid of ['d1', 'd2']) {
      v.c.send({ mt: 'OfflineMessage', cid, name: `Visitor ${cid}`, email: `${cid}@example.com`, text: `message ${cid}` });
      await v.c.next((m) => m.mt === 'OfflineAck' && m.cid === cid);
    }
    await v.c.close();
    await until(async () => (await s.storage.mail.list(10, 'pending')).some((m) => m.attempts > 0), 'a failed attempt');
    const status = (await admin.get('/api/mail/status')).body;
    expect(status).toMatchObject({ configured: true, pending: 2 });
    expect(status.lastError).not.toBe('');
    await s.restart();
    admin = await login(s.url, s.adminUsername, s.adminPassword);
    expect((await s.storage.mail.list(10, 'pending')).length).toBe(2);
    await smtp.start();
    const got = [await smtp.next((m) => m.to.includes('ops@example.com')), await smtp.next((m) => m.to.includes('ops@example.com'))];
    expect(got.map((m) => m.parsed.replyTo?.value[0]?.address).sort()).toEqual(['d1@example.com', 'd2@example.com']);
    await until(async () => (await admin.get('/api/mail/status')).body.pending === 0, 'outbox empty');
    // Each was sent once.
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.filter((m) => m.to.includes('ops@example.com')).length).toBe(2);
  });
});
