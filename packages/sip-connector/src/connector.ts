/**
 * The connector: one account at one PBX. `configure()` (re)connects and
 * registers; a lost connection ends its calls with `failed`, marks watched
 * phones offline and is made again with backoff, then registration and
 * subscriptions start over. Calls, MESSAGE and presence watching are offered
 * on top. It knows nothing of widgets, users or sockets.
 */
import { BackoffPolicy, type ReconnectPolicy } from '@cw/client-core';
import type { IncomingMessageRequest, URI } from 'sip.js/lib/core/index.js';
import { domainUri, parsePeerAddress, targetUri, type PeerAddress } from './address.js';
import { SipCall, displayName, type SipCallOptions } from './call.js';
import { Listeners } from './emitter.js';
import { sipJsLoggerFactory } from './log-bridge.js';
import { Registration, type RegistrationOutcome } from './registration.js';
import { SipStack } from './stack.js';
import { createTransport, type TransportOptions } from './transports/index.js';
import type { PhonePresence, RegistrationStatus, SipAccount, SipLogger, WatchSupport } from './types.js';
import { PresenceWatcher } from './watcher.js';

export interface SipConnectorOptions {
  logger: SipLogger;
  /** User-Agent header. */
  userAgent?: string;
  transport?: TransportOptions;
  /** Delay policy for reconnecting and re-registering. */
  backoff?: ReconnectPolicy;
  /** Expiry asked for presence subscriptions, seconds. */
  subscribeExpiresS?: number;
  now?: () => number;
}

export interface IncomingSipMessage {
  /** The sender's address of record, `sip:user@host`. */
  from: string;
  /** Its user part (the phone's extension / SIP-ID). */
  user: string;
  displayName: string;
  text: string;
  /** Call-ID and CSeq: the same for a request repeated by the PBX (or forked to several processes) */
  callId: string;
  cseq: number;
}

export interface SendResult {
  ok: boolean;
  code: number;
  reason: string;
}

export interface ConnectorStatus extends RegistrationStatus {
  /** Whether the PBX answers presence subscriptions. */
  presence: WatchSupport;
}

interface Epoch {
  account: SipAccount;
  peer: PeerAddress;
  aor: URI;
  stack?: SipStack;
  registration: Registration;
  watcher: PresenceWatcher;
  timer?: NodeJS.Timeout;
  attempt: number;
  closed: boolean;
}

export class SipConnector {
  readonly #log: SipLogger;
  readonly #status: Listeners<[ConnectorStatus]>;
  readonly #messages: Listeners<[IncomingSipMessage]>;
  readonly #presence: Listeners<[target: string, presence: PhonePresence]>;
  readonly #backoff: ReconnectPolicy;
  readonly #now: () => number;
  #state: ConnectorStatus;
  #epoch?: Epoch;
  #calls = new Set<SipCall>();
  /** watched targets survive reconfiguration: key → target text */
  #watched = new Map<string, string>();
  /** registering and watching (the default); false: connected for calls and MESSAGEs only (standby) */
  #active = true;

  constructor(private readonly opts: SipConnectorOptions) {
    this.#log = opts.logger;
    this.#now = opts.now ?? Date.now;
    this.#backoff = opts.backoff ?? new BackoffPolicy(1000, 60_000);
    this.#status = new Listeners(opts.logger, 'status');
    this.#messages = new Listeners(opts.logger, 'message');
    this.#presence = new Listeners(opts.logger, 'presence');
    this.#state = { state: 'off', reason: '', since: this.#now(), presence: 'unknown' };
  }

