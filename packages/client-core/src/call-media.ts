/**
 * The media side of one call, the same for the caller (widget) and the
 * callee (console): local capture, the RTCPeerConnection, the remote
 * stream, a complete SDP in either direction (no trickle, spec 1: ICE
 * gathering is waited for, capped), the connection's health, mute and
 * camera switches. Signalling is the caller's business; this class only
 * talks WebRTC.
 */
import { captureChosen, switchDevice, type DeviceChoice, type DeviceKind } from './devices.js';
import { iceGathered } from './ice-gathering.js';

/** ICE/DTLS health of a call: `failed` means the media path is gone. */
export type MediaTrouble = 'none' | 'unstable' | 'failed';

export interface CallMediaEvents {
  /** the remote stream got a track (the same stream object each time) */
  remote(stream: MediaStream): void;
  trouble(t: MediaTrouble): void;
}

export class CallMedia {
  readonly peer: RTCPeerConnection;
  readonly local: MediaStream;
  readonly remote = new MediaStream();
  #iceServers: RTCIceServer[];
  #closed = false;

  /** Asks for the microphone, and the camera for a video call (the chosen ones if still there); rejects as getUserMedia does (see mediaFailure). */
  static capture(video: boolean, choice: DeviceChoice = {}): Promise<MediaStream> {
    return captureChosen(choice, video);
  }

  constructor(local: MediaStream, iceServers: RTCIceServer[], events: CallMediaEvents) {
    this.local = local;
    this.#iceServers = iceServers;
    const peer = new RTCPeerConnection({ iceServers });
    this.peer = peer;
    peer.addEventListener('track', (e) => {
      if (this.#closed) return;
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track);
      events.remote(this.remote);
    });
    peer.addEventListener('connectionstatechange', () => {
      if (this.#closed) return;
      const s = peer.connectionState;
      if (s === 'failed') events.trouble('failed');
      else if (s === 'disconnected') events.trouble('unstable');
      else if (s === 'connected') events.trouble('none');
    });
  }

  #addTracks(): void {
    for (const t of this.local.getTracks()) this.peer.addTrack(t, this.local);
  }

  /** As the caller: the complete SDP offer, with the local tracks (a voice call receives audio only, a video call both). */
  async offer(): Promise<string> {
    this.#addTracks();
    const offer = await this.peer.createOffer();
    await this.peer.setLocalDescription(offer);
    await iceGathered(this.peer, this.#iceServers);
    return this.peer.localDescription?.sdp ?? offer.sdp ?? '';
  }

  /** As the caller: applies the callee's answer (once; a repeat is ignored). */
  async accept(answerSdp: string): Promise<void> {
    if (this.peer.signalingState === 'have-local-offer') await this.peer.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  }

  /** As the callee: answers `offerSdp` with the local tracks; the complete SDP answer. */
  async answer(offerSdp: string): Promise<string> {
    await this.peer.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    this.#addTracks();
    const answer = await this.peer.createAnswer();
    await this.peer.setLocalDescription(answer);
    await iceGathered(this.peer, this.#iceServers);
    return this.peer.localDescription?.sdp ?? answer.sdp ?? '';
  }

  setMuted(muted: boolean): void {
    for (const t of this.local.getAudioTracks()) t.enabled = !muted;
  }

  setCameraOff(off: boolean): void {
    for (const t of this.local.getVideoTracks()) t.enabled = !off;
  }

  /** Another microphone or camera, in the local stream and on the wire at once (see devices.ts). */
  switchDevice(kind: DeviceKind, id: string): Promise<void> {
    return switchDevice(this.local, kind, id, this.peer);
  }

  /** Stops capture and closes the connection; no event follows; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.local.getTracks()) t.stop();
    try {
      this.peer.close();
    } catch {
      /* already closed */
    }
  }
}
