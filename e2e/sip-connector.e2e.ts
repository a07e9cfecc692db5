/**
 * The SIP connector itself against a real phone system: Kamailio (registrar,
 * proxy, presence server), baresip phones, sipp — started once for this file,
 * inside the test's private network namespace. No browser: calls offer a
 * plain RTP description that the desk phones take.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { SipConnector, type ConnectorStatus, type IncomingSipMessage, type PhonePresence, type SipAccount, type SipCallEnd } from '@cw/sip-connector';
import { need, Phone, publishPidf, startKamailio, startSipp, type Kamailio, type Proc } from '@cw/testkit';

const ok = (await need('netns', 'the SIP tests bind fixed ports')) && (await need('sip', 'apt-get install kamailio kamailio-presence-modules kamailio-websocket-modules baresip-core sip-tester rtpengine-daemon'));

const OFFER = ['v=0', 'o=- 4242 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 41000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');

const account = (over: Partial<SipAccount> = {}): SipAccount => ({
  registrar: 'sip:127.0.0.1:5060;transport=tcp',
  domain: '127.0.0.1',
  username: 'widgets',
  authUser: '',
  password: 'widgets-secret',
  displayName: 'Contact Widgets',
  outboundProxy: '',
  registerIntervalS: 60,
  ...over,
});

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Waits until the connector reports a status that fits. */
function statusWhere(c: SipConnector, pred: (s: ConnectorStatus) => boolean, timeoutMs = 15_000): Promise<ConnectorStatus> {
  if (pred(c.status())) return Promise.resolve(c.status());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (off(), reject(new Error(`status stayed ${JSON.stringify(c.status())}`))), timeoutMs);
    const off = c.onStatus((s) => {
      if (pred(s)) (clearTimeout(t), off(), resolve(s));
    });
  });
}

function presenceOf(c: SipConnector, key: string, want: PhonePresence, timeoutMs = 10_000): Promise<void> {
  if (c.presenceOf(key) === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (off(), reject(new Error(`presence of ${key} stayed ${c.presenceOf(key)}, wanted ${want}`))), timeoutMs);
    const off = c.onPresence((k, p) => {
      if (k === key && p === want) (clearTimeout(t), off(), resolve());
    });
  });
}

