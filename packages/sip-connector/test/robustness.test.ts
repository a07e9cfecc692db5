/**
 * The connector over UDP against a scripted peer: retransmission when
 * datagrams are lost, a retransmitted request answered once, and garbage or
 * odd answers that must be logged and dropped — never a crash, never a call
 * left ringing.
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipConnector, type IncomingSipMessage, type SipCallEnd } from '../src/index.js';
import { FakePbx, type Received } from './fake-pbx.js';

const warnings: string[] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_o: object, msg?: string) => void warnings.push(msg ?? ''),
  error: (_o: object, msg?: string) => void warnings.push(`ERROR ${msg}`),
};

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

let pbx: FakePbx;
let c: SipConnector;

async function registered(): Promise<void> {
  if (c.status().state === 'registered') return;
  await new Promise<void>((resolve) => {
    const off = c.onStatus((s) => s.state === 'registered' && (off(), resolve()));
  });
}

/** Where the connector listens (from the Via of what it sent). */
function connectorAddress(): { address: string; port: number } {
  return pbx.received[0].from;
}

beforeEach(async () => {
  warnings.length = 0;
  pbx = new FakePbx();
  await pbx.start();
  c = new SipConnector({ logger, backoff: { nextDelayMs: () => 200 } });
  return async () => {
    await c.close();
    pbx.close();
  };
});

async function configure(): Promise<void> {
  const port = pbx.sock.address().port;
  await c.configure({ registrar: `sip:127.0.0.1:${port}`, domain: '127.0.0.1', username: 'widgets', authUser: '', password: 'x', displayName: 'CW', outboundProxy: '', registerIntervalS: 300 });
}

describe('over UDP', () => {
  it('retransmits a request whose datagrams are lost (timer E) until it is answered', async () => {
    let seen = 0;
    pbx.handler = (r, p) => {
      if (r.req.method === 'REGISTER' && ++seen >= 3) p.reply(r, 200, 'OK');
    };
    await configure();
    await registered();
    const registers = pbx.received.filter((r) => r.req.method === 'REGISTER');
    expect(registers.length).toBe(3);
    expect(new Set(registers.map((r) => r.req.viaBranch)).size).toBe(1);
  });

  it('answers a retransmitted MESSAGE again without delivering it twice', async () => {
    await configure();
    await registered();
    const got: IncomingSipMessage[] = [];
    c.onMessage((m) => got.push(m));
    const branch = `z9hG4bK${crypto.randomBytes(6).toString('hex')}`;
    const to = connectorAddress();
    const message = [
      `MESSAGE sip:widgets@127.0.0.1:${to.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${pbx.sock.address().port};branch=${branch}`,
      'Max-Forwards: 70',
      'From: "Desk" <sip:desk@127.0.0.1>;tag=abc',
      'To: <sip:widgets@127.0.0.1>',
      'Call-ID: retrans-1',
      'CSeq: 7 MESSAGE',
      'Content-Type: text/plain',
      'Content-Length: 5',
      '',
      'hello',
    ].join('\r\n');
    const answers: string[] = [];
    pbx.sock.on('message', (b) => b.toString().startsWith('SIP/2.0 200') && b.toString().includes('retrans-1') && answers.push(b.toString()));
    pbx.send(message, to);
    await expect.poll(() => answers.length).toBe(1);
    pbx.send(message, to);
    await expect.poll(() => answers.length).toBe(2);
    expect(got.map((m) => [m.user, m.displayName, m.text])).toEqual([['desk', 'Desk', 'hello']]);
  });

  it('drops garbage, huge headers and broken messages, logs them, and keeps working', async () => {
    await configure();
    await registered();
    const to = connectorAddress();
    pbx.send(crypto.randomBytes(300), to);
    pbx.send('INVITE what\r\n\r\n', to);
    pbx.send(`OPTIONS sip:widgets@127.0.0.1 SIP/2.0\r\nX-Huge: ${'a'.repeat(60_000)}\r\n\r\n`, to);
    pbx.send('SIP/2.0 999 Strange\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnope\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n', to);
    pbx.send('SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n', to);
    pbx.send('BYE sip:widgets@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx1\r\nTo: <sip:a@b>;tag=9\r\nCSeq: 1 BYE\r\n\r\n', to);
    pbx.send('NOTIFY sip:widgets@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx2\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: q\r\nCSeq: 1 NOTIFY\r\nContent-Length: 500\r\n\r\nshort', to);
    await expect.poll(() => warnings.length).toBeGreaterThan(0);
    expect(warnings.some((w) => w.startsWith('ERROR'))).toBe(false);
    expect(c.status().state).toBe('registered');
    const sent = await c.message('desk', 'still here');
    expect(sent).toMatchObject({ ok: true, code: 200 });
  });
});

