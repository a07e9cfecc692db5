/**
 * The CallManager's PhoneDialer: each phone target of a call becomes one SIP
 * call through the connector, and what the phone does comes back as
 * handlePhone* inputs (spec 9's outcome mapping is the connector's).
 */
import type { CallCause } from '@cw/protocol';
import type { SipCall, SipCallEnd, SipConnector } from '@cw/sip-connector';
import type { Logger } from 'pino';
import type { PhoneTarget } from '../calls/call-targets.js';
import type { PhoneDialer } from '../calls/call-manager.js';

/** Where the phone side reports to (CallManager). */
export interface PhoneCallSink {
  handlePhoneProgress(callId: string, targetId: string): void;
  handlePhoneAnswer(callId: string, targetId: string, sdp: string): void;
  handlePhoneEnd(callId: string, targetId: string, cause: CallCause): void;
}

export class PhoneCalls implements PhoneDialer {
  #calls = new Map<string, SipCall>();
  sink?: PhoneCallSink;

  constructor(
    private readonly connector: SipConnector,
    private readonly logger: Logger,
  ) {}

  dial(callId: string, target: PhoneTarget, offer: { sdp: string; dn: string; video: boolean; widget: { uuid: string; name: string } }): void {
    const key = `${callId} ${target.id}`;
    const call = this.connector.call(target.address, offer.sdp, {
      callerName: offer.dn,
      headers: offer.widget.name ? [`Subject: ${sanitize(offer.widget.name)}`] : [],
    });
    this.#calls.set(key, call);
    this.logger.info({ call: callId, address: target.address, sip: call.id }, 'ringing a phone');
    call.onProgress(() => this.sink?.handlePhoneProgress(callId, target.id));
    call.onAnswer((sdp) => this.sink?.handlePhoneAnswer(callId, target.id, sdp));
    call.onEnd((end) => {
      this.#calls.delete(key);
      // Our own hang-ups were decided by the CallManager already.
      if (end.by !== 'local' || end.cause === 'no-answer') this.sink?.handlePhoneEnd(callId, target.id, causeOf(end));
    });
  }

  hangup(callId: string, targetId: string): void {
    const key = `${callId} ${targetId}`;
    const call = this.#calls.get(key);
    this.#calls.delete(key);
    call?.hangup();
  }

  /** SIP calls in progress (metrics, benchmarks). */
  get active(): number {
    return this.#calls.size;
  }
}

function causeOf(end: SipCallEnd): CallCause {
  switch (end.cause) {
    case 'cancelled':
      return 'cancelled';
    default:
      return end.cause;
  }
}

/** A header value: one line, printable. */
function sanitize(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 100);
}
