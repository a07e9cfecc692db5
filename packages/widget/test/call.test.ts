/**
 * VisitorCall against fake media and a fake RTCPeerConnection: the order of
 * CreateCall and Channels, the capped wait for ICE gathering, the answer,
 * and the human end reasons.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ICE_GATHER_CAP_MS, VisitorCall } from '../src/call.js';
import { fakeTrack, FakeMediaStream, FakePeerConnection, type FakeTrack } from '../../client-core/test/fakes/fake-peer-connection.js';

let tracks: FakeTrack[];

beforeEach(() => {
  tracks = [fakeTrack('audio'), fakeTrack('video')];
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('MediaStream', FakeMediaStream);
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: vi.fn(async () => new FakeMediaStream(tracks)) } });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function session(video = true) {
  const sent: any[] = [];
  const c = new VisitorCall({ agent: 'ann', dn: 'Vera', video, iceServers: [{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }], send: (m) => (sent.push(m), true), onChange: () => {} });
  return { c, sent };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('VisitorCall', () => {
  it('sends CreateCall, then the complete offer once ICE gathering completes, with the IceConfig servers', async () => {
    const { c, sent } = session();
    const started = c.start();
    await flush();
    expect(FakePeerConnection.last.config.iceServers).toEqual([{ urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' }]);
    expect(FakePeerConnection.last.tracks).toBe(2);
    expect(sent).toEqual([{ mt: 'CreateCall', dest: 'ann', dn: 'Vera', video: true }]);
    FakePeerConnection.last.finishGathering();
    await started;
    expect(sent[1]).toEqual({ mt: 'Channels', cmd: 'PROPOSAL', sdp: 'v=0 offer +candidates' });

    await c.handle({ mt: 'CallInfo', state: 'alerting' });
    expect(c.phase).toBe('alerting');
    await c.handle({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: 'v=0 answer' });
    expect(FakePeerConnection.last.remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    expect(c.phase).toBe('connected');
    c.toggleMute();
    expect(tracks[0]!.enabled).toBe(false);
    c.hangUp();
    expect(sent.at(-1)).toEqual({ mt: 'ClearCall' });
    expect(c.reason).toBe('hangup');
    expect(tracks.every((t) => t.stopped)).toBe(true);
    expect(FakePeerConnection.last.closed).toBe(true);
  });

  it('caps the wait for ICE gathering and sends what it has', async () => {
    vi.useFakeTimers();
    const { c, sent } = session(false);
    const started = c.start();
    await vi.advanceTimersByTimeAsync(ICE_GATHER_CAP_MS - 1);
    expect(sent.map((m) => m.mt)).toEqual(['CreateCall']);
    await vi.advanceTimersByTimeAsync(1);
    await started;
    expect(sent.map((m) => m.mt)).toEqual(['CreateCall', 'Channels']);
  });

  it('an agent who is unavailable ends the call before any Channels; causes map to messages', async () => {
    vi.useFakeTimers();
    const { c, sent } = session();
    const started = c.start();
    await vi.advanceTimersByTimeAsync(0);
    await c.handle({ mt: 'CallInfo', state: 'terminated', cause: 'unavailable' });
    await vi.advanceTimersByTimeAsync(ICE_GATHER_CAP_MS);
    await started;
    expect(sent.map((m) => m.mt)).toEqual(['CreateCall']);
    expect(c.reason).toBe('unavailable');
    expect(c.view('Ann')).toMatchObject({ agentDn: 'Ann', phase: 'ended', reason: 'unavailable' });
  });

  it('ends with what the shared media mapping says when the microphone is denied, before sending anything', async () => {
    (navigator.mediaDevices.getUserMedia as any).mockRejectedValueOnce(Object.assign(new Error('no'), { name: 'NotAllowedError' }));
    const { c, sent } = session(false);
    await c.start();
    expect(c.reason).toBe('mic-denied');
    expect(sent).toEqual([]);
  });
});
