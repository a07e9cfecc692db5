/**
 * Webhooks end to end over real sockets: a receiver started by the test gets
 * signed deliveries of real chats and calls; it goes down while more happen,
 * the deliveries are retried, and once it is back every event arrives
 * exactly once, in order per chat and per call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type WsClient } from '@cw/testkit';
import { DOMAIN_TOPIC } from '../src/bus/types.js';
import { verifySignature } from '../src/webhooks/signature.js';
import { WEBHOOK_EVENTS } from '../src/webhooks/events.js';
import { entry, makeCrew, makeWidget, online, setPresence, visitor, type AgentUser } from './protocol-fixtures.js';
import type { WidgetRecord } from '../src/storage/types.js';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';
const SECRET = 'whsec_test_secret';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; event: string; ts: number; data: any };
}

/** An HTTP receiver on a fixed loopback port that can go down (connections refused) and come back. */
class Receiver {
  readonly got: Received[] = [];
  #server?: http.Server;
  #waiters: { pred: () => boolean; resolve: () => void }[] = [];
  port = 0;

  async up(): Promise<void> {
    this.#server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        this.got.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        res.writeHead(204).end();
        this.#check();
      });
    });
    await new Promise<void>((r) => this.#server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const srv = this.#server!;
    this.#server = undefined;
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Resolves when `pred` holds (checked after every delivery). */
  until(pred: () => boolean, ms = 15_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`receiver: condition not met within ${ms} ms; got ${this.got.map((g) => g.body.event).join(', ')}`)), ms);
      this.#waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }

  of(key: (b: Received['body']) => string | undefined, id: string): Received[] {
    return this.got.filter((g) => key(g.body) === id);
  }
}

let s: TestServer;
let atlantis: AgentUser;
let w: WidgetRecord;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.up();
  // Retries every 50 ms (doubling up to the cap) so that the test does not wait minutes.
  s = await startTestServer({ env: { WEBHOOK_RETRY_BASE_S: '0.05', WEBHOOK_TIMEOUT_S: '2' } });
  ({ atlantis } = await makeCrew(s));
  w = await makeWidget(s, [entry('atlantis')]);
  await s.storage.webhooks.create({ url: receiver.url, secret: SECRET, events: [...WEBHOOK_EVENTS], active: true, description: 'test receiver' });
  s.bus.publish(DOMAIN_TOPIC, { t: 'webhooks-changed' });
});

afterAll(async () => {
  await s?.close();
  await receiver.down().catch(() => undefined);
});

/** A chat from request to end, with two messages each way; returns the chat id. */
async function chat(v: WsClient, a: WsClient, name: string): Promise<string> {
  v.send({ mt: 'ChatStart', dest: 'atlantis', dn: name, email: 'v@example.com' });
  const chatId = (await v.next((m) => m.mt === 'ChatInfo' && m.state === 'waiting')).chat as string;
  await a.next((m) => m.mt === 'ChatOffer' && m.chat === chatId);
  a.send({ mt: 'ChatAccept', chat: chatId });
  await v.next((m) => m.mt === 'ChatInfo' && m.chat === chatId && m.state === 'accepted');
  v.send({ mt: 'ChatMessage', chat: chatId, cid: `${name}-1`, text: `Hello from ${name}` });
  await v.next((m) => m.mt === 'ChatAck' && m.cid === `${name}-1`);
  a.send({ mt: 'ChatMessage', chat: chatId, cid: `${name}-a1`, text: 'Hi, how can I help?' });
  await a.next((m) => m.mt === 'ChatAck' && m.cid === `${name}-a1`);
  v.send({ mt: 'ChatEnd', chat: chatId });
  await v.next((m) => m.mt === 'ChatInfo' && m.chat === chatId && m.state === 'closed');
  return chatId;
}

/** A call that rings, is answered and is hung up by the visitor; returns the call id. */
async function call(v: WsClient, a: WsClient): Promise<string> {
  v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Caller', video: false });
  v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
  const inc = await a.next('IncomingCall');
  a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
  await v.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
  await a.next((m) => m.mt === 'CallInfo' && m.state === 'connected');
  v.send({ mt: 'ClearCall' });
  await v.next((m) => m.mt === 'CallInfo' && m.state === 'terminated');
  return inc.call as string;
}

const chatOf = (b: Received['body']) => (b.event.startsWith('chat.') ? b.data.chat.id : undefined);
const callOf = (b: Received['body']) => (b.event.startsWith('call.') ? b.data.call.id : undefined);

