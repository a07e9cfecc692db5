/**
 * One outbound call: INVITE from the app's account to a phone, carrying the
 * visitor's SDP offer unchanged. Emits `progress` (18x), `answer` (2xx: ACK is
 * sent, the phone's SDP is handed on) and `end` exactly once. Inside the
 * dialog: BYE ends it, re-INVITE (hold, session refresh) is answered from the
 * visitor's description, INFO/MESSAGE are accepted, OPTIONS by SIP.js.
 */
import crypto from 'node:crypto';
import type {
  AckableIncomingResponseWithSession,
  IncomingInviteRequest,
  IncomingResponse,
  OutgoingInviteRequest,
  PrackableIncomingResponseWithSession,
  Session,
  URI,
} from 'sip.js/lib/core/index.js';
import { Listeners } from './emitter.js';
import { causeForStatus } from './outcome.js';
import { answerReoffer } from './sdp.js';
import type { SipStack } from './stack.js';
import type { SipCallEnd, SipLogger } from './types.js';

export type SipCallState = 'calling' | 'ringing' | 'connected' | 'ended';

export interface SipCallOptions {
  /** Shown on the phone as the caller (From display name). */
  callerName?: string;
  /** Ends the call with `no-answer` (and CANCEL) when no final answer came in time. */
  ringTimeoutMs?: number;
  /** Extra header lines for the INVITE (`Subject: …`). */
  headers?: string[];
}

export class SipCall {
  readonly id = crypto.randomUUID();
  state: SipCallState = 'calling';
  /** When INVITE was handed to the transport, and when 200 OK arrived (ms). */
  readonly times: { invite?: number; answered?: number } = {};
  readonly #progress: Listeners<[code: number, reason: string]>;
  readonly #answer: Listeners<[sdp: string]>;
  readonly #end: Listeners<[end: SipCallEnd]>;
  #request?: OutgoingInviteRequest;
  #session?: Session;
  #earlySdp?: string;
  #lastSdp: string;
  #timer?: NodeJS.Timeout;
  #cancelled = false;
  #contactHeader?: string;

  constructor(
    readonly target: URI,
    private readonly offer: string,
    private readonly logger: SipLogger,
    private readonly opts: SipCallOptions = {},
  ) {
    this.#progress = new Listeners(logger, 'progress');
    this.#answer = new Listeners(logger, 'answer');
    this.#end = new Listeners(logger, 'end');
    this.#lastSdp = offer;
  }

  onProgress(fn: (code: number, reason: string) => void): () => void {
    return this.#progress.add(fn);
  }
  onAnswer(fn: (sdp: string) => void): () => void {
    return this.#answer.add(fn);
  }
  onEnd(fn: (end: SipCallEnd) => void): () => void {
    return this.#end.add(fn);
  }

