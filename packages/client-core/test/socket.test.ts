/** JsonSocket against a fake WebSocket: typed delivery, what is dropped, reconnect and its policy, fatal closes, a throwing listener. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentOutbound } from '@cw/protocol';
import { JsonSocket, type AgentSocket } from '../src/socket.js';
import { FakeWebSocket } from './fakes/fake-web-socket.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const every = (ms: number) => ({ nextDelayMs: (attempt: number) => (attempt < 2 ? ms : null) });

describe('JsonSocket', () => {
  it('delivers JSON objects with a string mt, drops everything else, and sends only while open', () => {
    const sock: AgentSocket = new JsonSocket('ws://x/ws/agent');
    const got: AgentOutbound[] = [];
    sock.on('message', (m) => got.push(m));
    expect(sock.send({ mt: 'SetPresence', presence: 'online' })).toBe(false);
    sock.connect();
    const ws = FakeWebSocket.all[0]!;
    ws.open();
    for (const data of ['not json', '[1]', '{"no":"mt"}', '{"mt":7}', new ArrayBuffer(2), '{"mt":"Presence","presence":"away","visible":"away"}']) ws.onmessage!({ data });
    expect(got).toEqual([{ mt: 'Presence', presence: 'away', visible: 'away' }]);
    expect(sock.send({ mt: 'SetPresence', presence: 'online' })).toBe(true);
    expect(ws.sent).toEqual([{ mt: 'SetPresence', presence: 'online' }]);
  });

  it('reconnects after the policy delay, tells open(reconnect) apart, and gives up when the policy says so', () => {
    const sock = new JsonSocket('ws://x/', { policy: every(1000) });
    const opens: boolean[] = [];
    const closes: [number, boolean][] = [];
    sock.on('open', (again) => opens.push(again));
    sock.on('close', (code, willRetry) => closes.push([code, willRetry]));
    sock.connect();
    FakeWebSocket.all[0]!.open();
    FakeWebSocket.all[0]!.close(1006);
    vi.advanceTimersByTime(999);
    expect(FakeWebSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    FakeWebSocket.all[1]!.open();
    expect(opens).toEqual([false, true]);
    // An open resets the attempts: two more losses, the second one final.
    FakeWebSocket.all[1]!.close(1006);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.all[2]!.close(1006);
    vi.advanceTimersByTime(1000);
    FakeWebSocket.all[3]!.close(1006);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(4);
    expect(closes.map(([, retry]) => retry)).toEqual([true, true, true, false]);
  });

  it('does not retry after a policy close (1008) or close(); retryNow skips the wait', () => {
    const sock = new JsonSocket('ws://x/', { policy: every(5000) });
    const closes: boolean[] = [];
    sock.on('close', (_code, willRetry) => closes.push(willRetry));
    sock.connect();
    FakeWebSocket.all[0]!.close(1008);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
    sock.connect();
    FakeWebSocket.all[1]!.close(1006);
    sock.retryNow();
    expect(FakeWebSocket.all).toHaveLength(3);
    sock.close();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(3);
    expect(closes).toEqual([false, true, false]);
  });

  it('after rate-limited and the 1008 close it comes back after the pause, which retryNow does not cut short', () => {
    const sock = new JsonSocket('ws://x/', { policy: every(1000), rateLimitPauseMs: 7000 });
    const closes: [number, boolean][] = [];
    sock.on('close', (code, willRetry) => closes.push([code, willRetry]));
    sock.connect();
    FakeWebSocket.all[0]!.open();
    FakeWebSocket.all[0]!.onmessage!({ data: '{"mt":"Error","code":"rate-limited","text":"Too many messages.","ref":null}' });
    FakeWebSocket.all[0]!.close(1008);
    expect(closes).toEqual([[1008, true]]);
    sock.retryNow();
    vi.advanceTimersByTime(6999);
    expect(FakeWebSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.all).toHaveLength(2);
    // The mark is used up: a later policy close without rate-limited is final again.
    FakeWebSocket.all[1]!.open();
    FakeWebSocket.all[1]!.close(1008);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(2);
    expect(closes).toEqual([
      [1008, true],
      [1008, false],
    ]);
  });

  it('with rateLimitPauseMs null a rate-limited close is final; close() during the pause stops it', () => {
    const final = new JsonSocket('ws://x/', { rateLimitPauseMs: null });
    final.connect();
    FakeWebSocket.all[0]!.onmessage!({ data: '{"mt":"Error","code":"rate-limited","text":"","ref":null}' });
    FakeWebSocket.all[0]!.close(1008);
    const paused = new JsonSocket('ws://x/', { rateLimitPauseMs: 1000 });
    paused.connect();
    FakeWebSocket.all[1]!.onmessage!({ data: '{"mt":"Error","code":"rate-limited","text":"","ref":null}' });
    FakeWebSocket.all[1]!.close(1008);
    paused.close();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(2);
  });

  it('a throwing listener does not keep the others from the message', () => {
    const sock = new JsonSocket('ws://x/');
    const seen: string[] = [];
    sock.on('message', () => {
      throw new Error('listener bug');
    });
    const off = sock.on('message', (m) => seen.push(m.mt));
    sock.connect();
    FakeWebSocket.all[0]!.open();
    FakeWebSocket.all[0]!.onmessage!({ data: '{"mt":"Welcome"}' });
    expect(seen).toEqual(['Welcome']);
    off();
    FakeWebSocket.all[0]!.onmessage!({ data: '{"mt":"Welcome"}' });
    expect(seen).toEqual(['Welcome']);
    expect(() => vi.runAllTimers()).toThrow('listener bug');
  });
});
