/**
 * Presence of phones from the PBX: for every watched address a SUBSCRIBE per
 * event package — `presence` (PIDF), `dialog` (dialog-info) and `reg`
 * (reginfo) — kept alive by SIP.js's auto-refresh (at 90 % of the expiry) and
 * made again with backoff after it fails or is terminated. A package the PBX
 * refuses (489 Bad Event, 405, 501) is not asked for again on this connection;
 * when all are refused the PBX "does not support presence" (status).
 */
import {
  URI,
  type IncomingNotifyRequest,
  type IncomingRequestWithSubscription,
  type IncomingResponse,
  type OutgoingSubscribeRequest,
  type Subscription,
} from 'sip.js/lib/core/index.js';
import { BackoffPolicy, type ReconnectPolicy } from '@cw/client-core';
import { combinePresence, readDialogInfo, readPidf, readRegInfo, type WatchFacts } from './presence-bodies.js';
import type { SipStack } from './stack.js';
import type { PhonePresence, SipLogger, WatchSupport } from './types.js';

export type EventPackage = 'presence' | 'dialog' | 'reg';
const PACKAGES: { event: EventPackage; accept: string }[] = [
  { event: 'presence', accept: 'application/pidf+xml' },
  { event: 'dialog', accept: 'application/dialog-info+xml' },
  { event: 'reg', accept: 'application/reginfo+xml' },
];
const REFUSED = new Set([405, 489, 501]);

interface Sub {
  target: URI;
  event: EventPackage;
  accept: string;
  request?: OutgoingSubscribeRequest;
  subscription?: Subscription;
  timer?: NodeJS.Timeout;
  attempt: number;
  /** dialog-info: dialog id → busy */
  dialogs: Map<string, boolean>;
}

interface Watched {
  key: string;
  target: URI;
  subs: Sub[];
  facts: WatchFacts;
  presence?: PhonePresence;
}

export interface WatcherDeps {
  logger: SipLogger;
  expiresS: number;
  backoff?: ReconnectPolicy;
  onPresence(target: string, presence: PhonePresence): void;
  onSupport(support: WatchSupport): void;
}

export class PresenceWatcher {
  #stack?: SipStack;
  #watched = new Map<string, Watched>();
  #refused = new Set<EventPackage>();
  #accepted = new Set<EventPackage>();
  #support: WatchSupport = 'unknown';
  readonly #backoff: ReconnectPolicy;

  constructor(private readonly deps: WatcherDeps) {
    this.#backoff = deps.backoff ?? new BackoffPolicy(2000, 120_000);
  }

  get support(): WatchSupport {
    return this.#support;
  }

