/**
 * Calls on the agent channel: ringing (tone, notification, announcement),
 * accepting with a complete SDP answer, the call itself, ending it. The
 * WebRTC side is client-core's CallMedia, shared with the widget; the
 * agent's microphone and camera are the remembered ones and can be changed
 * during the call (client-core devices.ts).
 */
import { CallMedia, currentDevice, listDevices, loadDeviceChoice, mediaFailure, msg, rememberDevice, type DeviceKind, type MediaFailure, type MediaTrouble } from '@cw/client-core';
import type { CallInfoMsg, IncomingCallMsg } from '@cw/protocol';
import type { Ringtone } from '../media/ringtone.js';
import { announce, notifyIfHidden } from '../notify.js';
import type { StoreContext } from './context.js';
import type { ActiveCall, RingingCall } from './types.js';
import { t } from '../i18n.js';

const CAUSE_TEXT: Record<string, string> = {
  'answered-elsewhere': msg('answered on another console'),
  cancelled: msg('the caller hung up'),
  'remote-hangup': msg('the caller hung up'),
  hangup: msg('you hung up'),
  'no-answer': msg('nobody answered'),
  rejected: msg('declined'),
  busy: msg('busy'),
  unavailable: msg('unavailable'),
  error: msg('an error occurred'),
  failed: msg('the connection to the caller was lost'),
};

/** Why a call could not be accepted, by what getUserMedia said. */
const MEDIA_FAILURE_TEXT: Record<MediaFailure, string> = {
  'mic-denied': msg('the browser did not allow the microphone or camera'),
  'cam-denied': msg('the browser did not allow the microphone or camera'),
  'no-device': msg('no microphone or camera was found'),
  error: msg('the call could not be set up'),
};

export function causeText(cause: string | undefined): string {
  return (cause && CAUSE_TEXT[cause] && t(CAUSE_TEXT[cause])) || cause || t('ended');
}

export class CallController {
  #ctx: StoreContext;
  #ring: Ringtone;
  #offers = new Map<string, string>();
  #closeNotification = new Map<string, () => void>();
  #media: CallMedia | null = null;
  iceServers: RTCIceServer[] = [];

  constructor(ctx: StoreContext, ring: Ringtone) {
    this.#ctx = ctx;
    this.#ring = ring;
  }

  /** The live peer connection, for the test hook and diagnostics. */
  get peer(): RTCPeerConnection | null {
    return this.#media?.peer ?? null;
  }

