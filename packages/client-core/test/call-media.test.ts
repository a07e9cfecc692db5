/**
 * CallMedia against a fake RTCPeerConnection: the order of the answer (the
 * offer first, then the tracks), the complete SDP after ICE gathering, the
 * remote stream and health events, and that nothing follows close().
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, type MediaTrouble } from '../src/call-media.js';
import { fakeTrack, FakeMediaStream, FakePeerConnection } from './fakes/fake-peer-connection.js';

beforeEach(() => {
  FakePeerConnection.gatherAtOnce = true;
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('MediaStream', FakeMediaStream);
});
afterEach(() => {
  FakePeerConnection.gatherAtOnce = false;
  vi.unstubAllGlobals();
});

const local = () => new FakeMediaStream([fakeTrack('audio'), fakeTrack('video')]);

function make(stream = local()) {
  const remote: unknown[] = [];
  const trouble: MediaTrouble[] = [];
  const media = new CallMedia(stream as unknown as MediaStream, [{ urls: 'stun:127.0.0.1:3478' }], { remote: (s) => remote.push(s), trouble: (t) => trouble.push(t) });
  return { media, stream, remote, trouble, pc: FakePeerConnection.last };
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
    const audio = fakeTrack('audio');
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
    pc.fire('track', { track: fakeTrack('video') });
    pc.connectionState = 'connected';
    pc.fire('connectionstatechange');
    expect(remote).toHaveLength(2);
    expect(trouble).toHaveLength(4);
  });
});
