/**
 * Which microphone and camera a call uses (issue 15): the choice remembered
 * in localStorage for the next call, capture with it (`exact`: browsers
 * ignore an `ideal` deviceId — Chromium does — so an unplugged or busy
 * device is retried with the default instead), the
 * lists a picker shows (enumerateDevices, after permission so that labels
 * are known), and switching one device of a running capture — in the call's
 * RTCRtpSender too, without a new offer (replaceTrack).
 */
import { readStored, writeStored } from './stored.js';

export type DeviceKind = 'mic' | 'cam';

/** The remembered device ids; none means the browser's default. */
export interface DeviceChoice {
  mic?: string;
  cam?: string;
}

/** One entry of a picker; `label` is empty while the browser hides names (before permission). */
export interface DeviceOption {
  id: string;
  label: string;
}

export const DEVICE_CHOICE_KEY = 'cw-devices';

/** The remembered choice (only plausible ids; anything else is ignored). */
export function loadDeviceChoice(): DeviceChoice {
  const v = readStored('localStorage', DEVICE_CHOICE_KEY);
  const out: DeviceChoice = {};
  if (v && typeof v === 'object') {
    for (const k of ['mic', 'cam'] as const) {
      const id = (v as Record<string, unknown>)[k];
      if (typeof id === 'string' && id && id.length <= 500) out[k] = id;
    }
  }
  return out;
}

/** Remembers `id` for `kind`, keeping the other kind's choice. */
export function rememberDevice(kind: DeviceKind, id: string): void {
  if (id) writeStored('localStorage', DEVICE_CHOICE_KEY, { ...loadDeviceChoice(), [kind]: id });
}

/** getUserMedia constraints for a call: the chosen devices where there are, the camera only for video. */
export function mediaConstraints(choice: DeviceChoice, video: boolean): MediaStreamConstraints {
  const want = (id: string | undefined): MediaTrackConstraints | boolean => (id ? { deviceId: { exact: id } } : true);
  return { audio: want(choice.mic), video: video ? want(choice.cam) : false };
}

/** getUserMedia failures that mean "not that device" (gone, or held by another program): the default is tried instead. */
const NOT_THAT_DEVICE = ['OverconstrainedError', 'NotFoundError', 'NotReadableError'];

/**
 * Captures for a call with the chosen devices; when one of them cannot be
 * had, once more with the browser's defaults. A refusal is not retried (it
 * could prompt again). Rejects as getUserMedia does (see mediaFailure).
 */
export async function captureChosen(choice: DeviceChoice, video: boolean): Promise<MediaStream> {
  const gum = (c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c);
  try {
    return await gum(mediaConstraints(choice, video));
  } catch (e) {
    const chosen = choice.mic || (video && choice.cam);
    if (chosen && NOT_THAT_DEVICE.includes((e as { name?: string } | null)?.name ?? '')) return gum(mediaConstraints({}, video));
    throw e;
  }
}

/** The inputs of one kind in the browser's order (entries without an id — no permission yet — left out). */
export function deviceOptions(all: readonly Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>[], kind: DeviceKind): DeviceOption[] {
  const want = kind === 'mic' ? 'audioinput' : 'videoinput';
  const seen = new Set<string>();
  const out: DeviceOption[] = [];
  for (const d of all) {
    if (d.kind !== want || !d.deviceId || seen.has(d.deviceId)) continue;
    seen.add(d.deviceId);
    out.push({ id: d.deviceId, label: d.label });
  }
  return out;
}

/** Both pickers' lists; empty lists when the browser cannot tell. */
export async function listDevices(): Promise<Record<DeviceKind, DeviceOption[]>> {
  let all: MediaDeviceInfo[] = [];
  try {
    all = await navigator.mediaDevices.enumerateDevices();
  } catch {
    /* no list: the pickers stay hidden */
  }
  return { mic: deviceOptions(all, 'mic'), cam: deviceOptions(all, 'cam') };
}

/** The device a stream's track of `kind` comes from ('' when unknown). */
export function currentDevice(stream: MediaStream | null, kind: DeviceKind): string {
  const t = kind === 'mic' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return (t?.getSettings ? t.getSettings().deviceId : '') ?? '';
}

/**
 * Captures device `id` and puts its track in place of `stream`'s track of
 * that kind, keeping its on/off state (mute, camera off); the call's sender
 * sends the new track at once (no renegotiation). The old track stops — the
 * camera before the new one is opened, since some systems open one camera at
 * a time; if the new camera fails, the old one is opened again and the
 * error is thrown. Rejects as getUserMedia does (see mediaFailure).
 */
export async function switchDevice(stream: MediaStream, kind: DeviceKind, id: string, peer?: RTCPeerConnection | null): Promise<void> {
  const audio = kind === 'mic';
  const old = (audio ? stream.getAudioTracks() : stream.getVideoTracks())[0];
  const grab = async (device: string) => {
    const s = await navigator.mediaDevices.getUserMedia(audio ? { audio: { deviceId: { exact: device } } } : { video: { deviceId: { exact: device } } });
    return s.getTracks()[0]!;
  };
  if (!audio) old?.stop();
  let track: MediaStreamTrack;
  try {
    track = await grab(id);
  } catch (e) {
    const back = old && !audio ? currentDevice(stream, kind) : '';
    if (back) await replace(stream, old!, await grab(back).catch(() => old!), peer);
    throw e;
  }
  if (old) {
    track.enabled = old.enabled;
    await replace(stream, old, track, peer);
  } else stream.addTrack(track);
}

async function replace(stream: MediaStream, old: MediaStreamTrack, track: MediaStreamTrack, peer?: RTCPeerConnection | null): Promise<void> {
  if (old === track) return;
  const sender = peer?.getSenders().find((s) => s.track === old);
  stream.removeTrack(old);
  stream.addTrack(track);
  old.stop();
  await sender?.replaceTrack(track);
}