describe.skipIf(!ok)('SIP connector against Kamailio and baresip', () => {
  let pbx: Kamailio;
  let desk: Phone; // plain RTP, answers by itself
  let ringer: Phone; // plain RTP, rings until told
  let agent: Phone; // publishes presence; makes calls of its own
  let echo: Proc;
  let decline: Proc;
  let c: SipConnector;

  beforeAll(async () => {
    pbx = await startKamailio();
    echo = startSipp(5096, 'answer.xml');
    decline = startSipp(5097, 'decline.xml');
    desk = new Phone({ user: 'desk', sipPort: 5071, ctrlPort: 4445, media: 'plain', contacts: ['sip:widgets@127.0.0.1'] });
    ringer = new Phone({ user: 'ringer', sipPort: 5074, ctrlPort: 4446, media: 'plain', answer: 'manual' });
    agent = new Phone({ user: 'agent', sipPort: 5077, ctrlPort: 4447, media: 'plain', publish: true });
    await Promise.all([desk.start(), ringer.start(), agent.start()]);
    c = new SipConnector({ logger });
    await c.configure(account());
    await statusWhere(c, (s) => s.state === 'registered');
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    for (const p of [desk, ringer, agent]) if (p) (await p.stop(), p.cleanup());
    await echo?.stop();
    await decline?.stop();
    await pbx?.stop();
  });

  it('registers with digest authentication over UDP, TCP and WebSocket', async () => {
    expect(c.status()).toMatchObject({ state: 'registered', reason: '' });
    for (const registrar of ['sip:127.0.0.1;transport=udp', 'ws://127.0.0.1:8088']) {
      const other = new SipConnector({ logger });
      try {
        await other.configure(account({ registrar }));
        const s = await statusWhere(other, (x) => x.state !== 'registering');
        expect(s, registrar).toMatchObject({ state: 'registered', reason: '' });
        expect(s.since).toBeGreaterThan(0);
      } finally {
        await other.close();
      }
    }
  });

  it('reports the PBX answer when the password is wrong (403 Forbidden), and a transport error when nothing listens', async () => {
    const bad = new SipConnector({ logger });
    try {
      await bad.configure(account({ password: 'wrong' }));
      expect(await statusWhere(bad, (s) => s.state === 'failed')).toMatchObject({ state: 'failed', reason: '403 Forbidden' });
      await bad.configure(account({ registrar: 'sip:127.0.0.1:5999;transport=tcp' }));
      const s = await statusWhere(bad, (x) => x.state === 'failed');
      expect(s.reason).toMatch(/^transport: .*ECONNREFUSED/);
    } finally {
      await bad.close();
    }
    expect((await new SipConnector({ logger }).status()).state).toBe('off');
  });

  it('calls a phone that answers: the answer SDP arrives, the phone hangs up, the call ends with hangup', async () => {
    const mark = desk.mark();
    const call = c.call('desk', OFFER, { callerName: 'Mary Visitor' });
    const answer = await new Promise<string>((resolve, reject) => {
      call.onAnswer(resolve);
      call.onEnd((e) => reject(new Error(`ended: ${JSON.stringify(e)}`)));
    });
    expect(answer).toMatch(/^v=0/);
    expect(answer).toMatch(/m=audio \d+ RTP\/AVP/);
    const established = await desk.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    expect(established.peerdisplayname).toBe('Mary Visitor');
    const ended = new Promise<SipCallEnd>((r) => call.onEnd(r));
    await desk.command('hangup');
    expect(await ended).toMatchObject({ cause: 'hangup', by: 'remote' });
  });

  it('hangs up a connected call with BYE; the phone sees the end', async () => {
    const mark = desk.mark();
    const call = c.call('desk', OFFER);
    await new Promise<void>((resolve) => call.onAnswer(() => resolve()));
    await desk.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    call.hangup();
    await desk.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
    expect(call.state).toBe('ended');
  });

  it('maps ringing to progress, and CANCEL stops the phone ringing', async () => {
    const mark = ringer.mark();
    const call = c.call('ringer', OFFER);
    const code = await new Promise<number>((r) => call.onProgress((x) => r(x)));
    expect(code).toBe(180);
    await ringer.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
    const ended = new Promise<SipCallEnd>((r) => call.onEnd(r));
    call.hangup();
    expect(await ended).toMatchObject({ cause: 'cancelled', by: 'local' });
    await ringer.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
  });

  it('ends with no-answer after the ring timeout and stops the ringing', async () => {
    const mark = ringer.mark();
    const call = c.call('ringer', OFFER, { ringTimeoutMs: 1500 });
    await ringer.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
    expect(await new Promise<SipCallEnd>((r) => call.onEnd(r))).toMatchObject({ cause: 'no-answer' });
    await ringer.waitEvent((e) => e.type === 'CALL_CLOSED', mark);
  });

  it('maps the phone rejecting (486), 603, and an unknown number (404) to busy, rejected, unavailable', async () => {
    const mark = ringer.mark();
    const rejected = c.call('ringer', OFFER);
    await ringer.waitEvent((e) => e.type === 'CALL_INCOMING', mark);
    const r1 = new Promise<SipCallEnd>((r) => rejected.onEnd(r));
    await ringer.command('hangup');
    expect(await r1).toMatchObject({ cause: 'busy', code: 486, by: 'remote' });

    const declined = await new Promise<SipCallEnd>((r) => c.call('decline', OFFER).onEnd(r));
    expect(declined).toMatchObject({ cause: 'rejected', code: 603 });

    const nobody = await new Promise<SipCallEnd>((r) => c.call('nobody-here', OFFER).onEnd(r));
    expect(nobody).toMatchObject({ cause: 'unavailable', code: 404 });
  });

  it('carries SIP MESSAGE both ways', async () => {
    const mark = desk.proc.mark();
    const sent = await c.message('desk', 'Mary Visitor: Hello from the website', { callerName: 'Mary Visitor' });
    expect(sent).toMatchObject({ ok: true, code: 200 });
    await desk.proc.waitFor(/sip:widgets@127\.0\.0\.1: "Mary Visitor: Hello from the website"/, mark);

    const got = new Promise<IncomingSipMessage>((r) => {
      const off = c.onMessage((m) => (off(), r(m)));
    });
    const res = await desk.command('message', 'Hi Mary, how can I help?');
    expect(res.ok).toBe(true);
    expect(await got).toMatchObject({ user: 'desk', text: 'Hi Mary, how can I help?' });
  });

  it('follows a phone: registered → online, in a call → busy, away → away, offline, unregistered → offline', async () => {
    c.watch('agent', 'agent');
    await presenceOf(c, 'agent', 'online');
    expect(c.status().presence).toBe('supported');

    // A call of its own, not through us.
    const mark = agent.mark();
    await agent.command('dial', 'sip:echo@127.0.0.1');
    await agent.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    await presenceOf(c, 'agent', 'busy');
    await agent.command('hangup');
    await presenceOf(c, 'agent', 'online');

    const etag = await publishPidf('agent', { basic: 'open', activity: 'away', expires: 30 });
    await presenceOf(c, 'agent', 'away');
    await publishPidf('agent', { basic: 'open', expires: 30, etag });
    await presenceOf(c, 'agent', 'online');

    await agent.stop();
    await presenceOf(c, 'agent', 'offline');
    await agent.start();
    await presenceOf(c, 'agent', 'online');
  });

  it('survives a Kamailio restart: the call on it ends with failed, it registers again and a new call works', async () => {
    const mark = desk.mark();
    const call = c.call('desk', OFFER);
    await new Promise<void>((resolve) => call.onAnswer(() => resolve()));
    await desk.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark);
    const ended = new Promise<SipCallEnd>((r) => call.onEnd(r));
    await pbx.restart();
    expect(await ended).toMatchObject({ cause: 'failed', by: 'network' });
    await desk.command('hangup');
    expect(c.status().state).not.toBe('registered');
    await statusWhere(c, (s) => s.state === 'registered', 30_000);
    // Kamailio keeps registrations in memory: the phone registers again (its own refresh would take minutes).
    const mark2 = desk.mark();
    await desk.stop();
    await desk.start();
    const again = c.call('desk', OFFER);
    const answer = await new Promise<string>((resolve, reject) => {
      again.onAnswer(resolve);
      again.onEnd((e) => reject(new Error(JSON.stringify(e))));
    });
    expect(answer).toMatch(/^v=0/);
    await desk.waitEvent((e) => e.type === 'CALL_ESTABLISHED', mark2);
    again.hangup();
  }, 60_000);
});