  status(): ConnectorStatus {
    return { ...this.#state };
  }

  onStatus(fn: (s: ConnectorStatus) => void): () => void {
    return this.#status.add(fn);
  }
  onMessage(fn: (m: IncomingSipMessage) => void): () => void {
    return this.#messages.add(fn);
  }
  onPresence(fn: (target: string, presence: PhonePresence) => void): () => void {
    return this.#presence.add(fn);
  }

  /** True while registered (calls and messages can go out). */
  get ready(): boolean {
    return this.#state.state === 'registered';
  }

  /**
   * Uses this account from now on (null: off). The previous registration is
   * removed and its calls end; throws when the registrar address is invalid.
   */
  async configure(account: SipAccount | null): Promise<void> {
    const peer = account ? parsePeerAddress(account.outboundProxy || account.registrar) : undefined;
    const registrarPeer = account ? parsePeerAddress(account.registrar) : undefined;
    await this.#teardown('reconfigured');
    if (!account || !peer || !registrarPeer) {
      this.#set('off', '');
      return;
    }
    const aor = targetUri(account.username, account.domain);
    const registrarUri = domainUri(account.domain);
    const epoch: Epoch = {
      account,
      peer,
      aor,
      attempt: 0,
      closed: false,
      registration: undefined as unknown as Registration,
      watcher: new PresenceWatcher({
        logger: this.#log,
        expiresS: this.opts.subscribeExpiresS ?? 600,
        onPresence: (target, p) => this.#presence.emit(target, p),
        onSupport: (support) => {
          this.#state = { ...this.#state, presence: support };
          this.#status.emit(this.status());
        },
      }),
    };
    epoch.registration = this.#registration(epoch, registrarUri);
    this.#epoch = epoch;
    for (const [key, target] of this.#watched) this.#watchIn(epoch, key, target);
    this.#set(this.#active ? 'registering' : 'standby', '');
    void this.#connect(epoch);
  }

  /**
   * Whether this connector registers and watches presence (true, the default)
   * or only keeps its connection for calls and MESSAGEs it sends (standby: in
   * a cluster, another process holds the registration — cluster/lease.ts).
   * Calls in progress are not touched either way.
   */
  async setActive(active: boolean): Promise<void> {
    if (this.#active === active) return;
    this.#active = active;
    const epoch = this.#epoch;
    if (!epoch) return;
    if (active) {
      this.#set('registering', '');
      if (epoch.stack && !epoch.stack.closed) {
        epoch.registration.attach(epoch.stack);
        epoch.watcher.attach(epoch.stack);
      }
      return;
    }
    // Another process takes over: unsubscribe and unregister our contact; a fresh Registration for a later turn.
    epoch.watcher.release();
    const old = epoch.registration;
    epoch.registration = this.#registration(epoch, domainUri(epoch.account.domain));
    this.#set('standby', '');
    await old.stop();
  }

  /** Whether this connector registers and watches (see setActive). */
  get active(): boolean {
    return this.#active;
  }

  #registration(epoch: Epoch, registrarUri: URI): Registration {
    const reg: Registration = new Registration({
      aor: epoch.aor,
      registrarUri,
      intervalS: epoch.account.registerIntervalS,
      logger: this.#log,
      backoff: this.#backoff,
      // A registration given up at a hand-over reports nothing more.
      onOutcome: (o) => {
        if (epoch.registration === reg && this.#active) this.#registered(epoch, o);
      },
    });
    return reg;
  }

  /** Calls a phone with the visitor's SDP offer. Never throws: problems end the call (listen with onEnd). */
  call(target: string, offerSdp: string, opts: SipCallOptions = {}): SipCall {
    const epoch = this.#epoch;
    let uri: URI;
    try {
      uri = targetUri(target, epoch?.account.domain ?? 'invalid');
    } catch (err) {
      const call = new SipCall(targetUri('invalid@invalid', 'invalid'), offerSdp, this.#log, opts);
      queueMicrotask(() => call.lost(String((err as Error).message)));
      return call;
    }
    const call = new SipCall(uri, offerSdp, this.#log, opts);
    const stack = epoch?.stack;
    if (!stack || stack.closed) {
      queueMicrotask(() => call.lost(epoch ? 'not connected to the phone system' : 'the phone system is off'));
      return call;
    }
    this.#calls.add(call);
    call.onEnd(() => this.#calls.delete(call));
    call.start(stack);
    return call;
  }

  /** Sends a SIP MESSAGE (text/plain); resolves with the PBX's answer. */
  message(target: string, text: string, opts: { callerName?: string } = {}): Promise<SendResult> {
    const stack = this.#epoch?.stack;
    if (!stack || stack.closed) return Promise.resolve({ ok: false, code: 0, reason: 'not connected to the phone system' });
    let uri: URI;
    try {
      uri = targetUri(target, this.#epoch!.account.domain);
    } catch (err) {
      return Promise.resolve({ ok: false, code: 0, reason: (err as Error).message });
    }
    return new Promise((resolve) => {
      const message = stack.request('MESSAGE', uri, uri, {
        fromDisplayName: displayName(opts.callerName),
        body: { contentType: 'text/plain;charset=UTF-8', content: text },
      });
      const done = (r: { message: { statusCode?: number; reasonPhrase?: string } }) => {
        const code = r.message.statusCode ?? 0;
        resolve({ ok: code >= 200 && code < 300, code, reason: r.message.reasonPhrase ?? '' });
      };
      try {
        stack.core.message(message, { onAccept: done, onReject: done, onRedirect: done });
      } catch (err) {
        resolve({ ok: false, code: 0, reason: String(err) });
      }
    });
  }

  /** Watches a phone's presence from the PBX; `key` is what onPresence reports. */
  watch(key: string, target: string): void {
    this.#watched.set(key, target);
    if (this.#epoch) this.#watchIn(this.#epoch, key, target);
  }

  unwatch(key: string): void {
    this.#watched.delete(key);
    this.#epoch?.watcher.unwatch(key);
  }

  presenceOf(key: string): PhonePresence | undefined {
    return this.#epoch?.watcher.presenceOf(key);
  }

  /** Number of calls in progress (for metrics and benchmarks). */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Unregisters and closes. */
  async close(): Promise<void> {
    await this.#teardown('shutdown');
    this.#set('off', '');
    this.#status.clear();
    this.#messages.clear();
    this.#presence.clear();
  }

  #watchIn(epoch: Epoch, key: string, target: string): void {
    try {
      epoch.watcher.watch(key, targetUri(target, epoch.account.domain));
    } catch (err) {
      this.#log.warn({ target, err: (err as Error).message }, 'cannot watch this address');
    }
  }

  async #connect(epoch: Epoch): Promise<void> {
    if (epoch.closed) return;
    const transport = createTransport(epoch.peer, this.opts.transport);
    try {
      await transport.connect();
    } catch (err) {
      transport.close();
      if (epoch.closed) return;
      this.#set('failed', `transport: ${(err as Error).message}`);
      this.#retryConnect(epoch);
      return;
    }
    if (epoch.closed) {
      transport.close();
      return;
    }
    const stack = new SipStack({
      account: epoch.account,
      aor: epoch.aor,
      transport,
      routeSet: epoch.account.outboundProxy ? [`<${epoch.peer.uri.toString()}>`] : [],
      userAgent: this.opts.userAgent ?? 'Contact Widgets',
      logger: this.#log,
      loggerFactory: sipJsLoggerFactory(this.#log),
      handlers: {
        onMessage: (req) => this.#incomingMessage(req),
        onInvite: (req) => req.reject({ statusCode: 480, reasonPhrase: 'Temporarily Unavailable' }),
        onNotify: (req) => req.reject({ statusCode: 481 }),
      },
    });
    transport.onClose = (err) => this.#lost(epoch, stack, err);
    epoch.stack = stack;
    this.#log.info({ transport: transport.kind, local: transport.local, peer: `${epoch.peer.host}:${epoch.peer.port}` }, 'connected to the phone system');
    if (this.#active) {
      epoch.registration.attach(stack);
      epoch.watcher.attach(stack);
    } else if (this.#state.state === 'failed') this.#set('standby', '');
  }

  #registered(epoch: Epoch, o: RegistrationOutcome): void {
    if (this.#epoch !== epoch) return;
    if (o.ok) {
      epoch.attempt = 0;
      if (this.#state.state !== 'registered') this.#log.info({ expiresS: o.expiresS }, 'registered at the phone system');
      this.#set('registered', '');
    } else {
      this.#log.warn({ reason: o.reason }, 'registration failed');
      this.#set('failed', o.reason);
    }
  }

  #lost(epoch: Epoch, stack: SipStack, err: Error): void {
    if (epoch.stack !== stack || epoch.closed) return;
    const reason = `transport: ${err.message}`;
    this.#log.warn({ reason }, 'connection to the phone system lost');
    epoch.stack = undefined;
    epoch.registration.detach();
    epoch.watcher.detach();
    for (const call of [...this.#calls]) call.lost(reason);
    stack.close();
    this.#set('failed', reason);
    this.#retryConnect(epoch);
  }

  #retryConnect(epoch: Epoch): void {
    const delay = this.#backoff.nextDelayMs(epoch.attempt++);
    if (delay === null || epoch.closed) return;
    epoch.timer = setTimeout(() => {
      epoch.timer = undefined;
      // The status stays `failed` (with its reason and time) until a registration succeeds.
      if (!epoch.closed) void this.#connect(epoch);
    }, delay);
    epoch.timer.unref();
  }

  #incomingMessage(req: IncomingMessageRequest): void {
    const m = req.message;
    const type = (m.getHeader('content-type') ?? 'text/plain').toLowerCase();
    if (!type.startsWith('text/plain')) {
      // Typing notices (RFC 3994) and the like: taken, not shown.
      if (type.startsWith('application/im-iscomposing+xml')) req.accept();
      else req.reject({ statusCode: 415, extraHeaders: ['Accept: text/plain'] });
      return;
    }
    req.accept();
    const from = m.from;
    this.#messages.emit({
      from: `sip:${from.uri.user ?? ''}@${from.uri.host}`,
      user: from.uri.user ?? '',
      displayName: from.displayName ?? '',
      text: m.body ?? '',
      callId: m.callId,
      cseq: m.cseq,
    });
  }

  async #teardown(why: string): Promise<void> {
    const epoch = this.#epoch;
    this.#epoch = undefined;
    if (!epoch) return;
    epoch.closed = true;
    if (epoch.timer) clearTimeout(epoch.timer);
    for (const call of [...this.#calls]) {
      call.hangup();
    }
    this.#calls.clear();
    epoch.watcher.close();
    await epoch.registration.stop();
    epoch.stack?.close();
    epoch.stack = undefined;
    this.#log.info({ why }, 'phone-system connection closed');
  }

  #set(state: RegistrationStatus['state'], reason: string): void {
    if (this.#state.state === state && this.#state.reason === reason) return;
    const presence = state === 'off' ? 'unknown' : this.#state.presence;
    this.#state = { state, reason, since: this.#state.state === state ? this.#state.since : this.#now(), presence };
    this.#status.emit(this.status());
  }
}