  /** Sends the INVITE on this stack. */
  start(stack: SipStack): void {
    const message = stack.request('INVITE', this.target, this.target, {
      fromDisplayName: displayName(this.opts.callerName),
      extraHeaders: [`Contact: ${stack.contact.toString()}`, 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, INFO', ...(this.opts.headers ?? [])],
      body: { contentType: 'application/sdp', content: this.offer },
    });
    this.#contactHeader = stack.contact.toString();
    this.times.invite = Date.now();
    try {
      this.#request = stack.core.invite(message, {
        onTrying: () => undefined,
        onProgress: (r) => this.#onProgress(r),
        onAccept: (r) => this.#onAccept(r),
        onRedirect: (r) => this.#onFinal(r),
        onReject: (r) => this.#onFinal(r),
      });
    } catch (err) {
      this.logger.warn({ err: String(err), call: this.id }, 'INVITE could not be sent');
      this.#finish({ cause: 'failed', by: 'network', reason: String(err) });
      return;
    }
    if (this.opts.ringTimeoutMs) {
      this.#timer = setTimeout(() => this.#ringTimeout(), this.opts.ringTimeoutMs);
      this.#timer.unref();
    }
  }

  /** Our side hangs up: CANCEL while it rings, BYE once connected. */
  hangup(): void {
    if (this.state === 'ended') return;
    if (this.state === 'connected' && this.#session) {
      this.#bye(this.#session);
      this.#finish({ cause: 'hangup', by: 'local' });
      return;
    }
    this.#cancel();
    this.#finish({ cause: 'cancelled', by: 'local' });
  }

  /** The connection to the PBX is gone: the call cannot go on. */
  lost(reason: string): void {
    this.#finish({ cause: 'failed', by: 'network', reason });
  }

  #onProgress(r: PrackableIncomingResponseWithSession): void {
    if (this.state === 'ended') return;
    const code = r.message.statusCode ?? 0;
    if (r.message.body && /application\/sdp/i.test(r.message.getHeader('content-type') ?? '')) this.#earlySdp = r.message.body;
    if (code === 180 || code === 183) {
      const first = this.state === 'calling';
      this.state = 'ringing';
      if (first || code === 183) this.#progress.emit(code, r.message.reasonPhrase ?? '');
    }
  }

  #onAccept(r: AckableIncomingResponseWithSession): void {
    // ACK every 2xx, also a late one after we gave up: a phone must not wait for it.
    try {
      r.ack();
    } catch (err) {
      this.logger.warn({ err: String(err), call: this.id }, 'ACK failed');
    }
    if (this.state === 'ended' || this.#session) {
      // Answered after CANCEL/timeout, or a second fork: hang that one up.
      this.#bye(r.session);
      return;
    }
    this.#clearTimer();
    const sdp = r.message.body && /application\/sdp/i.test(r.message.getHeader('content-type') ?? '') ? r.message.body : this.#earlySdp;
    if (!sdp) {
      this.logger.warn({ call: this.id }, '200 OK without SDP answer');
      this.#bye(r.session);
      this.#finish({ cause: 'error', code: r.message.statusCode, reason: 'answer without SDP', by: 'remote' });
      return;
    }
    this.#session = r.session;
    this.state = 'connected';
    this.times.answered = Date.now();
    r.session.delegate = {
      onBye: (req) => {
        req.accept();
        this.#finish({ cause: 'hangup', by: 'remote' });
      },
      onInvite: (req) => this.#onReinvite(req),
      onInfo: (req) => req.accept(),
      onMessage: (req) => req.accept(),
      onNotify: (req) => req.reject({ statusCode: 481 }),
      onRefer: (req) => req.reject({ statusCode: 603 }),
      onAckTimeout: () => {
        this.logger.warn({ call: this.id }, 'no ACK for our answer to a re-INVITE: hanging up');
        this.hangup();
      },
    };
    this.#answer.emit(sdp);
  }

  #onReinvite(req: IncomingInviteRequest): void {
    const stackContact = this.#contactHeader;
    try {
      const offer = req.message.body ?? '';
      const answer = answerReoffer(this.offer, this.#lastSdp, offer);
      this.#lastSdp = answer;
      req.accept({
        statusCode: 200,
        extraHeaders: stackContact ? [`Contact: ${stackContact}`] : [],
        body: { contentDisposition: 'session', contentType: 'application/sdp', content: answer },
      });
    } catch (err) {
      this.logger.warn({ err: String(err), call: this.id }, 're-INVITE could not be answered');
      try {
        req.reject({ statusCode: 488 });
      } catch {
        // nothing more to do
      }
    }
  }

  #onFinal(r: IncomingResponse): void {
    if (this.state === 'ended' || this.#session) return;
    const code = r.message.statusCode ?? 0;
    const reason = r.message.reasonPhrase ?? '';
    if (code === 487 && this.#cancelled) return;
    // SIP.js turns a transport failure into 503 and a transaction timeout into 408.
    const local = !r.message.hasHeader('via');
    const cause = local ? 'failed' : causeForStatus(code);
    this.#finish({ cause, code, reason, by: local ? 'network' : 'remote' });
  }

  #ringTimeout(): void {
    if (this.state !== 'calling' && this.state !== 'ringing') return;
    this.#cancel();
    this.#finish({ cause: 'no-answer', by: 'local' });
  }

  #cancel(): void {
    if (this.#cancelled || !this.#request) return;
    this.#cancelled = true;
    try {
      this.#request.cancel();
    } catch (err) {
      this.logger.debug({ err: String(err), call: this.id }, 'CANCEL');
    }
  }

  #bye(session: Session): void {
    try {
      session.bye();
    } catch (err) {
      this.logger.debug({ err: String(err), call: this.id }, 'BYE');
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #finish(end: SipCallEnd): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.#clearTimer();
    this.logger.info({ call: this.id, target: this.target.toString(), ...end }, 'SIP call ended');
    this.#end.emit(end);
    this.#progress.clear();
    this.#answer.clear();
    this.#end.clear();
  }
}

/** A display name for a From header: no quotes, backslashes or control characters; short. */
export function displayName(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return s.replace(/["\\\x00-\x1f\x7f]/g, '').trim().slice(0, 64);
}