  onIncoming(m: IncomingCallMsg): void {
    const state = this.#ctx.state;
    if (state.ringing.some((other) => other.id === m.call) || state.call?.id === m.call) return;
    this.#offers.set(m.call, m.sdp);
    const ringing: RingingCall = { id: m.call, from: { dn: m.from?.dn ?? t('Visitor') }, widget: m.widget ?? null, video: !!m.video, since: this.#ctx.now(), ...(m.visitor ? { visitor: m.visitor } : {}) };
    this.#ctx.set({ ringing: [...state.ringing, ringing] });
    this.#updateRing();
    const name = ringing.from.dn;
    const widget = ringing.widget?.name;
    const via = widget ? ` ${t('via {widget}', { widget })}` : '';
    if (widget) announce(t(ringing.video ? 'Incoming video call from {name} via {widget}.' : 'Incoming voice call from {name} via {widget}.', { name, widget }));
    else announce(t(ringing.video ? 'Incoming video call from {name}.' : 'Incoming voice call from {name}.', { name }));
    this.#closeNotification.set(ringing.id, notifyIfHidden(t(ringing.video ? 'Incoming video call' : 'Incoming voice call'), `${name}${via}`, `call:${ringing.id}`));
  }

  onCallInfo(m: CallInfoMsg): void {
    const id = m.call;
    if (!id) return;
    const state = this.#ctx.state;
    if (m.state === 'terminated') {
      const ringing = state.ringing.find((x) => x.id === id);
      if (ringing) {
        this.#dropRinging(id);
        const name = ringing.from.dn;
        const via = ringing.widget?.name ? ` ${t('via {widget}', { widget: ringing.widget.name })}` : '';
        if (m.cause !== 'answered-elsewhere') this.#ctx.onMissed?.();
        if (m.cause === 'answered-elsewhere') this.#ctx.notice(t('The call from {name} was answered on another console.', { name }));
        // A missed call stays on screen until the agent dismisses it.
        else if (m.cause === 'cancelled' || m.cause === 'no-answer') this.#ctx.notice(`${t(ringing.video ? 'Missed video call from {name}' : 'Missed voice call from {name}', { name })}${via}.`, 'warning');
        else this.#ctx.notice(t('The call from {name} ended: {cause}.', { name, cause: causeText(m.cause) }));
      }
      if (state.call?.id === id) this.#end(t('Call with {name} ended: {cause}.', { name: state.call.from.dn, cause: causeText(m.cause) }));
      return;
    }
    if (m.state === 'connected' && state.call?.id === id && state.call.phase !== 'active') {
      this.#patchCall({ phase: 'active', connectedAt: state.call.connectedAt ?? this.#ctx.now() });
      announce(t('Call with {name} connected.', { name: state.call.from.dn }));
    }
  }

  /** Accepts a ringing call: capture, answer, send AcceptCall with the complete SDP. */
  async accept(id: string): Promise<void> {
    const state = this.#ctx.state;
    const ringing = state.ringing.find((x) => x.id === id);
    const offer = this.#offers.get(id);
    if (!ringing || !offer || state.call) return;
    const call: ActiveCall = { id, from: ringing.from, widget: ringing.widget, video: ringing.video, ...(ringing.visitor ? { visitor: ringing.visitor } : {}), phase: 'accepting', connectedAt: null, muted: false, cameraOff: false, trouble: 'none', local: null, remote: null };
    this.#dropRinging(id);
    this.#ctx.set({ call });
    let local: MediaStream | null = null;
    let media: CallMedia | null = null;
    let sdp: string;
    try {
      local = await CallMedia.capture(ringing.video, loadDeviceChoice());
      media = new CallMedia(local, this.iceServers, {
        remote: (stream) => this.#patchCall({ remote: stream }),
        trouble: (t) => this.#onTrouble(t),
      });
      sdp = await media.answer(offer);
    } catch (e) {
      for (const t of local?.getTracks() ?? []) t.stop();
      media?.close();
      this.#ctx.send({ mt: 'RejectCall', call: id });
      this.#ctx.set({ call: null });
      this.#ctx.notice(t('Could not accept the call: {reason}.', { reason: t(MEDIA_FAILURE_TEXT[mediaFailure(e, ringing.video)]) }), 'error');
      return;
    }
    // The call may have ended (caller hung up, answered elsewhere) while we were answering.
    if (this.#ctx.state.call?.id !== id) {
      media.close();
      return;
    }
    this.#media = media;
    if (!this.#ctx.send({ mt: 'AcceptCall', call: id, sdp })) {
      this.#end(t("The call could not be accepted: the connection to the server is down."));
      return;
    }
    this.#patchCall({ phase: 'connecting', local: media.local, remote: media.remote, mic: currentDevice(media.local, 'mic'), cam: currentDevice(media.local, 'cam') });
    const devices = await listDevices();
    if (this.#media === media) this.#patchCall({ devices });
  }

  /** Another microphone or camera during the call, remembered for the next one. */
  async setDevice(kind: DeviceKind, id: string): Promise<void> {
    const media = this.#media;
    const call = this.#ctx.state.call;
    if (!media || !call || id === currentDevice(media.local, kind)) return;
    rememberDevice(kind, id);
    try {
      await media.switchDevice(kind, id);
    } catch (e) {
      this.#ctx.notice(t('Could not use that device: {reason}.', { reason: t(MEDIA_FAILURE_TEXT[mediaFailure(e, kind === 'cam')]) }), 'error');
    }
    if (this.#media === media) this.#patchCall({ mic: currentDevice(media.local, 'mic'), cam: currentDevice(media.local, 'cam') });
  }

  decline(id: string): void {
    if (!this.#ctx.state.ringing.some((r) => r.id === id)) return;
    this.#ctx.send({ mt: 'RejectCall', call: id });
    this.#dropRinging(id);
    this.#ctx.onMissed?.();
  }

  hangUp(): void {
    const call = this.#ctx.state.call;
    if (!call) return;
    this.#ctx.send({ mt: 'ClearCall', call: call.id });
    this.#end(t('Call with {name} ended.', { name: call.from.dn }));
  }

  toggleMute(): void {
    const call = this.#ctx.state.call;
    if (!call || !this.#media) return;
    this.#media.setMuted(!call.muted);
    this.#patchCall({ muted: !call.muted });
  }

  toggleCamera(): void {
    const call = this.#ctx.state.call;
    if (!call || !this.#media) return;
    this.#media.setCameraOff(!call.cameraOff);
    this.#patchCall({ cameraOff: !call.cameraOff });
  }

  /** The agent channel dropped: ringing calls are gone, a running call cannot be signalled any more. */
  onLinkLost(): void {
    for (const r of this.#ctx.state.ringing) this.#dropRinging(r.id);
    const call = this.#ctx.state.call;
    if (call) this.#end(t('The call with {name} ended because the connection to the server was lost.', { name: call.from.dn }), 'warning');
  }

  /** An Error reply to one of our call messages. */
  onError(ref: string | null, text: string): void {
    const call = this.#ctx.state.call;
    if (ref === 'AcceptCall' && call && call.phase !== 'active') this.#end(t('The call could not be accepted: {reason}', { reason: text }));
  }

  #onTrouble(trouble: MediaTrouble): void {
    const call = this.#ctx.state.call;
    if (!call) return;
    if (trouble === 'failed') {
      this.#ctx.send({ mt: 'ClearCall', call: call.id });
      this.#end(t('The call with {name} ended: the network connection was lost.', { name: call.from.dn }), 'warning');
      return;
    }
    this.#patchCall({ trouble });
    if (trouble === 'unstable') announce(t("Network problem: the call connection is unstable."), 'assertive');
  }

  #patchCall(patch: Partial<ActiveCall>): void {
    const call = this.#ctx.state.call;
    if (call) this.#ctx.set({ call: { ...call, ...patch } });
  }

  #end(text: string, kind: 'info' | 'warning' = 'info'): void {
    this.#media?.close();
    this.#media = null;
    this.#ctx.set({ call: null });
    this.#ctx.notice(text, kind);
    announce(text);
  }

  #dropRinging(id: string): void {
    this.#offers.delete(id);
    this.#closeNotification.get(id)?.();
    this.#closeNotification.delete(id);
    this.#ctx.set({ ringing: this.#ctx.state.ringing.filter((r) => r.id !== id) });
    this.#updateRing();
  }

  #updateRing(): void {
    if (this.#ctx.state.ringing.length > 0) this.#ring.start();
    else this.#ring.stop();
  }
}
