/**
 * Calls on the agent channel: ringing (tone, notification, announcement),
 * accepting with a complete SDP answer, the call itself, ending it.
 */
import type { CallInfoMsg, IncomingCallMsg } from '@cw/protocol';
import { CallSession, type MediaTrouble } from '../media/call-session.js';
import type { Ringtone } from '../media/ringtone.js';
import { announce, notifyIfHidden } from '../notify.js';
import type { StoreContext } from './context.js';
import type { ActiveCall, RingingCall } from './types.js';

const CAUSE_TEXT: Record<string, string> = {
  'answered-elsewhere': 'answered on another console',
  cancelled: 'the caller hung up',
  'remote-hangup': 'the caller hung up',
  hangup: 'you hung up',
  'no-answer': 'nobody answered',
  rejected: 'declined',
  busy: 'busy',
  unavailable: 'unavailable',
  error: 'an error occurred',
  failed: 'the connection to the caller was lost',
};

export function causeText(cause: string | undefined): string {
  return (cause && CAUSE_TEXT[cause]) || cause || 'ended';
}

export class CallController {
  #ctx: StoreContext;
  #ring: Ringtone;
  #offers = new Map<string, string>();
  #closeNotification = new Map<string, () => void>();
  #session: CallSession | null = null;
  iceServers: RTCIceServer[] = [];

  constructor(ctx: StoreContext, ring: Ringtone) {
    this.#ctx = ctx;
    this.#ring = ring;
  }

  /** The live peer connection, for the test hook and diagnostics. */
  get peer(): RTCPeerConnection | null {
    return this.#session?.pc ?? null;
  }

