/**
 * One WebRTC call from the visitor to an agent (spec 2.2): local media, a
 * complete SDP offer (ICE gathering waited for, but capped), CallInfo
 * handling, mute and camera switches. Framework-free; the controller turns
 * its changes into view state.
 */
import type { CallInfoMsg, VisitorInbound } from '@cw/protocol';
import { iceGathered } from '@cw/client-core';
import type { CallPhase, CallView, EndReason } from './model.js';
import { Ringback } from './ringback.js';

// The wait for ICE gathering is shared with the agent console (client-core); the cap is re-exported for tests.
export { ICE_GATHER_CAP_MS } from '@cw/client-core';

export interface CallDeps {
  agent: string;
  dn: string;
  video: boolean;
  iceServers: RTCIceServer[];
  /** sends one message; false when the socket is down */
  send(m: VisitorInbound): boolean;
  onChange(): void;
}

/** Maps a getUserMedia failure to what the visitor is told. */
export function mediaError(e: unknown, video: boolean): EndReason {
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return video ? 'cam-denied' : 'mic-denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no-device';
  return 'error';
}

const CAUSES: Record<string, EndReason> = {
  busy: 'busy',
  rejected: 'rejected',
  'no-answer': 'no-answer',
  unavailable: 'unavailable',
  'remote-hangup': 'remote-hangup',
  hangup: 'remote-hangup',
  error: 'error',
};

export class CallSession {
  readonly agent: string;
  readonly video: boolean;
  phase: CallPhase = 'media';
  reason?: EndReason;
  muted = false;
  cameraOff = false;
  connectedAt?: number;
  local: MediaStream | null = null;
  remote: MediaStream | null = null;
  pc: RTCPeerConnection | null = null;
  #d: CallDeps;
  #ring = new Ringback();

  constructor(d: CallDeps) {
    this.#d = d;
    this.agent = d.agent;
    this.video = d.video;
  }

  get active(): boolean {
    return this.phase !== 'ended';
  }

  /** Gets media, sends CreateCall, then the complete offer in Channels. */
  async start(): Promise<void> {
    const d = this.#d;
    try {
      this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: d.video });
    } catch (e) {
      this.#end(mediaError(e, d.video));
      return;
    }
    if (!this.active) return this.#release();
    const pc = new RTCPeerConnection({ iceServers: d.iceServers });
    this.pc = pc;
    for (const t of this.local.getTracks()) pc.addTrack(t, this.local);
    // Voice calls still receive nothing but audio; video calls send and receive both.
    this.remote = new MediaStream();
    pc.addEventListener('track', (e) => {
      this.remote?.addTrack(e.track);
      d.onChange();
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' && this.active) this.hangUp('network');
    });
    this.phase = 'calling';
    d.onChange();
    if (!d.send({ mt: 'CreateCall', dest: d.agent, dn: d.dn, video: d.video })) return this.#end('network');
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc, d.iceServers);
    } catch {
      return this.hangUp('error');
    }
    // The agent may have been unavailable: the server ends the call right after CreateCall.
    if (!this.active) return;
    if (!d.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: pc.localDescription!.sdp })) this.#end('network');
  }

  /** Feeds a CallInfo from the server. */
  async handle(m: CallInfoMsg): Promise<void> {
    if (!this.active) return;
    if (m.state === 'alerting') {
      if (this.phase === 'calling') {
        this.phase = 'alerting';
        this.#ring.start();
      }
    } else if (m.state === 'connected') {
      if (m.sdp && this.pc && this.pc.signalingState === 'have-local-offer') {
        try {
          await this.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
        } catch {
          return this.hangUp('error');
        }
      }
      this.#ring.stop();
      this.phase = 'connected';
      this.connectedAt = Date.now();
    } else if (m.state === 'terminated') {
      this.#end(m.cause ? (CAUSES[m.cause] ?? 'error') : 'ended');
      return;
    }
    this.#d.onChange();
  }

  /** The call as the UI shows it. */
  view(agentDn: string): CallView {
    const { agent, video, phase, reason, muted, cameraOff, connectedAt, local, remote } = this;
    return { agent, agentDn, video, phase, reason, muted, cameraOff, connectedAt, local, remote };
  }

  /** The visitor hangs up (or the widget ends the call for `reason`). */
  hangUp(reason: EndReason = 'hangup'): void {
    if (!this.active) return;
    if (this.phase !== 'media') this.#d.send({ mt: 'ClearCall' });
    this.#end(reason);
  }

  /** The socket went away: the server ends the call with it. */
  lost(): void {
    if (this.active) this.#end('network');
  }

  toggleMute(): void {
    this.muted = !this.muted;
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = !this.muted;
    this.#d.onChange();
  }

  toggleCamera(): void {
    this.cameraOff = !this.cameraOff;
    for (const t of this.local?.getVideoTracks() ?? []) t.enabled = !this.cameraOff;
    this.#d.onChange();
  }

  #end(reason: EndReason): void {
    this.phase = 'ended';
    this.reason = reason;
    this.#release();
    this.#d.onChange();
  }

  #release(): void {
    this.#ring.stop();
    for (const t of this.local?.getTracks() ?? []) t.stop();
    try {
      this.pc?.close();
    } catch {
      /* already closed */
    }
  }
}
