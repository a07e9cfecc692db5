/**
 * iceGathered against a fake peer connection (an EventTarget with an
 * iceGatheringState): complete at once, complete later, the early end once
 * the expected candidates are in and quiet, and the cap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectedCandidateType, ICE_GATHER_CAP_MS, ICE_QUIET_MS, iceGathered, type GatheringPeer } from '../src/ice-gathering.js';

class FakePeer extends EventTarget implements GatheringPeer {
  iceGatheringState = 'gathering';
  listeners = 0;
  override addEventListener(type: string, fn: EventListenerOrEventListenerObject | null): void {
    this.listeners++;
    super.addEventListener(type, fn);
  }
  override removeEventListener(type: string, fn: EventListenerOrEventListenerObject | null): void {
    this.listeners--;
    super.removeEventListener(type, fn);
  }
  /** Emits an icecandidate event; `null` is the end of gathering. */
  candidate(type: string | null, mid = '0'): void {
    const candidate = type ? { candidate: `candidate:1 1 udp 1 127.0.0.1 5000 typ ${type}`, sdpMid: mid } : null;
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate }));
  }
  complete(): void {
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
}

const TURN: RTCIceServer[] = [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=tcp'], username: 'u', credential: 'p' }];
const STUN: RTCIceServer[] = [{ urls: ['stun:127.0.0.1:3478'] }];

/** Tracks whether the promise has settled. */
function watch(p: Promise<void>): { settled: () => boolean } {
  let s = false;
  void p.then(() => (s = true));
  return { settled: () => s };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('iceGathered', () => {
  it('resolves at once when gathering is already complete', async () => {
    const pc = new FakePeer();
    pc.iceGatheringState = 'complete';
    const w = watch(iceGathered(pc, TURN));
    await vi.advanceTimersByTimeAsync(0);
    expect(w.settled()).toBe(true);
    expect(pc.listeners).toBe(0);
  });

  it('resolves as soon as gathering completes, and lets go of the peer', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, TURN));
    pc.candidate('host');
    await vi.advanceTimersByTimeAsync(50);
    expect(w.settled()).toBe(false);
    pc.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(w.settled()).toBe(true);
    expect(pc.listeners).toBe(0);
  });

  it('a null candidate ends the wait; an empty one (end of one m-line) does not', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, STUN));
    pc.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate: '', sdpMid: '0' } }));
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS * 2);
    expect(w.settled()).toBe(false);
    pc.candidate(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.settled()).toBe(true);
  });

  it('with TURN: host alone is not enough; the relay arrives → resolves after the quiet period, restarted by later candidates', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, TURN));
    pc.candidate('host', '0');
    pc.candidate('host', '1');
    pc.candidate('srflx', '0');
    await vi.advanceTimersByTimeAsync(500);
    expect(w.settled()).toBe(false);
    pc.candidate('relay', '0');
    // m-line 1 has candidates but no relay yet: keep waiting.
    await vi.advanceTimersByTimeAsync(500);
    expect(w.settled()).toBe(false);
    pc.candidate('relay', '1');
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS - 50);
    pc.candidate('relay', '1'); // a TCP relay: the quiet period starts again
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS - 1);
    expect(w.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.settled()).toBe(true);
    expect(pc.listeners).toBe(0);
  });

  it('with only STUN a srflx is expected; with no servers host candidates are enough', async () => {
    const stun = new FakePeer();
    const a = watch(iceGathered(stun, STUN));
    stun.candidate('host');
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS * 3);
    expect(a.settled()).toBe(false);
    stun.candidate('srflx');
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS);
    expect(a.settled()).toBe(true);

    const none = new FakePeer();
    const b = watch(iceGathered(none, []));
    none.candidate('host');
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS);
    expect(b.settled()).toBe(true);
  });

  it('reads the type from candidate.type when the engine gives it', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, TURN));
    pc.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { candidate: 'candidate:9 1 udp 1 10.0.0.1 9 typ host', type: 'relay', sdpMid: '0' } }));
    await vi.advanceTimersByTimeAsync(ICE_QUIET_MS);
    expect(w.settled()).toBe(true);
  });

  it('never completes and the expected relay never comes (TURN unreachable) → resolves at the cap', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, TURN));
    pc.candidate('host', '0');
    pc.candidate('host', '1');
    await vi.advanceTimersByTimeAsync(ICE_GATHER_CAP_MS - 1);
    expect(w.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.settled()).toBe(true);
    expect(pc.listeners).toBe(0);
  });

  it('honours a custom cap', async () => {
    const pc = new FakePeer();
    const w = watch(iceGathered(pc, undefined, 300));
    await vi.advanceTimersByTimeAsync(299);
    expect(w.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.settled()).toBe(true);
  });
});

describe('expectedCandidateType', () => {
  it('relay with any TURN URL, srflx with only STUN, host with none', () => {
    expect(expectedCandidateType(TURN)).toBe('relay');
    expect(expectedCandidateType([{ urls: 'turns:t.example.com:5349', username: 'u', credential: 'p' }])).toBe('relay');
    expect(expectedCandidateType(STUN)).toBe('srflx');
    expect(expectedCandidateType([])).toBe('host');
    expect(expectedCandidateType()).toBe('host');
  });
});
