/** CallManager as a state machine: fake clock, recording outbox, no sockets. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { VisiblePresence, WidgetAgent } from '@cw/protocol';
import { CallManager, callVerdict, type CallerRef } from '../src/calls/call-manager.js';
import type { CallTargets } from '../src/calls/call-targets.js';
import { WireError } from '../src/domain/wire-error.js';
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
const req = { dest: 'ann', dn: 'Visitor', video: false };
const caller = (connId: string): CallerRef => ({ connId, widgetUuid: 'w1' });

/** What the fake directory answers: the called entry, what visitors see of it, whose consoles ring. */
let entry: WidgetAgent;
let seen: VisiblePresence;
let ringUsers: string[];
let lookups: (() => Promise<void>) | undefined;
const targets: CallTargets = {
  async agent(widgetUuid, dest) {
    await lookups?.();
    if (dest === 'ghost') throw new WireError('unknown-agent', 'not an agent of this widget');
    return { widget: { uuid: widgetUuid, name: 'Sales' }, entry: { ...entry, sipId: dest } };
  },
  visible: async () => seen,
  async ring() {
    await lookups?.();
    return ringUsers.flatMap((userId) => (consoles[userId] ?? []).map((id) => ({ kind: 'console' as const, id, userId })));
  },
};

beforeEach(() => {
  clock = new FakeClock();
  out = new RecordingOutbox();
  log = new MemCallLog();
  inCall = [];
  entry = { sipId: 'ann', media: ['voice', 'video', 'chat'], availability: 'presence' };
  seen = 'online';
  ringUsers = ['ann'];
  lookups = undefined;
  m = new CallManager({
    clock,
    ringTimeoutMs: 30_000,
    outbox: out,
    targets,
    presence: { handleCallState: (u, b) => void inCall.push([u, b]) },
    callLog: log,
    logger: silent,
  });
});

/** CreateCall and Channels of visitor v1; `users` are whose consoles ring. */
const ring = async (users = ['ann']) => {
  ringUsers = users;
  const id = (await m.handleCreateCall(caller('v1'), req))!;
  await m.handleChannels('v1', 'OFFER');
  return id;
};