describe('webhook deliveries', () => {
  it('are signed, survive a receiver that is down, and arrive exactly once in order per chat and call', async () => {
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);

    // 1. The receiver is up.
    const chat1 = await chat(v, a, 'Vera');
    await receiver.until(() => receiver.of(chatOf, chat1).length === 2);

    // 2. The receiver is down while a call, another chat and presence changes happen.
    await receiver.down();
    const failures: string[] = [];
    const off = s.app.webhooks.dispatcher.onAttempt((o) => void (!o.ok && failures.push(o.delivery)));
    const call1 = await call(v, a);
    const chat2 = await chat(v, a, 'Walter');
    await setPresence(a, 'away');
    await setPresence(a, 'online');
    // Wait until deliveries have failed and been retried (the same delivery more than once).
    await new Promise<void>((resolve) => {
      const check = s.app.webhooks.dispatcher.onAttempt(() => {
        if (new Set(failures).size >= 3 && failures.length > new Set(failures).size) {
          check();
          resolve();
        }
      });
    });
    off();
    const pendingWhileDown = await s.storage.webhooks.countPending();
    expect(pendingWhileDown).toBeGreaterThanOrEqual(3 + 2 + 2);

    // 3. The receiver is back on the same port: everything arrives.
    await receiver.up();
    await receiver.until(() => receiver.of(callOf, call1).length === 3 && receiver.of(chatOf, chat2).length === 2);
    await s.app.webhooks.queue.settled();
    const until = Date.now() + 10_000;
    while ((await s.storage.webhooks.countPending()) > 0 && Date.now() < until) await new Promise<void>((r) => s.app.webhooks.dispatcher.onAttempt(() => r()));
    expect(await s.storage.webhooks.countPending()).toBe(0);

    // Exactly once: no delivery id twice, and every stored delivery arrived.
    const ids = receiver.got.map((g) => g.body.id);
    expect(new Set(ids).size).toBe(ids.length);
    const hook = (await s.storage.webhooks.list())[0]!;
    const stored = await s.storage.webhooks.listDeliveries(hook.id, 1000);
    expect(stored.every((d) => d.state === 'delivered')).toBe(true);
    expect(stored.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(stored.some((d) => d.attempts > 1)).toBe(true);

    // Signed, with the headers of spec section 12.
    for (const g of receiver.got) {
      expect(verifySignature(SECRET, String(g.headers['x-cw-signature']), g.raw)).toBe(true);
      expect(verifySignature('whsec_other', String(g.headers['x-cw-signature']), g.raw)).toBe(false);
      expect(g.headers['x-cw-event']).toBe(g.body.event);
      expect(g.headers['x-cw-delivery']).toBe(g.body.id);
      expect(g.headers['content-type']).toBe('application/json');
      expect(Object.keys(g.body).sort()).toEqual(['data', 'event', 'id', 'ts']);
    }

    // In order per chat and per call.
    expect(receiver.of(chatOf, chat1).map((g) => g.body.event)).toEqual(['chat.started', 'chat.ended']);
    expect(receiver.of(chatOf, chat2).map((g) => g.body.event)).toEqual(['chat.started', 'chat.ended']);
    expect(receiver.of(callOf, call1).map((g) => g.body.event)).toEqual(['call.started', 'call.answered', 'call.ended']);

    // What the payloads carry.
    const [started, answered, ended] = receiver.of(callOf, call1).map((g) => g.body.data);
    expect(started.call).toMatchObject({ id: call1, widget: { uuid: w.uuid, name: 'Sales' }, dest: 'atlantis', video: false, visitor: { name: 'Caller' } });
    expect(answered.agent).toEqual({ id: atlantis.user.id, sipId: 'atlantis', displayName: 'Atlantis' });
    expect(ended).toMatchObject({ cause: 'visitor-hangup', answered: true, agent: { sipId: 'atlantis' } });
    expect(ended.durationMs).toBeGreaterThanOrEqual(0);
    const chatEnded = receiver.of(chatOf, chat2)[1]!.body.data;
    expect(chatEnded.chat).toMatchObject({ id: chat2, visitor: { name: 'Walter', email: 'v@example.com' }, agent: { sipId: 'atlantis' }, endedBy: 'visitor' });
    expect(chatEnded.transcript.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([
      ['visitor', 'Hello from Walter'],
      ['agent', 'Hi, how can I help?'],
    ]);
    const presence = receiver.got.filter((g) => g.body.event === 'presence.changed').map((g) => g.body.data.presence);
    expect(presence.slice(-2)).toEqual(['away', 'online']);
    await v.close();
    await a.close();
  });

  it('delivers nothing for events no webhook subscribes to, and nothing to inactive webhooks', async () => {
    const hook = (await s.storage.webhooks.list())[0]!;
    await s.storage.webhooks.update(hook.id, { events: ['call.started'] });
    s.bus.publish(DOMAIN_TOPIC, { t: 'webhooks-changed' });
    const before = receiver.got.length;
    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    await chat(v, a, 'Xaver');
    const call2 = await call(v, a);
    await receiver.until(() => receiver.of(callOf, call2).length === 1);
    expect(receiver.got.slice(before).map((g) => g.body.event)).toEqual(['call.started']);

    await s.storage.webhooks.update(hook.id, { active: false });
    s.bus.publish(DOMAIN_TOPIC, { t: 'webhooks-changed' });
    await call(v, a);
    await s.app.webhooks.queue.settled();
    expect(await s.storage.webhooks.countPending()).toBe(0);
    expect(receiver.got.length).toBe(before + 1);
    await v.close();
    await a.close();
  });
});
