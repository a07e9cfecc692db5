/**
 * The device choice (issue 15): what is remembered and how, the constraints
 * that ask for it, the pickers' lists, and switching a device of a running
 * capture — in the stream and in the call's sender, keeping mute and camera
 * off, the camera released before another is opened and reopened if that fails.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureChosen, currentDevice, deviceOptions, DEVICE_CHOICE_KEY, loadDeviceChoice, mediaConstraints, rememberDevice, switchDevice } from '../src/devices.js';
import { fakeTrack, FakeMediaStream, FakePeerConnection } from './fakes/fake-peer-connection.js';

let store: Map<string, string>;
let gum: ReturnType<typeof vi.fn>;

beforeEach(() => {
  store = new Map();
  const localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
  vi.stubGlobal('window', { localStorage });
  gum = vi.fn(async (c: MediaStreamConstraints) => {
    const audio = !!c.audio;
    const id = ((audio ? c.audio : c.video) as { deviceId: { exact: string } }).deviceId.exact;
    if (id === 'broken') throw Object.assign(new Error('busy'), { name: 'NotReadableError' });
    return new FakeMediaStream([fakeTrack(audio ? 'audio' : 'video', id)]);
  });
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: gum } });
});
afterEach(() => vi.unstubAllGlobals());

const stream = () => new FakeMediaStream([fakeTrack('audio', 'mic-1'), fakeTrack('video', 'cam-1')]);
const asStream = (s: FakeMediaStream) => s as unknown as MediaStream;

describe('device choice', () => {
  it('remembers each kind apart in localStorage and ignores what is not an id', () => {
    expect(loadDeviceChoice()).toEqual({});
    rememberDevice('mic', 'mic-2');
    rememberDevice('cam', 'cam-3');
    rememberDevice('mic', '');
    expect(loadDeviceChoice()).toEqual({ mic: 'mic-2', cam: 'cam-3' });
    expect(JSON.parse(store.get(DEVICE_CHOICE_KEY)!)).toEqual({ mic: 'mic-2', cam: 'cam-3' });
    store.set(DEVICE_CHOICE_KEY, JSON.stringify({ mic: 7, cam: 'x'.repeat(600) }));
    expect(loadDeviceChoice()).toEqual({});
    store.set(DEVICE_CHOICE_KEY, '{not json');
    expect(loadDeviceChoice()).toEqual({});
  });

  it('keeps working without storage', () => {
    vi.stubGlobal('window', {
      get localStorage(): Storage {
        throw new Error('blocked');
      },
    });
    rememberDevice('mic', 'mic-2');
    expect(loadDeviceChoice()).toEqual({});
  });

  it('asks for exactly the chosen devices, the camera only for video', () => {
    expect(mediaConstraints({}, false)).toEqual({ audio: true, video: false });
    expect(mediaConstraints({}, true)).toEqual({ audio: true, video: true });
    expect(mediaConstraints({ mic: 'm', cam: 'c' }, true)).toEqual({ audio: { deviceId: { exact: 'm' } }, video: { deviceId: { exact: 'c' } } });
    expect(mediaConstraints({ mic: 'm', cam: 'c' }, false)).toEqual({ audio: { deviceId: { exact: 'm' } }, video: false });
  });

  it('falls back to the defaults when a chosen device is gone or busy, but never asks again after a refusal', async () => {
    const named = (name: string) => Object.assign(new Error(name), { name });
    const calls: MediaStreamConstraints[] = [];
    let fail: string[] = [];
    vi.stubGlobal('navigator', {
      mediaDevices: {
        getUserMedia: async (c: MediaStreamConstraints) => {
          calls.push(c);
          const f = fail.shift();
          if (f) throw named(f);
          return new FakeMediaStream([fakeTrack('audio')]);
        },
      },
    });
    for (const f of ['OverconstrainedError', 'NotFoundError', 'NotReadableError']) {
      calls.length = 0;
      fail = [f];
      await captureChosen({ mic: 'gone', cam: 'c' }, true);
      expect(calls).toEqual([{ audio: { deviceId: { exact: 'gone' } }, video: { deviceId: { exact: 'c' } } }, { audio: true, video: true }]);
    }
    calls.length = 0;
    fail = ['NotAllowedError'];
    await expect(captureChosen({ mic: 'm' }, false)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(calls).toHaveLength(1);
    // Nothing chosen: the default failed, there is nothing else to try.
    calls.length = 0;
    fail = ['NotFoundError'];
    await expect(captureChosen({ cam: 'c' }, false)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(calls).toEqual([{ audio: true, video: false }]);
  });

  it('lists the inputs of one kind in order, without entries lacking an id or repeated', () => {
    const all = [
      { kind: 'audioinput', deviceId: 'default', label: 'Default - Headset' },
      { kind: 'audiooutput', deviceId: 'spk', label: 'Speakers' },
      { kind: 'videoinput', deviceId: 'cam-1', label: 'Front' },
      { kind: 'audioinput', deviceId: 'mic-1', label: '' },
      { kind: 'audioinput', deviceId: 'mic-1', label: 'dup' },
      { kind: 'videoinput', deviceId: '', label: '' },
    ] as MediaDeviceInfo[];
    expect(deviceOptions(all, 'mic')).toEqual([
      { id: 'default', label: 'Default - Headset' },
      { id: 'mic-1', label: '' },
    ]);
    expect(deviceOptions(all, 'cam')).toEqual([{ id: 'cam-1', label: 'Front' }]);
  });

  it('switches the microphone in the stream and the sender, keeping mute', async () => {
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
    const s = stream();
    const pc = new FakePeerConnection({});
    for (const t of s.tracks) pc.addTrack(t);
    const old = s.getAudioTracks()[0]!;
    old.enabled = false;
    await switchDevice(asStream(s), 'mic', 'mic-2', pc as unknown as RTCPeerConnection);
    expect(gum).toHaveBeenCalledWith({ audio: { deviceId: { exact: 'mic-2' } } });
    expect(currentDevice(asStream(s), 'mic')).toBe('mic-2');
    expect(currentDevice(asStream(s), 'cam')).toBe('cam-1');
    expect(s.getAudioTracks()).toHaveLength(1);
    expect(s.getAudioTracks()[0]!.enabled).toBe(false);
    expect(old.stopped).toBe(true);
    expect(pc.log.at(-1)).toBe('replaceTrack audio');
    expect(pc.senders[0]!.track).toBe(s.getAudioTracks()[0]);
  });

  it('a microphone that fails leaves the old one running', async () => {
    const s = stream();
    const old = s.getAudioTracks()[0]!;
    await expect(switchDevice(asStream(s), 'mic', 'broken')).rejects.toMatchObject({ name: 'NotReadableError' });
    expect(s.getAudioTracks()).toEqual([old]);
    expect(old.stopped).toBe(false);
  });

  it('releases the camera before opening another, and reopens the old one when the new fails', async () => {
    const s = stream();
    const old = s.getVideoTracks()[0]!;
    let stoppedFirst = false;
    gum.mockImplementationOnce(async () => {
      stoppedFirst = old.stopped;
      return new FakeMediaStream([fakeTrack('video', 'cam-2')]);
    });
    await switchDevice(asStream(s), 'cam', 'cam-2');
    expect(stoppedFirst).toBe(true);
    expect(currentDevice(asStream(s), 'cam')).toBe('cam-2');

    await expect(switchDevice(asStream(s), 'cam', 'broken')).rejects.toMatchObject({ name: 'NotReadableError' });
    expect(gum).toHaveBeenLastCalledWith({ video: { deviceId: { exact: 'cam-2' } } });
    expect(s.getVideoTracks()).toHaveLength(1);
    expect(s.getVideoTracks()[0]!.stopped).toBe(false);
    expect(currentDevice(asStream(s), 'cam')).toBe('cam-2');
  });

  it('knows no device of a stream without that kind', () => {
    expect(currentDevice(null, 'mic')).toBe('');
    expect(currentDevice(asStream(new FakeMediaStream([fakeTrack('audio', 'm')])), 'cam')).toBe('');
  });
});
