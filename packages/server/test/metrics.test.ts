/**
 * GET /metrics: token rules, and the gauges and counters moving while a real
 * call and chat run over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '@cw/testkit';
import { entry, makeCrew, makeWidget, online, visitor, type AgentUser } from './protocol-fixtures.js';
import type { WidgetRecord } from '../src/storage/types.js';

const TOKEN = 'metrics-test-token-123';
const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n';
const ANSWER = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\n';

let s: TestServer;
let atlantis: AgentUser;
let w: WidgetRecord;

beforeAll(async () => {
  s = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
  ({ atlantis } = await makeCrew(s));
  w = await makeWidget(s, [entry('atlantis')]);
});
afterAll(async () => {
  await s?.close();
});

async function scrape(): Promise<string> {
  const r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

/** The value of one sample, e.g. value(text, 'cw_calls{state="connected"}'); undefined when absent. */
function value(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (line.slice(0, i) === sample) return Number(line.slice(i + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('needs the token', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('is not there without METRICS_TOKEN', async () => {
    const other = await startTestServer();
    try {
      expect((await fetch(`${other.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('moves with a real call and chat', async () => {
    const before = await scrape();
    for (const name of ['cw_visitor_sockets', 'cw_agent_sockets', 'cw_calls{state="connected"}', 'cw_calls{state="ringing"}', 'cw_chats{state="waiting"}', 'cw_webhook_queue_depth', 'cw_mail_queue_depth'])
      expect(value(before, name), name).toBe(0);
    expect(value(before, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(before).toMatch(/^process_resident_memory_bytes \d+/m);

    const a = await online(s, atlantis);
    const { c: v } = await visitor(s, w.uuid);
    v.send({ mt: 'CreateCall', dest: 'atlantis', dn: 'Caller', video: true });
    v.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: OFFER });
    const inc = await a.next('IncomingCall');
    let m = await scrape();
    expect(value(m, 'cw_visitor_sockets')).toBe(1);
    expect(value(m, 'cw_agent_sockets')).toBe(1);
    expect(value(m, 'cw_calls{state="ringing"}')).toBe(1);
    expect(value(m, 'cw_calls_started_total{media="video"}')).toBe(1);

    a.send({ mt: 'AcceptCall', call: inc.call, sdp: ANSWER });
    await v.next((x) => x.mt === 'CallInfo' && x.state === 'connected');
    m = await scrape();
    expect(value(m, 'cw_calls{state="ringing"}')).toBe(0);
    expect(value(m, 'cw_calls{state="connected"}')).toBe(1);

    // A chat beside the call: waiting, then messages relayed.
    v.send({ mt: 'ChatStart', dest: 'atlantis', dn: 'Caller' });
    const chat = (await v.next((x) => x.mt === 'ChatInfo' && x.state === 'waiting')).chat as string;
    m = await scrape();
    expect(value(m, 'cw_chats{state="waiting"}')).toBe(1);
    a.send({ mt: 'ChatAccept', chat });
    await v.next((x) => x.mt === 'ChatInfo' && x.state === 'accepted');
    v.send({ mt: 'ChatMessage', chat, cid: 'm1', text: 'Hello' });
    await v.next('ChatAck');
    m = await scrape();
    expect(value(m, 'cw_chats{state="waiting"}')).toBe(0);
    expect(value(m, 'cw_chats{state="accepted"}')).toBe(1);
    expect(value(m, 'cw_messages_relayed_total')).toBe(1);

    // Frames refused by the parser and by the size limit are counted.
    v.send({ mt: 'NoSuchMessage' });
    await v.next((x) => x.mt === 'Error' && x.code === 'bad-request');
    const big = new WebSocket(`${s.wsUrl}/ws/widget`);
    await new Promise((r) => big.once('open', r));
    const closed = new Promise<number>((r) => big.once('close', (code) => r(code)));
    big.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009);

    v.send({ mt: 'ClearCall' });
    await v.next((x) => x.mt === 'CallInfo' && x.state === 'terminated');
    m = await scrape();
    expect(value(m, 'cw_calls{state="connected"}')).toBe(0);
    expect(value(m, 'cw_calls_ended_total{cause="visitor-hangup"}')).toBe(1);
    expect(value(m, 'cw_frames_rejected_total{channel="visitor",reason="bad-request"}')).toBe(1);
    expect(value(m, 'cw_frames_rejected_total{channel="visitor",reason="too-large"}')).toBe(1);
    // HTTP answers are timed by route pattern (the scrapes above are GET /metrics).
    expect(value(m, 'cw_http_request_duration_seconds_count{method="GET",route="/metrics",status_code="200"}')).toBeGreaterThanOrEqual(5);

    await v.close();
    await a.close();
    // Sockets are counted down when they close.
    for (let i = 0; i < 50 && value(await scrape(), 'cw_visitor_sockets') !== 0; i++) await new Promise((r) => setImmediate(r));
    m = await scrape();
    expect(value(m, 'cw_visitor_sockets')).toBe(0);
  });
});