  onIncoming(m: IncomingCallMsg): void {
    const s = this.#ctx.state;
    if (s.ringing.some((r) => r.id === m.call) || s.call?.id === m.call) return;
    this.#offers.set(m.call, m.sdp);
    const r: RingingCall = { id: m.call, from: { dn: m.from?.dn ?? 'Visitor' }, widget: m.widget ?? null, video: !!m.video, since: this.#ctx.now() };
    this.#ctx.set({ ringing: [...s.ringing, r] });
    this.#updateRing();
    const kind = r.video ? 'Video call' : 'Voice call';
    const via = r.widget?.name ? ` via ${r.widget.name}` : '';
    announce(`Incoming ${kind.toLowerCase()} from ${r.from.dn}${via}.`, 'assertive');
    this.#closeNotification.set(r.id, notifyIfHidden(`Incoming ${kind.toLowerCase()}`, `${r.from.dn}${via}`, `call:${r.id}`));
  }

  onCallInfo(m: CallInfoMsg): void {
    const id = m.call;
    if (!id) return;
    const s = this.#ctx.state;
    if (m.state === 'terminated') {
      if (s.ringing.some((r) => r.id === id)) {
        const r = s.ringing.find((x) => x.id === id)!;
        this.#dropRinging(id);
        const via = r.widget?.name ? ` via ${r.widget.name}` : '';
        if (m.cause === 'answered-elsewhere') this.#ctx.notice(`The call from ${r.from.dn} was answered on another console.`);
        // A missed call stays on screen until the agent dismisses it.
        else if (m.cause === 'cancelled' || m.cause === 'no-answer') this.#ctx.notice(`Missed ${r.video ? 'video' : 'voice'} call from ${r.from.dn}${via}.`, 'warning');
        else this.#ctx.notice(`The call from ${r.from.dn} ended: ${causeText(m.cause)}.`);
      }
      if (s.call?.id === id) this.#end(`Call with ${s.call.from.dn} ended: ${causeText(m.cause)}.`);
      return;
    }
    if (m.state === 'connected' && s.call?.id === id && s.call.phase !== 'active') {
      this.#patchCall({ phase: 'active', connectedAt: s.call.connectedAt ?? this.#ctx.now() });
      announce(`Call with ${s.call.from.dn} connected.`);
    }
  }

  /** Accepts a ringing call: capture, answer, send AcceptCall with the complete SDP. */
  async accept(id: string): Promise<void> {
    const s = this.#ctx.state;
    const r = s.ringing.find((x) => x.id === id);
    const offer = this.#offers.get(id);
    if (!r || !offer || s.call) return;
    const call: ActiveCall = { id, from: r.from, widget: r.widget, video: r.video, phase: 'accepting', connectedAt: null, muted: false, cameraOff: false, trouble: 'none', local: null, remote: null };
    this.#dropRinging(id);
    this.#ctx.set({ call });
    let result: { session: CallSession; sdp: string };
    try {
      result = await CallSession.answer(offer, r.video, this.iceServers, {
        remoteStream: (stream) => this.#patchCall({ remote: stream }),
        trouble: (t) => this.#onTrouble(t),
      });
    } catch (e) {
      this.#ctx.send({ mt: 'RejectCall', call: id });
      this.#ctx.set({ call: null });
      const name = (e as Error)?.name;
      const why = name === 'NotAllowedError' ? 'the browser did not allow the microphone or camera' : name === 'NotFoundError' ? 'no microphone or camera was found' : 'the call could not be set up';
      this.#ctx.notice(`Could not accept the call: ${why}.`, 'error');
      return;
    }
    // The call may have ended (caller hung up, answered elsewhere) while we were answering.
    if (this.#ctx.state.call?.id !== id) {
      result.session.close();
      return;
    }
    this.#session = result.session;
    if (!this.#ctx.send({ mt: 'AcceptCall', call: id, sdp: result.sdp })) {
      this.#end('The call could not be accepted: the connection to the server is down.');
      return;
    }
    this.#patchCall({ phase: 'connecting', local: result.session.local, remote: result.session.remote });
  }

  decline(id: string): void {
    if (!this.#ctx.state.ringing.some((r) => r.id === id)) return;
    this.#ctx.send({ mt: 'RejectCall', call: id });
    this.#dropRinging(id);
  }

  hangUp(): void {
    const c = this.#ctx.state.call;
    if (!c) return;
    this.#ctx.send({ mt: 'ClearCall', call: c.id });
    this.#end(`Call with ${c.from.dn} ended.`);
  }

  toggleMute(): void {
    const c = this.#ctx.state.call;
    if (!c || !this.#session) return;
    this.#session.setMuted(!c.muted);
    this.#patchCall({ muted: !c.muted });
  }

  toggleCamera(): void {
    const c = this.#ctx.state.call;
    if (!c || !this.#session) return;
    this.#session.setCameraOff(!c.cameraOff);
    this.#patchCall({ cameraOff: !c.cameraOff });
  }

  /** The agent channel dropped: ringing calls are gone, a running call cannot be signalled any more. */
  onLinkLost(): void {
    for (const r of this.#ctx.state.ringing) this.#dropRinging(r.id);
    const c = this.#ctx.state.call;
    if (c) this.#end(`The call with ${c.from.dn} ended because the connection to the server was lost.`, 'warning');
  }

  /** An Error reply to one of our call messages. */
  onError(ref: string | null, text: string): void {
    const c = this.#ctx.state.call;
    if (ref === 'AcceptCall' && c && c.phase !== 'active') this.#end(`The call could not be accepted: ${text}`);
  }

  #onTrouble(t: MediaTrouble): void {
    const c = this.#ctx.state.call;
    if (!c) return;
    if (t === 'failed') {
      this.#ctx.send({ mt: 'ClearCall', call: c.id });
      this.#end(`The call with ${c.from.dn} ended: the network connection was lost.`, 'warning');
      return;
    }
    this.#patchCall({ trouble: t });
    if (t === 'unstable') announce('Network problem: the call connection is unstable.', 'assertive');
  }

  #patchCall(p: Partial<ActiveCall>): void {
    const c = this.#ctx.state.call;
    if (c) this.#ctx.set({ call: { ...c, ...p } });
  }

  #end(text: string, kind: 'info' | 'warning' = 'info'): void {
    this.#session?.close();
    this.#session = null;
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
