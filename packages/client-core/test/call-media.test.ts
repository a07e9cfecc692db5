/**
 * CallMedia against a fake RTCPeerConnection: the order of the answer (the
 * offer first, then the tracks), the complete SDP after ICE gathering, the
 * remote stream and health events, and that nothing follows close().
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, type MediaTrouble } from '../src/call-media.js';

type Listener = (e: { track?: unknown }) => void;

class FakePc {
  static last: FakePc;
  log: string[] = [];
  iceGatheringState = 'new';
  signalingState = 'stable';
  connectionState = 'new';
  localDescription: { sdp: string } | null = null;
  listeners = new Map<string, Listener[]>();
  constructor(readonly config: RTCConfiguration) {
    FakePc.last = this;
  }
  addEventListener(ev: string, fn: Listener) {
    this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), fn]);
  }
  removeEventListener(ev: string, fn: Listener) {
    this.listeners.set(ev, (this.listeners.get(ev) ?? []).filter((x) => x !== fn));
  }
  fire(ev: string, e: { track?: unknown } = {}) {
    for (const fn of this.listeners.get(ev) ?? []) fn(e);
  }
  addTrack(t: { kind: string }) {
    this.log.push(`addTrack ${t.kind}`);
  }
  async setRemoteDescription(d: { type: string }) {
    this.log.push(`remote ${d.type}`);
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }
  async createAnswer() {
    this.log.push('createAnswer');
    return { type: 'answer', sdp: 'v=0 answer' };
  }
  async createOffer() {
    this.log.push('createOffer');
    return { type: 'offer', sdp: 'v=0 offer' };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.log.push(`local ${d.type}`);
    this.localDescription = { sdp: `${d.sdp} +candidates` };
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
    // Gathering completes at once in this fake.
    this.iceGatheringState = 'complete';
  }
  close() {
    this.log.push('close');
  }
}

class FakeStream {
  tracks: { kind: string; enabled: boolean; stopped: boolean; stop(): void }[] = [];
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: FakeStream['tracks'][number]) {
    this.tracks.push(t);
  }
}
const track = (kind: string) => ({ kind, enabled: true, stopped: false, stop() { this.stopped = true; } });

function local(): FakeStream {
  const s = new FakeStream();
  s.addTrack(track('audio'));
  s.addTrack(track('video'));
  return s;
}

beforeEach(() => {
  vi.stubGlobal('RTCPeerConnection', FakePc);
  vi.stubGlobal('MediaStream', FakeStream);
});

function make(stream = local()) {
  const remote: unknown[] = [];
  const trouble: MediaTrouble[] = [];
  const media = new CallMedia(stream as unknown as MediaStream, [{ urls: 'stun:127.0.0.1:3478' }], { remote: (s) => remote.push(s), trouble: (t) => trouble.push(t) });
  return { media, stream, remote, trouble, pc: FakePc.last };
}

describe('CallMedia', () => {
  it('answers: the offer first, then the tracks, and the SDP after gathering', async () => {
    const { media, pc } = make();
    expect(pc.config.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    expect(await media.answer('v=0 offer')).toBe('v=0 answer +candidates');
    expect(pc.log).toEqual(['remote offer', 'addTrack audio', 'addTrack video', 'createAnswer', 'local answer']);
  });

  it('offers with the tracks, applies the answer once', async () => {
    const { media, pc } = make();
    expect(await media.offer()).toBe('v=0 offer +candidates');
    await media.accept('v=0 answer');
    await media.accept('v=0 answer');
    expect(pc.log).toEqual(['addTrack audio', 'addTrack video', 'createOffer', 'local offer', 'remote answer']);
  });

  it('collects remote tracks in one stream, reports health, mutes, and is silent after close', () => {
    const { media, pc, stream, remote, trouble } = make();
    const audio = track('audio');
    pc.fire('track', { track: audio });
    pc.fire('track', { track: audio });
    expect(remote).toEqual([media.remote, media.remote]);
    expect(media.remote.getTracks()).toEqual([audio]);
    for (const s of ['connected', 'disconnected', 'connected', 'failed']) {
      pc.connectionState = s;
      pc.fire('connectionstatechange');
    }
    expect(trouble).toEqual(['none', 'unstable', 'none', 'failed']);
    media.setMuted(true);
    media.setCameraOff(true);
    expect(stream.tracks.map((t) => [t.kind, t.enabled])).toEqual([
      ['audio', false],
      ['video', false],
    ]);
    media.close();
    media.close();
    expect(pc.log.filter((x) => x === 'close')).toHaveLength(1);
    expect(stream.tracks.every((t) => t.stopped)).toBe(true);
    pc.fire('track', { track: track('video') });
    pc.connectionState = 'connected';
    pc.fire('connectionstatechange');
    expect(remote).toHaveLength(2);
    expect(trouble).toHaveLength(4);
  });
});
