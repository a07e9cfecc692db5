/**
 * Keeps the app's account registered at the PBX: REGISTER, refresh at 85 % of
 * the granted expiry, 423 → the PBX's Min-Expires, and after a failure a new
 * attempt with backoff. Digest challenges (401/407) are answered by SIP.js.
 */
import crypto from 'node:crypto';
import { URI, type IncomingResponse, type OutgoingRegisterRequest } from 'sip.js/lib/core/index.js';
import type { ReconnectPolicy } from '@cw/client-core';
import type { SipStack } from './stack.js';
import type { SipLogger } from './types.js';

export type RegistrationOutcome = { ok: true; expiresS: number } | { ok: false; reason: string; code?: number };

export interface RegistrationDeps {
  aor: URI;
  registrarUri: URI;
  intervalS: number;
  logger: SipLogger;
  backoff: ReconnectPolicy;
  /** Called after every REGISTER exchange. */
  onOutcome(outcome: RegistrationOutcome): void;
}

export class Registration {
  #stack?: SipStack;
  readonly #callId = crypto.randomBytes(12).toString('hex');
  #cseq = 1;
  #timer?: NodeJS.Timeout;
  #attempt = 0;
  #intervalS: number;
  #inFlight?: OutgoingRegisterRequest;
  #stopped = false;

  constructor(private readonly deps: RegistrationDeps) {
    this.#intervalS = deps.intervalS;
  }

  /** Registers over this stack (a new connection): at once. */
  attach(stack: SipStack): void {
    this.#stack = stack;
    this.#attempt = 0;
    this.#clear();
    this.#register();
  }

  /** The stack is gone: nothing to refresh until the next attach. */
  detach(): void {
    this.#stack = undefined;
    this.#clear();
    this.#inFlight = undefined;
  }

  /** Unregisters (expires 0) and waits for the answer, at most `timeoutMs`. */
  async stop(timeoutMs = 2000): Promise<void> {
    this.#stopped = true;
    this.#clear();
    const stack = this.#stack;
    if (!stack || stack.closed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      try {
        stack.core.register(this.#message(stack, 0), { onAccept: done, onReject: done, onRedirect: done });
      } catch {
        done();
      }
    });
  }

  #register(): void {
    const stack = this.#stack;
    if (!stack || stack.closed || this.#stopped) return;
    const message = this.#message(stack, this.#intervalS);
    const finish = (response: IncomingResponse) => {
      if (this.#inFlight !== request || this.#stack !== stack) return; // a newer attempt or connection took over
      this.#inFlight = undefined;
      this.#cseq = message.cseq + 1;
      this.#handle(stack, response);
    };
    const request = stack.core.register(message, { onAccept: finish, onReject: finish, onRedirect: finish });
    this.#inFlight = request;
  }

  #handle(stack: SipStack, response: IncomingResponse): void {
    const m = response.message;
    const code = m.statusCode ?? 0;
    if (code >= 200 && code < 300) {
      const expires = grantedExpires(m, stack, this.#intervalS);
      if (expires <= 0) return this.#fail(stack, 'the registrar kept no binding for our contact');
      this.#attempt = 0;
      this.deps.onOutcome({ ok: true, expiresS: expires });
      this.#schedule(Math.max(1, Math.floor(expires * 0.85)) * 1000);
      return;
    }
    if (code === 423) {
      const min = Number(m.getHeader('min-expires'));
      if (Number.isFinite(min) && min > this.#intervalS && min <= 86_400) {
        this.deps.logger.info({ minExpires: min }, 'registrar wants a longer registration interval');
        this.#intervalS = min;
        return this.#register();
      }
    }
    this.#fail(stack, `${code} ${m.reasonPhrase ?? ''}`.trim(), code);
  }

  #fail(stack: SipStack, reason: string, code?: number): void {
    this.deps.onOutcome({ ok: false, reason, code });
    const delay = this.deps.backoff.nextDelayMs(this.#attempt++);
    if (delay !== null && this.#stack === stack) this.#schedule(delay);
  }

  #schedule(ms: number): void {
    this.#clear();
    this.#timer = setTimeout(() => this.#register(), ms);
    this.#timer.unref();
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #message(stack: SipStack, expires: number) {
    const message = stack.request('REGISTER', this.deps.registrarUri, this.deps.aor, {
      callId: this.#callId,
      cseq: this.#cseq,
      extraHeaders: [`Contact: ${stack.contact.toString()};expires=${expires}`, `Expires: ${expires}`, 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, INFO'],
    });
    this.#cseq++;
    return message;
  }
}

/** The expiry the registrar granted to our contact: its `expires` parameter, else the Expires header. */
function grantedExpires(m: IncomingResponse['message'], stack: SipStack, asked: number): number {
  const ours = stack.contact.uri;
  const count = m.getHeaders('contact').length;
  for (let i = 0; i < count; i++) {
    const c = m.parseHeader('contact', i) as { uri?: URI; getParam?(name: string): string | undefined } | undefined;
    // A Contact header line may carry several contacts; parseHeader returns one each.
    if (!c?.uri || !c.getParam) continue;
    if (sameContact(c.uri, ours)) {
      const e = Number(c.getParam('expires'));
      if (Number.isFinite(e)) return e;
    }
  }
  const header = Number(m.getHeader('expires'));
  if (Number.isFinite(header) && m.hasHeader('expires')) return header;
  // Some registrars list no contacts, or ours in a rewritten form: assume what we asked.
  return asked;
}

function sameContact(a: URI, b: URI): boolean {
  return a.user === b.user && a.host.toLowerCase() === b.host.toLowerCase() && (a.port ?? 0) === (b.port ?? 0);
}