describe('odd answers to a call never leave it ringing', () => {
  const endOf = (call: ReturnType<SipConnector['call']>) => new Promise<SipCallEnd>((r) => call.onEnd(r));

  it('200 OK without SDP: ACK, BYE and the call ends with error', async () => {
    pbx.handler = (r, p) => {
      if (r.req.method === 'INVITE') p.reply(r, 200, 'OK', { extra: [`Contact: <sip:phone@127.0.0.1:${p.sock.address().port}>`] });
      else if (r.req.method !== 'ACK') p.reply(r, 200, 'OK');
    };
    await configure();
    await registered();
    expect(await endOf(c.call('phone', OFFER))).toMatchObject({ cause: 'error' });
    await pbx.waitFor((r) => r.req.method === 'ACK');
    await pbx.waitFor((r) => r.req.method === 'BYE');
  });

  it('ringing (180) without a final answer ends with no-answer at the ring timeout and is cancelled', async () => {
    pbx.handler = (r: Received, p) => {
      if (r.req.method === 'INVITE' && !p.received.some((x) => x !== r && x.req.method === 'INVITE' && x.req.viaBranch === r.req.viaBranch))
        p.reply(r, 180, 'Ringing', { extra: [`Contact: <sip:phone@127.0.0.1:${p.sock.address().port}>`] });
      else if (r.req.method === 'CANCEL') {
        p.reply(r, 200, 'OK');
        const invite = p.received.find((x) => x.req.method === 'INVITE')!;
        p.reply(invite, 487, 'Request Terminated');
      } else if (r.req.method === 'REGISTER') p.reply(r, 200, 'OK');
    };
    await configure();
    await registered();
    const call = c.call('phone', OFFER, { ringTimeoutMs: 800 });
    const progress = new Promise<number>((r) => call.onProgress(r));
    expect(await progress).toBe(180);
    expect(await endOf(call)).toMatchObject({ cause: 'no-answer' });
    await pbx.waitFor((r) => r.req.method === 'CANCEL');
    await pbx.waitFor((r) => r.req.method === 'ACK');
  });

  it('a strange final status and a redirect end the call as unavailable', async () => {
    let n = 0;
    pbx.handler = (r, p) => {
      if (r.req.method === 'INVITE') {
        if (p.received.filter((x) => x.req.method === 'INVITE' && x.req.viaBranch === r.req.viaBranch).length > 1) return;
        if (n++ === 0) p.reply(r, 499, 'Something Odd');
        else p.reply(r, 302, 'Moved', { extra: ['Contact: <sip:elsewhere@127.0.0.1>'] });
      } else if (r.req.method !== 'ACK') p.reply(r, 200, 'OK');
    };
    await configure();
    await registered();
    expect(await endOf(c.call('phone', OFFER))).toMatchObject({ cause: 'unavailable', code: 499 });
    expect(await endOf(c.call('phone', OFFER))).toMatchObject({ cause: 'unavailable', code: 302 });
  });

  it('a call while the phone system is unreachable ends at once with failed', async () => {
    expect(await endOf(c.call('phone', OFFER))).toMatchObject({ cause: 'failed', by: 'network' });
  });
});
