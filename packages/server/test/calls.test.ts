/** CallManager as a state machine: fake clock, recording outbox, no sockets. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CallManager } from '../src/calls/call-manager.js';
import { WireError } from '../src/realtime/wire-error.js';
import type { CallLogRecord, CallLogRepo } from '../src/storage/types.js';
import { FakeClock, RecordingOutbox, silent } from './realtime-fakes.js';

class MemCallLog implements CallLogRepo {
  rows = new Map<string, CallLogRecord>();
  async create(c: Omit<CallLogRecord, 'id'> & { id?: string }) {
    const r = { ...c, id: c.id ?? `log${this.rows.size + 1}` };
    this.rows.set(r.id, r);
    return r;
  }
  async update(id: string, patch: Partial<CallLogRecord>) {
    const r = this.rows.get(id);
    if (!r) return false;
    Object.assign(r, patch);
    return true;
  }
  async get(id: string) {
    return this.rows.get(id);
  }
  async list() {
    return [...this.rows.values()];
  }
}

let clock: FakeClock;
let out: RecordingOutbox;
let log: MemCallLog;
let inCall: [string, boolean][];
let m: CallManager;
const consoles: Record<string, string[]> = { ann: ['a1', 'a2'], bob: ['b1'] };
const req = { widget: { uuid: 'w1', name: 'Sales' }, dest: 'ann', dn: 'Visitor', video: false };

beforeEach(() => {
  clock = new FakeClock();
  out = new RecordingOutbox();
  log = new MemCallLog();
  inCall = [];
  m = new CallManager({
    clock,
    ringTimeoutMs: 30_000,
    outbox: out,
    presence: { consolesOf: (u) => consoles[u] ?? [], handleCallState: (u, b) => void inCall.push([u, b]) },
    callLog: log,
    logger: silent,
  });
});

const ring = (targets = ['ann']) => {
  const id = m.handleCreateCall('v1', req, 'ring');
  m.handleChannels('v1', 'OFFER', targets);
  return id;
};

describe('CallManager', () => {
  it('rings every console after Channels, alerting once, first accept wins', async () => {
    const id = ring(['ann', 'bob']);
    expect(out.to('console:a1')[0]).toMatchObject({ mt: 'IncomingCall', call: id, sdp: 'OFFER', from: { dn: 'Visitor' }, widget: { uuid: 'w1', name: 'Sales' }, video: false, dest: 'ann' });
    expect(out.to('console:b1')).toHaveLength(1);
    expect(out.to('visitor:v1')).toEqual([{ mt: 'CallInfo', state: 'alerting' }]);
    m.handleAccept('b1', id, 'ANSWER');
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: 'ANSWER' });
    expect(out.to('console:b1')[1]).toEqual({ mt: 'CallInfo', call: id, state: 'connected' });
    expect(out.to('console:a1')[1]).toMatchObject({ state: 'terminated', cause: 'answered-elsewhere' });
    expect(out.to('console:a2')[1]).toMatchObject({ state: 'terminated', cause: 'answered-elsewhere' });
    expect(inCall).toEqual([['bob', true]]);
    expect(() => m.handleAccept('a1', id, 'X')).toThrow(/no such call/);
    // Ring timeout no longer applies.
    clock.advance(60_000);
    expect(out.to('visitor:v1')).toHaveLength(2);
    m.handleVisitorClear('v1');
    expect(out.to('console:b1')[2]).toMatchObject({ state: 'terminated', cause: 'remote-hangup' });
    expect(out.to('visitor:v1')[2]).toEqual({ mt: 'CallInfo', state: 'terminated' });
    expect(inCall).toEqual([['bob', true], ['bob', false]]);
    await m.settled();
    expect([...log.rows.values()][0]).toMatchObject({ agentUserId: 'bob', cause: 'visitor-hangup', answeredAt: clock.now() - 60_000 });
  });

  it('ring timeout: no-answer to visitor and consoles', () => {
    ring();
    clock.advance(29_999);
    expect(out.to('visitor:v1')).toHaveLength(1);
    clock.advance(1);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    expect(out.to('console:a1')[1]).toMatchObject({ cause: 'no-answer' });
    expect(m.hasCall('v1')).toBe(false);
  });

  it('rejected when every ringing console rejects', () => {
    const id = ring();
    m.handleReject('a1', id);
    expect(out.to('visitor:v1')).toHaveLength(1);
    m.handleReject('a2', id);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
    expect(out.to('console:a2')[1]).toMatchObject({ state: 'terminated', cause: 'rejected' });
  });

  it('busy and unavailable end at once; no console → unavailable after Channels', () => {
    m.handleCreateCall('v1', req, 'busy');
    expect(out.to('visitor:v1')).toEqual([{ mt: 'CallInfo', state: 'terminated', cause: 'busy' }]);
    expect(m.hasCall('v1')).toBe(false);
    m.handleCreateCall('v1', req, 'ring');
    m.handleChannels('v1', 'OFFER', ['nobody']);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
  });

  it('the caller going away cancels; the agent going away hangs up', () => {
    ring();
    m.handleVisitorGone('v1');
    expect(out.to('console:a1')[1]).toMatchObject({ cause: 'cancelled' });
    out.clear();
    const id = ring();
    m.handleAccept('a2', id, 'ANSWER');
    m.handleConsoleGone('a2');
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
  });

  it('a server failure during setup ends the call with cause error everywhere', () => {
    ring();
    m.handleFailure('v1');
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'error' });
    expect(out.to('console:a1').at(-1)).toMatchObject({ state: 'terminated', cause: 'error' });
    expect(m.hasCall('v1')).toBe(false);
    m.handleFailure('v2');
    expect(out.to('visitor:v2')).toEqual([{ mt: 'CallInfo', state: 'terminated', cause: 'error' }]);
  });

  it('agent ClearCall: hangup to the agent, remote-hangup to the visitor; errors for calls not theirs', () => {
    const id = ring();
    expect(() => m.handleAgentClear('b1', id)).toThrow(/no such call/);
    m.handleAccept('a1', id, 'ANSWER');
    m.handleAgentClear('a1', id);
    expect(out.to('console:a1').at(-1)).toMatchObject({ state: 'terminated', cause: 'hangup' });
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
    expect(() => m.handleVisitorClear('v1')).toThrow(/no call/);
    expect(() => m.handleChannels('v1', 'X', [])).toThrow(/no call/);
    m.handleCreateCall('v1', req, 'ring');
    expect(() => m.handleCreateCall('v1', req, 'ring')).toThrow(/in progress/);
  });
});

describe('CallManager under random traffic', () => {
  it('keeps its invariants: one ending per call, balanced busy marks, nothing left behind', () => {
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
    const visitors = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const consoleIds = ['a1', 'a2', 'b1'];
    for (let step = 0; step < 5000; step++) {
      const v = pick(visitors);
      const c = pick(consoleIds);
      const calls = [...new Set(out.sent.filter((s) => s.msg.mt === 'IncomingCall').map((s) => (s.msg as { call: string }).call))];
      const call = calls.length ? pick(calls) : 'none';
      const op = Math.floor(r() * 10);
      try {
        if (op === 0) m.handleCreateCall(v, req, pick(['ring', 'ring', 'ring', 'busy', 'unavailable'] as const));
        else if (op === 1) m.handleChannels(v, 'OFFER', pick([['ann'], ['bob'], ['ann', 'bob'], ['nobody']]));
        else if (op === 2) m.handleAccept(c, call, 'ANSWER');
        else if (op === 3) m.handleReject(c, call);
        else if (op === 4) m.handleAgentClear(c, call);
        else if (op === 5) m.handleVisitorClear(v);
        else if (op === 6) m.handleVisitorGone(v);
        else if (op === 7) m.handleConsoleGone(c);
        else clock.advance(Math.floor(r() * 20_000));
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
        expect(['no-call', 'call-in-progress']).toContain((err as WireError).code);
      }
    }
    for (const v of visitors) m.handleVisitorGone(v);
    // The walk reached every outcome.
    const causes = new Set(out.sent.map((x) => (x.msg as { cause?: string; state?: string }).cause ?? (x.msg as { state?: string }).state));
    for (const c of ['alerting', 'connected', 'busy', 'unavailable', 'rejected', 'no-answer', 'cancelled', 'remote-hangup', 'answered-elsewhere', 'hangup'])
      expect(causes, c).toContain(c);
    // Every call that rang or connected ended exactly once towards its consoles' users, and busy marks balance.
    const busy = new Map<string, number>();
    for (const [u, b] of inCall) busy.set(u, (busy.get(u) ?? 0) + (b ? 1 : -1));
    expect(busy.size).toBeGreaterThan(0);
    for (const n of busy.values()) expect(n).toBe(0);
    for (const v of visitors) expect(m.hasCall(v)).toBe(false);
    expect(clock.pending).toBe(0);
    // Per call: at most one "connected" to the visitor, and never a message after its terminated.
    const perCall = new Map<string, string[]>();
    for (const s of out.sent) {
      const msg = s.msg as { mt: string; call?: string; state?: string };
      if (s.to.startsWith('console:') && msg.mt === 'CallInfo') {
        const k = `${s.to}/${msg.call}`;
        perCall.set(k, [...(perCall.get(k) ?? []), msg.state!]);
      }
    }
    expect(perCall.size).toBeGreaterThan(0);
    for (const states of perCall.values()) {
      expect(states.filter((x) => x === 'terminated').length).toBeLessThanOrEqual(1);
      if (states.includes('terminated')) expect(states.at(-1)).toBe('terminated');
    }
  });
});