describe('CallManager', () => {
  it('rings every console after Channels, alerting once, first accept wins', async () => {
    const id = await ring(['ann', 'bob']);
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

  it('ring timeout: no-answer to visitor and consoles', async () => {
    await ring();
    clock.advance(29_999);
    expect(out.to('visitor:v1')).toHaveLength(1);
    clock.advance(1);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'no-answer' });
    expect(out.to('console:a1')[1]).toMatchObject({ cause: 'no-answer' });
    expect(m.hasCall('v1')).toBe(false);
  });

  it('rejected when every ringing console rejects', async () => {
    const id = await ring();
    m.handleReject('a1', id);
    expect(out.to('visitor:v1')).toHaveLength(1);
    m.handleReject('a2', id);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'rejected' });
    expect(out.to('console:a2')[1]).toMatchObject({ state: 'terminated', cause: 'rejected' });
  });

  it('busy and unavailable end at once; no console → unavailable after Channels', async () => {
    seen = 'busy';
    await m.handleCreateCall(caller('v1'), req);
    expect(out.to('visitor:v1')).toEqual([{ mt: 'CallInfo', state: 'terminated', cause: 'busy' }]);
    expect(m.hasCall('v1')).toBe(false);
    seen = 'offline';
    await m.handleCreateCall(caller('v1'), req);
    expect(out.to('visitor:v1')[1]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    expect(m.hasCall('v1')).toBe(false);
    seen = 'online';
    ringUsers = ['nobody'];
    await m.handleCreateCall(caller('v1'), req);
    await m.handleChannels('v1', 'OFFER');
    expect(out.to('visitor:v1')[2]).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await m.settled();
    expect([...log.rows.values()].map((r) => r.cause)).toEqual(['busy', 'unavailable', 'unavailable']);
  });

  it('the verdict: "always" rings whatever presence says, else online rings, busy is busy, the rest unavailable', () => {
    expect(callVerdict('always', 'offline')).toBe('ring');
    expect(callVerdict('presence', 'online')).toBe('ring');
    expect(callVerdict('boolean', 'online')).toBe('ring');
    expect(callVerdict('presence', 'busy')).toBe('busy');
    expect(callVerdict('presence', 'offline')).toBe('unavailable');
    expect(callVerdict('inactive', 'offline')).toBe('unavailable');
  });

  it('an "always" agent rings even when visitors see them offline', async () => {
    entry = { ...entry, availability: 'always' };
    seen = 'offline';
    await ring();
    expect(out.to('visitor:v1')).toEqual([{ mt: 'CallInfo', state: 'alerting' }]);
    expect(out.to('console:a1')[0]).toMatchObject({ mt: 'IncomingCall' });
  });

  it('refuses a call the agent does not offer, or to no agent, and leaves nothing behind', async () => {
    entry = { ...entry, media: ['chat'] };
    await expect(m.handleCreateCall(caller('v1'), req)).rejects.toMatchObject({ code: 'media-not-allowed' });
    entry = { ...entry, media: ['voice'] };
    await expect(m.handleCreateCall(caller('v1'), { ...req, video: true })).rejects.toMatchObject({ code: 'media-not-allowed' });
    await expect(m.handleCreateCall(caller('v1'), { ...req, dest: 'ghost' })).rejects.toMatchObject({ code: 'unknown-agent' });
    expect(m.hasCall('v1')).toBe(false);
    expect(out.sent).toEqual([]);
    await m.settled();
    expect(log.rows.size).toBe(0);
    // The same socket may call afterwards.
    await expect(m.handleCreateCall(caller('v1'), req)).resolves.toEqual(expect.any(String));
  });

  it('one call per visitor socket, also while the first is still being looked up', async () => {
    let release!: () => void;
    lookups = () => new Promise<void>((r) => (release = r));
    const first = m.handleCreateCall(caller('v1'), req);
    await expect(m.handleCreateCall(caller('v1'), req)).rejects.toMatchObject({ code: 'call-in-progress' });
    release();
    lookups = undefined;
    expect(await first).toEqual(expect.any(String));
    expect(m.hasCall('v1')).toBe(true);
  });

  it('a visitor who leaves while the call is looked up leaves no call and no log entry', async () => {
    let release!: () => void;
    lookups = () => new Promise<void>((r) => (release = r));
    const pending = m.handleCreateCall(caller('v1'), req);
    m.handleVisitorGone('v1');
    release();
    expect(await pending).toBeUndefined();
    expect(m.hasCall('v1')).toBe(false);
    await m.settled();
    expect(log.rows.size).toBe(0);
    // Channels after the lookup: gone again while the targets were looked up → nothing rings.
    lookups = undefined;
    await m.handleCreateCall(caller('v2'), req);
    lookups = () => new Promise<void>((r) => (release = r));
    const channels = m.handleChannels('v2', 'OFFER');
    await expect(m.handleChannels('v2', 'OFFER')).rejects.toThrow(/already has its SDP offer/);
    m.handleVisitorGone('v2');
    release();
    await channels;
    expect(out.sent.filter((x) => x.msg.mt === 'IncomingCall')).toEqual([]);
  });

  it('a failure while looking up the targets ends the call with cause error', async () => {
    await m.handleCreateCall(caller('v1'), req);
    lookups = async () => {
      throw new Error('storage down');
    };
    await expect(m.handleChannels('v1', 'OFFER')).rejects.toThrow('storage down');
    expect(out.to('visitor:v1')).toEqual([{ mt: 'CallInfo', state: 'terminated', cause: 'error' }]);
    expect(m.hasCall('v1')).toBe(false);
  });

  it('the caller going away cancels; the agent going away hangs up', async () => {
    await ring();
    m.handleVisitorGone('v1');
    expect(out.to('console:a1')[1]).toMatchObject({ cause: 'cancelled' });
    out.clear();
    const id = await ring();
    m.handleAccept('a2', id, 'ANSWER');
    m.handleConsoleGone('a2');
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
  });

  it('a server failure during setup ends the call with cause error everywhere', async () => {
    await ring();
    m.handleFailure('v1');
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'error' });
    expect(out.to('console:a1').at(-1)).toMatchObject({ state: 'terminated', cause: 'error' });
    expect(m.hasCall('v1')).toBe(false);
    m.handleFailure('v2');
    expect(out.to('visitor:v2')).toEqual([{ mt: 'CallInfo', state: 'terminated', cause: 'error' }]);
  });

  it('agent ClearCall: hangup to the agent, remote-hangup to the visitor; errors for calls not theirs', async () => {
    const id = await ring();
    expect(() => m.handleAgentClear('b1', id)).toThrow(/no such call/);
    m.handleAccept('a1', id, 'ANSWER');
    m.handleAgentClear('a1', id);
    expect(out.to('console:a1').at(-1)).toMatchObject({ state: 'terminated', cause: 'hangup' });
    expect(out.to('visitor:v1').at(-1)).toEqual({ mt: 'CallInfo', state: 'terminated', cause: 'remote-hangup' });
    expect(() => m.handleVisitorClear('v1')).toThrow(/no call/);
    await expect(m.handleChannels('v1', 'X')).rejects.toThrow(/no call/);
    await m.handleCreateCall(caller('v1'), req);
    await expect(m.handleCreateCall(caller('v1'), req)).rejects.toThrow(/in progress/);
  });
});

describe('CallManager under random traffic', () => {
  it('keeps its invariants: one ending per call, balanced busy marks, nothing left behind', async () => {
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
        if (op === 0) {
          seen = pick(['online', 'online', 'online', 'busy', 'offline'] as const);
          await m.handleCreateCall(caller(v), req);
        } else if (op === 1) {
          ringUsers = pick([['ann'], ['bob'], ['ann', 'bob'], ['nobody']]);
          await m.handleChannels(v, 'OFFER');
        }
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
