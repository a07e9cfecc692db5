/**
 * Issue 11 finding 4, as the attack was run: 2,000 visitor sockets from one
 * address that never send Start were all accepted and lived forever; a plain
 * TCP connection that sends nothing was never closed; there was no ping/pong,
 * so a peer that vanished without a FIN held its socket. Now: a cap per
 * address, a Start deadline, heartbeats, and HTTP idle/header timeouts.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, WsClient, type TestServer } from '@cw/testkit';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

/** Opens a raw visitor socket; resolves 'open', or 'refused' when the server will not have it. */
function openRaw(s: TestServer, from: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; outcome: 'open' | 'refused'; closed: Promise<number> }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${s.wsUrl}/ws/widget`, { localAddress: from, headers });
    // Listened for from the start: the deadline may close it before the test looks.
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.once('open', () => resolve({ ws, outcome: 'open', closed }));
    ws.once('error', () => resolve({ ws, outcome: 'refused', closed }));
  });
}

function silentTcp(port: number, from: string): Promise<{ closedAfterMs: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = net.connect({ port, host: '127.0.0.1', localAddress: from });
    c.on('error', () => {});
    c.on('close', () => resolve({ closedAfterMs: performance.now() - t0 }));
  });
}

describe('idle and excess connections', () => {
  it('2,000 sockets from one address: the cap (MAX_CONNECTIONS_PER_IP, default 1,000) refuses the excess; another address is unaffected', async () => {
    const s = await server({ WS_START_TIMEOUT_S: '0' });
    // Opened in waves (the listen backlog would otherwise drop SYNs and make the client wait for retries); all stay open.
    const all: Awaited<ReturnType<typeof openRaw>>[] = [];
    for (let i = 0; i < 2000; i += 250) all.push(...(await Promise.all(Array.from({ length: 250 }, () => openRaw(s, '127.0.0.2')))));
    const opened = all.filter((a) => a.outcome === 'open');
    console.log(`[security] 2,000 idle sockets from one address: ${opened.length} accepted, ${all.length - opened.length} refused (before the fix: 2,000 accepted)`);
    expect(opened).toHaveLength(1000);
    expect(s.app.connectionCap.count('127.0.0.2')).toBe(1000);
    expect(s.app.connectionCap.refused).toBe(1000);
    const other = await openRaw(s, '127.0.0.3');
    expect(other.outcome).toBe('open');
    for (const a of [...opened, other]) a.ws.terminate();
    await expect.poll(() => s.app.connectionCap.count('127.0.0.2')).toBe(0);
  }, 60_000);

  it('sockets that never send Start are closed at the Start deadline; one that starts stays', async () => {
    const s = await server({ WS_START_TIMEOUT_S: '1' });
    const t0 = performance.now();
    const idle = await Promise.all(Array.from({ length: 300 }, () => openRaw(s, '127.0.0.2')));
    const started = await WsClient.connect(`${s.wsUrl}/ws/widget`);
    started.send({ mt: 'Start', uuid: 'no-such-widget-but-a-start' });
    const closes = await Promise.all(idle.map((a) => a.closed));
    console.log(`[security] 300 sockets without Start: all closed (${[...new Set(closes)]}) within ${(performance.now() - t0).toFixed(0)} ms (WS_START_TIMEOUT_S=1; before: never)`);
    expect(new Set(closes)).toEqual(new Set([1008]));
    await expect.poll(() => s.app.connectionCap.count('127.0.0.2')).toBe(0);
    // The one that sent Start was answered (here: unknown-widget), not cut for silence.
    expect(await started.next('Error')).toMatchObject({ code: 'unknown-widget' });
  });

  it('a plain TCP connection that sends nothing is closed after the idle timeout', async () => {
    const s = await server({ HTTP_IDLE_TIMEOUT_S: '1' });
    const r = await silentTcp(s.port, '127.0.0.2');
    console.log(`[security] silent TCP connection closed after ${r.closedAfterMs.toFixed(0)} ms (HTTP_IDLE_TIMEOUT_S=1; before: never)`);
    expect(r.closedAfterMs).toBeGreaterThan(900);
  });

  it('headers that trickle in (slowloris) are cut at the headers timeout', async () => {
    const s = await server({ HTTP_HEADERS_TIMEOUT_S: '1' });
    const t0 = performance.now();
    const c = net.connect({ port: s.port, host: '127.0.0.1' });
    c.on('error', () => {});
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => c.writable && c.write('X-Drip: 1\r\n'), 200);
    await new Promise((r) => c.on('close', r));
    clearInterval(drip);
    const ms = performance.now() - t0;
    console.log(`[security] slow headers cut after ${ms.toFixed(0)} ms (HTTP_HEADERS_TIMEOUT_S=1)`);
    expect(ms).toBeGreaterThan(900);
  });

  it('a peer that stops answering pings is dropped; a live one stays through idle and request timeouts', async () => {
    const s = await server({ WS_PING_INTERVAL_S: '0.3', HTTP_IDLE_TIMEOUT_S: '0.5', HTTP_REQUEST_TIMEOUT_S: '0.5', WS_START_TIMEOUT_S: '0' });
    const dead = new WebSocket(`${s.wsUrl}/ws/widget`, { autoPong: false });
    const live = new WebSocket(`${s.wsUrl}/ws/widget`);
    await Promise.all([dead, live].map((w) => new Promise((r) => w.once('open', r))));
    let livePings = 0;
    live.on('ping', () => livePings++);
    const t0 = performance.now();
    const code = await new Promise<number>((r) => dead.once('close', (c) => r(c)));
    console.log(`[security] a peer that does not answer pings was dropped after ${(performance.now() - t0).toFixed(0)} ms (close ${code}; ping every 0.3 s)`);
    expect(code).toBe(1006); // terminated: no close handshake with a dead peer
    // The live socket answered every ping and stays open beyond the HTTP idle and request timeouts.
    await expect.poll(() => livePings, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.close();
  });

  it('behind a trusted proxy the cap counts WebSockets per forwarded client address', async () => {
    const s = await server({ TRUST_PROXY: '127.0.0.2', MAX_CONNECTIONS_PER_IP: '5' });
    const xff = (ip: string) => ({ 'x-forwarded-for': ip });
    const a = await Promise.all(Array.from({ length: 7 }, () => openRaw(s, '127.0.0.2', xff('203.0.113.1'))));
    expect(a.filter((x) => x.outcome === 'open')).toHaveLength(5);
    const b = await openRaw(s, '127.0.0.2', xff('203.0.113.2'));
    expect(b.outcome).toBe('open');
    for (const x of [...a, b]) x.ws.terminate();
    await expect.poll(() => s.app.connectionCap.count('203.0.113.1')).toBe(0);
  });
});
