/**
 * The visitor's call to an agent (spec 2.2): the signalling and the phases
 * the call panel shows — CreateCall, the complete offer in Channels,
 * CallInfo handling, the ringback tone, the human end reasons. The WebRTC
 * side (capture, peer connection, SDP, mute, camera) is client-core's
 * CallMedia, shared with the console. While a video call rings, the
 * visitor sees their own camera and can change microphone and camera
 * (switched in the running call, no new offer). Framework-free; the
 * controller turns its changes into view state.
 */
import { CallMedia, currentDevice, listDevices, loadDeviceChoice, mediaFailure, rememberDevice, switchDevice, type DeviceKind, type DeviceOption } from '@cw/client-core';
import type { CallInfoMsg, VisitorInbound } from '@cw/protocol';
import type { CallPhase, CallView, EndReason } from './view.js';
import { Ringback } from './ringback.js';

// The wait for ICE gathering is shared with the agent console (client-core); the cap is re-exported for tests.
export { ICE_GATHER_CAP_MS } from '@cw/client-core';

export interface VisitorCallDeps {
  agent: string;
  dn: string;
  video: boolean;
  iceServers: RTCIceServer[];
  /** sends one message; false when the socket is down */
  send(m: VisitorInbound): boolean;
  onChange(): void;
}

const CAUSES: Record<string, EndReason> = {
  busy: 'busy',
  rejected: 'rejected',
  'no-answer': 'no-answer',
  unavailable: 'unavailable',
  'remote-hangup': 'remote-hangup',
  hangup: 'remote-hangup',
  error: 'error',
  // The server process carrying the call went away (cluster mode, spec 10).
  failed: 'network',
};

export class VisitorCall {
  readonly agent: string;
  readonly video: boolean;
  phase: CallPhase = 'media';
  reason?: EndReason;
  muted = false;
  cameraOff = false;
  connectedAt?: number;
  /** the pickers' lists (filled once capture is allowed) */
  devices: Record<DeviceKind, DeviceOption[]> = { mic: [], cam: [] };
  /** the last device switch failed (the previous device stays) */
  deviceFailed = false;
  #deps: VisitorCallDeps;
  #media: CallMedia | null = null;
  /** captured but not yet handed to a CallMedia (the call may end meanwhile) */
  #captured: MediaStream | null = null;
  #ring = new Ringback();
  #onDeviceChange = () => void this.#list();

  constructor(deps: VisitorCallDeps) {
    this.#deps = deps;
    this.agent = deps.agent;
    this.video = deps.video;
  }

  get active(): boolean {
    return this.phase !== 'ended';
  }

  /** The call's peer connection, once there is one (for the element's test hook). */
  get peer(): RTCPeerConnection | null {
    return this.#media?.peer ?? null;
  }

  /** Gets media (the remembered devices), then calls. */
  async start(): Promise<void> {
    const deps = this.#deps;
    try {
      this.#captured = await CallMedia.capture(deps.video, loadDeviceChoice());
    } catch (e) {
      this.#end(mediaFailure(e, deps.video));
      return;
    }
    if (!this.active) return this.#release();
    navigator.mediaDevices.addEventListener?.('devicechange', this.#onDeviceChange);
    void this.#list();
    return this.#place();
  }

  /** Uses another microphone or camera (while ringing or in the call) and remembers it for the next call. */
  async setDevice(kind: DeviceKind, id: string): Promise<void> {
    const stream = this.#media?.local ?? this.#captured;
    if (!stream || !this.active || id === currentDevice(stream, kind)) return;
    rememberDevice(kind, id);
    try {
      await (this.#media ? this.#media.switchDevice(kind, id) : switchDevice(stream, kind, id));
      this.deviceFailed = false;
    } catch {
      this.deviceFailed = true;
    }
    if (!this.active) return this.#release();
    this.#deps.onChange();
  }

  async #list(): Promise<void> {
    this.devices = await listDevices();
    if (this.active) this.#deps.onChange();
  }

  /** Sends CreateCall, then the complete offer in Channels. */
  async #place(): Promise<void> {
    const deps = this.#deps;
    const media = new CallMedia(this.#captured!, deps.iceServers, {
      remote: () => deps.onChange(),
      trouble: (t) => {
        if (t === 'failed' && this.active) this.hangUp('network');
      },
    });
    this.#media = media;
    this.#captured = null;
    this.phase = 'calling';
    deps.onChange();
    if (!deps.send({ mt: 'CreateCall', dest: deps.agent, dn: deps.dn, video: deps.video })) return this.#end('network');
    let sdp: string;
    try {
      sdp = await media.offer();
    } catch {
      return this.hangUp('error');
    }
    // The agent may have been unavailable: the server ends the call right after CreateCall.
    if (!this.active) return;
    if (!deps.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp })) this.#end('network');
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
      if (m.sdp && this.#media) {
        try {
          await this.#media.accept(m.sdp);
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
    this.#deps.onChange();
  }

  /** The call as the UI shows it. */
  view(agentDn: string): CallView {
    const { agent, video, phase, reason, muted, cameraOff, connectedAt, devices, deviceFailed } = this;
    const local = this.#media?.local ?? this.#captured;
    return {
      agent, agentDn, video, phase, reason, muted, cameraOff, connectedAt, local, remote: this.#media?.remote ?? null,
      devices, deviceFailed, mic: currentDevice(local, 'mic'), cam: currentDevice(local, 'cam'),
    };
  }

  /** The visitor hangs up (or the widget ends the call for `reason`). */
  hangUp(reason: EndReason = 'hangup'): void {
    if (!this.active) return;
    if (this.phase !== 'media') this.#deps.send({ mt: 'ClearCall' });
    this.#end(reason);
  }

  /** The socket went away: the server ends the call with it. */
  lost(): void {
    if (this.active) this.#end('network');
  }

  toggleMute(): void {
    this.muted = !this.muted;
    this.#media?.setMuted(this.muted);
    this.#deps.onChange();
  }

  toggleCamera(): void {
    this.cameraOff = !this.cameraOff;
    this.#media?.setCameraOff(this.cameraOff);
    this.#deps.onChange();
  }

  #end(reason: EndReason): void {
    this.phase = 'ended';
    this.reason = reason;
    this.#release();
    this.#deps.onChange();
  }

  #release(): void {
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    this.#ring.stop();
    for (const t of this.#captured?.getTracks() ?? []) t.stop();
    this.#captured = null;
    this.#media?.close();
  }
}