  /** Starts watching `target` (a key the caller chose, and its URI). */
  watch(key: string, target: URI): void {
    if (this.#watched.has(key)) return;
    const w: Watched = {
      key,
      target,
      facts: {},
      subs: PACKAGES.map((p) => ({ target, event: p.event, accept: p.accept, attempt: 0, dialogs: new Map() })),
    };
    this.#watched.set(key, w);
    if (this.#stack) for (const s of w.subs) this.#subscribe(w, s);
  }

  unwatch(key: string): void {
    const w = this.#watched.get(key);
    if (!w) return;
    this.#watched.delete(key);
    for (const s of w.subs) this.#drop(s, true);
  }

  watching(): string[] {
    return [...this.#watched.keys()];
  }

  presenceOf(key: string): PhonePresence | undefined {
    return this.#watched.get(key)?.presence;
  }

  /** A new connection: subscribe everything again. */
  attach(stack: SipStack): void {
    this.#stack = stack;
    this.#refused.clear();
    this.#accepted.clear();
    for (const w of this.#watched.values())
      for (const s of w.subs) {
        s.attempt = 0;
        this.#subscribe(w, s);
      }
  }

  /** The connection is gone: what we knew is no longer true. */
  detach(): void {
    this.#stack = undefined;
    for (const w of this.#watched.values()) {
      for (const s of w.subs) this.#drop(s, false);
      w.facts = {};
      this.#update(w, 'offline');
    }
  }

  /**
   * Another process watches now: unsubscribe everything but keep the list
   * (for a later attach), and forget what we knew without reporting it.
   */
  release(): void {
    for (const w of this.#watched.values()) {
      for (const s of w.subs) this.#drop(s, true);
      w.facts = {};
      delete w.presence;
    }
    this.#stack = undefined;
  }

  close(): void {
    for (const w of this.#watched.values()) for (const s of w.subs) this.#drop(s, true);
    this.#watched.clear();
    this.#stack = undefined;
  }

  #subscribe(w: Watched, s: Sub): void {
    const stack = this.#stack;
    this.#clearTimer(s);
    if (!stack || stack.closed || this.#watched.get(w.key) !== w || this.#refused.has(s.event)) return;
    const message = stack.request('SUBSCRIBE', s.target, s.target, {
      extraHeaders: [`Event: ${s.event}`, `Accept: ${s.accept}`, `Expires: ${this.deps.expiresS}`, `Contact: ${stack.contact.toString()}`],
    });
    const request = stack.core.subscribe(message, {
      onAccept: () => {
        s.attempt = 0;
        this.#accepted.add(s.event);
        this.#reportSupport();
      },
      onReject: (r) => this.#rejected(w, s, r, request),
      onRedirect: (r) => this.#rejected(w, s, r, request),
      onNotify: (n) => this.#firstNotify(w, s, n, request),
      onNotifyTimeout: () => {
        if (s.request === request) this.#retry(w, s, 'no NOTIFY after the SUBSCRIBE was accepted');
      },
    });
    s.request = request;
  }

  #firstNotify(w: Watched, s: Sub, n: IncomingRequestWithSubscription, request: OutgoingSubscribeRequest): void {
    if (s.request !== request || this.#watched.get(w.key) !== w) {
      n.request.reject({ statusCode: 481 });
      return;
    }
    const sub = n.subscription;
    if (sub) {
      s.subscription = sub;
      sub.autoRefresh = true;
      sub.delegate = {
        onNotify: (req) => this.#notify(w, s, req),
        onRefresh: (refresh) => {
          refresh.delegate = {
            onReject: (r) => this.deps.logger.info({ target: w.key, event: s.event, code: r.message.statusCode }, 'subscription refresh refused'),
          };
        },
        onTerminated: () => {
          if (s.subscription === sub) {
            s.subscription = undefined;
            this.#retry(w, s, 'subscription terminated');
          }
        },
      };
    }
    this.#notify(w, s, n.request);
  }

  #notify(w: Watched, s: Sub, req: IncomingNotifyRequest): void {
    req.accept();
    const body = req.message.body ?? '';
    const stateHeader = (req.message.getHeader('subscription-state') ?? '').toLowerCase();
    if (body.trim()) this.#read(w, s, body);
    if (stateHeader.startsWith('terminated')) {
      const reason = /reason=([a-z-]+)/.exec(stateHeader)?.[1];
      if (reason === 'rejected' || reason === 'noresource') this.deps.logger.info({ target: w.key, event: s.event, reason }, 'subscription ended by the PBX');
      // SIP.js ends the dialog itself; onTerminated brings a fresh SUBSCRIBE.
    }
  }

  #read(w: Watched, s: Sub, body: string): void {
    try {
      if (s.event === 'presence') {
        const pidf = readPidf(body);
        if (pidf) w.facts.pidf = pidf;
      } else if (s.event === 'dialog') {
        const info = readDialogInfo(body);
        if (info) {
          if (info.full) s.dialogs.clear();
          for (const [id, busy] of info.dialogs) if (busy) s.dialogs.set(id, true);
          else s.dialogs.delete(id);
          w.facts.busy = s.dialogs.size > 0;
        }
      } else {
        const reg = readRegInfo(body);
        if (reg !== undefined) w.facts.registered = reg;
      }
    } catch (err) {
      this.deps.logger.warn({ err: String(err), target: w.key, event: s.event }, 'unreadable NOTIFY body');
      return;
    }
    this.#update(w, combinePresence(w.facts));
  }

  #rejected(w: Watched, s: Sub, r: IncomingResponse, request: OutgoingSubscribeRequest): void {
    if (s.request !== request) return;
    s.request = undefined;
    const code = r.message.statusCode ?? 0;
    if (REFUSED.has(code)) {
      this.deps.logger.info({ event: s.event, code }, 'the PBX does not offer this event package');
      this.#refused.add(s.event);
      this.#reportSupport();
      return;
    }
    this.#retry(w, s, `${code} ${r.message.reasonPhrase ?? ''}`.trim());
  }

  #retry(w: Watched, s: Sub, why: string): void {
    if (this.#watched.get(w.key) !== w || !this.#stack) return;
    const delay = this.#backoff.nextDelayMs(s.attempt++);
    this.deps.logger.info({ target: w.key, event: s.event, why, retryInMs: delay }, 'subscription will be made again');
    if (delay === null) return;
    this.#clearTimer(s);
    s.timer = setTimeout(() => this.#subscribe(w, s), delay);
    s.timer.unref();
  }

  #drop(s: Sub, unsubscribe: boolean): void {
    this.#clearTimer(s);
    const sub = s.subscription;
    s.subscription = undefined;
    s.request = undefined;
    s.dialogs.clear();
    if (sub) {
      sub.delegate = undefined;
      try {
        if (unsubscribe && this.#stack && !this.#stack.closed) sub.unsubscribe();
        else sub.dispose();
      } catch {
        // already gone
      }
    }
  }

  #clearTimer(s: Sub): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
  }

  #update(w: Watched, p: PhonePresence): void {
    if (w.presence === p) return;
    w.presence = p;
    this.deps.onPresence(w.key, p);
  }

  #reportSupport(): void {
    const next: WatchSupport = this.#accepted.size > 0 ? 'supported' : this.#refused.size === PACKAGES.length ? 'unsupported' : 'unknown';
    if (next !== this.#support) {
      this.#support = next;
      this.deps.onSupport(next);
    }
  }
}
