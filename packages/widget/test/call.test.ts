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

  describe('devices and the self preview while a video call rings (issue 15)', () => {
    let store: Map<string, string>;
    beforeEach(() => {
      store = new Map([['cw-devices', JSON.stringify({ mic: 'mic-2', cam: 'cam-1' })]]);
      vi.stubGlobal('window', { localStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } });
      const gum = vi.fn(async (c: MediaStreamConstraints) => {
        if (c.audio && c.video) return new FakeMediaStream(tracks);
        const audio = !!c.audio;
        return new FakeMediaStream([fakeTrack(audio ? 'audio' : 'video', ((audio ? c.audio : c.video) as any).deviceId.exact)]);
      });
      const devices = [
        { kind: 'audioinput', deviceId: 'mic-1', label: 'Headset' },
        { kind: 'audioinput', deviceId: 'mic-2', label: 'Desk' },
        { kind: 'videoinput', deviceId: 'cam-1', label: 'Front' },
        { kind: 'videoinput', deviceId: 'cam-2', label: 'Back' },
      ];
      vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: gum, enumerateDevices: async () => devices, addEventListener: vi.fn(), removeEventListener: vi.fn() } });
      tracks = [fakeTrack('audio', 'mic-2'), fakeTrack('video', 'cam-1')];
    });

    it('rings at once with the remembered devices; a camera chosen while it rings is what the call sends, without a new offer', async () => {
      const { c, sent } = session(true);
      FakePeerConnection.gatherAtOnce = true;
      await c.start();
      FakePeerConnection.gatherAtOnce = false;
      await flush();
      expect(navigator.mediaDevices.getUserMedia).toHaveBeenCalledWith({ audio: { deviceId: { exact: 'mic-2' } }, video: { deviceId: { exact: 'cam-1' } } });
      // One click on "Video call Name" rings the agent (spec 7): no extra step before CreateCall.
      expect(sent.map((m) => m.mt)).toEqual(['CreateCall', 'Channels']);
      expect(c.phase).toBe('calling');
      const v = c.view('Ann');
      expect(v.local?.getTracks()).toEqual(tracks);
      expect(v.devices?.mic.map((d) => d.label)).toEqual(['Headset', 'Desk']);
      expect(v.devices?.cam.map((d) => d.id)).toEqual(['cam-1', 'cam-2']);
      expect([v.mic, v.cam]).toEqual(['mic-2', 'cam-1']);
      expect(FakePeerConnection.last.log.filter((x) => x.startsWith('addTrack'))).toEqual(['addTrack audio', 'addTrack video']);

      // While it rings: another camera replaces the sent track and is remembered.
      await c.handle({ mt: 'CallInfo', state: 'alerting' });
      await c.setDevice('cam', 'cam-2');
      expect(FakePeerConnection.last.log.at(-1)).toBe('replaceTrack video');
      expect(c.view('Ann').cam).toBe('cam-2');
      expect(JSON.parse(store.get('cw-devices')!)).toEqual({ mic: 'mic-2', cam: 'cam-2' });

      // In the call: the microphone too.
      await c.handle({ mt: 'CallInfo', state: 'connected', cmd: 'SELECT', sdp: 'v=0 answer' });
      await c.setDevice('mic', 'mic-1');
      expect(FakePeerConnection.last.log.at(-1)).toBe('replaceTrack audio');
      expect(c.view('Ann').mic).toBe('mic-1');
      expect(sent).toHaveLength(2);
    });

    it('hanging up while it rings clears the call and releases the camera', async () => {
      const { c, sent } = session(true);
      FakePeerConnection.gatherAtOnce = true;
      await c.start();
      FakePeerConnection.gatherAtOnce = false;
      c.hangUp();
      expect(sent.at(-1)).toEqual({ mt: 'ClearCall' });
      expect(tracks.every((t) => t.stopped)).toBe(true);
      expect(navigator.mediaDevices.removeEventListener).toHaveBeenCalledWith('devicechange', expect.any(Function));
    });

    it('a voice call starts at once and offers the microphone list', async () => {
      tracks = [fakeTrack('audio', 'mic-2')];
      const { c, sent } = session(false);
      const started = c.start();
      await flush();
      expect(sent.map((m) => m.mt)).toEqual(['CreateCall']);
      FakePeerConnection.last.finishGathering();
      await started;
      expect(c.view('Ann').devices?.mic).toHaveLength(2);
    });
  });
});
