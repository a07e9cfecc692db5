/**
 * The media side of one accepted call: local capture, the peer connection,
 * a complete SDP answer (no trickle: spec 1), mute and camera toggles.
 * Signalling stays in the store; this class only talks WebRTC.
 */

import { iceGathered } from '@cw/client-core';

export type MediaTrouble = 'none' | 'unstable' | 'failed';

export interface CallSessionEvents {
  remoteStream(stream: MediaStream): void;
  /** ICE/DTLS health; `failed` means the media path is gone */
  trouble(t: MediaTrouble): void;
}

export class CallSession {
  readonly pc: RTCPeerConnection;
  readonly local: MediaStream;
  readonly remote = new MediaStream();
  #ev: CallSessionEvents;
  #closed = false;

  private constructor(pc: RTCPeerConnection, local: MediaStream, ev: CallSessionEvents) {
    this.pc = pc;
    this.local = local;
    this.#ev = ev;
    pc.ontrack = (e) => {
      if (!this.remote.getTracks().includes(e.track)) this.remote.addTrack(e.track);
      ev.remoteStream(this.remote);
    };
    pc.onconnectionstatechange = () => {
      if (this.#closed) return;
      const s = pc.connectionState;
      if (s === 'failed') ev.trouble('failed');
      else if (s === 'disconnected') ev.trouble('unstable');
      else if (s === 'connected') ev.trouble('none');
    };
  }

  /**
   * Captures microphone (and camera for a video call), answers the offer and
   * returns the session plus the complete answer SDP to send in AcceptCall.
   */
  static async answer(offerSdp: string, video: boolean, iceServers: RTCIceServer[], ev: CallSessionEvents): Promise<{ session: CallSession; sdp: string }> {
    const local = await navigator.mediaDevices.getUserMedia({ audio: true, video });
    let pc: RTCPeerConnection | null = null;
    try {
      pc = new RTCPeerConnection({ iceServers });
      const session = new CallSession(pc, local, ev);
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      for (const track of local.getTracks()) pc.addTrack(track, local);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await iceGathered(pc, iceServers);
      return { session, sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' };
    } catch (e) {
      pc?.close();
      for (const t of local.getTracks()) t.stop();
      throw e;
    }
  }

  get muted(): boolean {
    return this.local.getAudioTracks().every((t) => !t.enabled);
  }

  setMuted(muted: boolean): void {
    for (const t of this.local.getAudioTracks()) t.enabled = !muted;
  }

  get cameraOff(): boolean {
    return this.local.getVideoTracks().every((t) => !t.enabled);
  }

  setCameraOff(off: boolean): void {
    for (const t of this.local.getVideoTracks()) t.enabled = !off;
  }

  /** Stops capture and closes the connection; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.local.getTracks()) t.stop();
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}
