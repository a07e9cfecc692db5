/**
 * One SIP.js `UserAgentCore` on one transport connection (an "epoch"): when a
 * connection is lost, its stack is thrown away whole and a new one is made,
 * so no transaction or dialog of a dead connection lingers.
 *
 * Everything the PBX sends passes through here: parsed by SIP.js, checked as
 * SIP.js's own `UserAgent` would check it, then handed to the core. Nothing a
 * peer sends can throw out of this file.
 */
import crypto from 'node:crypto';
import {
  DigestAuthentication,
  IncomingRequestMessage,
  IncomingResponseMessage,
  Parser,
  URI,
  UserAgentCore,
  type Contact,
  type IncomingInviteRequest,
  type IncomingMessageRequest,
  type IncomingNotifyRequest,
  type IncomingRequest,
  type LoggerFactory,
  type Transport,
} from 'sip.js/lib/core/index.js';
import { RateLimitedWarn } from './log-bridge.js';
import type { Endpoint, SipTransport } from './transports/index.js';
import type { SipAccount, SipLogger } from './types.js';

export interface StackHandlers {
  onMessage(request: IncomingMessageRequest): void;
  /** An INVITE to the app's own account (we take no calls). */
  onInvite(request: IncomingInviteRequest): void;
  /** A NOTIFY outside any subscription. */
  onNotify(request: IncomingNotifyRequest): void;
}

export interface StackOptions {
  account: SipAccount;
  aor: URI;
  transport: SipTransport;
  routeSet: string[];
  userAgent: string;
  logger: SipLogger;
  loggerFactory: LoggerFactory;
  handlers: StackHandlers;
}

export class SipStack {
  readonly core: UserAgentCore;
  readonly contact: Contact;
  readonly transport: SipTransport;
  #closed = false;
  #garbage: RateLimitedWarn;
  #log: SipLogger;

  /** The transport must already be connected (its local address is used for Via and Contact). */
  constructor(private readonly opts: StackOptions) {
    this.transport = opts.transport;
    this.#log = opts.logger;
    this.#garbage = new RateLimitedWarn(opts.logger);
    const { account, transport } = opts;
    const local = transport.local;
    const host = local.address;
    const port = transport.kind === 'ws' || transport.kind === 'wss' ? undefined : local.port;
    const params: Record<string, string> = transport.kind === 'udp' ? {} : { transport: transport.kind };
    const uri = new URI('sip', account.username, host, port, params);
    this.contact = {
      pubGruu: undefined,
      tempGruu: undefined,
      uri,
      toString: () => `<${uri.toString()}>`,
    };
    const viaHost = port === undefined ? host : `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const coreTransport: Transport = {
      protocol: transport.viaProtocol,
      send: (message: string) => (this.#closed ? Promise.reject(new Error('stack closed')) : transport.send(message)),
    };
    const authUser = account.authUser || account.username;
    this.core = new UserAgentCore(
      {
        aor: opts.aor,
        contact: this.contact,
        displayName: account.displayName,
        loggerFactory: opts.loggerFactory,
        hackViaTcp: false,
        routeSet: opts.routeSet,
        sipjsId: crypto.randomBytes(3).toString('hex'),
        supportedOptionTags: [],
        supportedOptionTagsResponse: [],
        userAgentHeaderFieldValue: opts.userAgent,
        viaForceRport: true,
        viaHost,
        authenticationFactory: () => new DigestAuthentication(opts.loggerFactory, undefined, authUser, account.password),
        transportAccessor: () => coreTransport,
      },
      {
        onInvite: (req) => this.#guard('INVITE', () => opts.handlers.onInvite(req)),
        onMessage: (req) => this.#guard('MESSAGE', () => opts.handlers.onMessage(req)),
        onNotify: (req) => this.#guard('NOTIFY', () => opts.handlers.onNotify(req)),
        onRefer: (req) => this.#guard('REFER', () => req.reject({ statusCode: 405 })),
        onRegister: (req) => this.#guard('REGISTER', () => req.reject({ statusCode: 405 })),
        onSubscribe: (req) => this.#guard('SUBSCRIBE', () => req.reject({ statusCode: 489 })),
      },
    );
    transport.onMessage = (text, from) => this.receive(text, from);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Feeds one received message into the core; anything odd is logged and dropped. */
  receive(text: string, from: Endpoint): void {
    if (this.#closed) return;
    let message: IncomingRequestMessage | IncomingResponseMessage | undefined;
    try {
      message = Parser.parseMessage(text, this.opts.loggerFactory.getLogger('sip.parser'));
    } catch {
      message = undefined;
    }
    if (!message) {
      this.#garbage.warn({ from: `${from.address}:${from.port}`, bytes: text.length, start: text.slice(0, 40) }, 'unparsable SIP message dropped');
      return;
    }
    const problem = sanity(message);
    if (problem) {
      this.#garbage.warn({ from: `${from.address}:${from.port}`, problem }, 'malformed SIP message dropped');
      if (message instanceof IncomingRequestMessage && problem.reply && message.method !== 'ACK') this.#replyStateless(message, 400, problem.text);
      return;
    }
    try {
      if (this.transport.accept && !this.transport.accept(message, from)) return;
      if (message instanceof IncomingRequestMessage) this.core.receiveIncomingRequestFromTransport(message);
      else this.core.receiveIncomingResponseFromTransport(message);
    } catch (err) {
      this.#garbage.warn({ err: String(err), from: `${from.address}:${from.port}` }, 'SIP message the stack could not handle');
    }
  }

  /** A fresh request from the app's account (From = our AOR). */
  request(method: string, ruri: URI, to: URI, opts: { fromDisplayName?: string; callId?: string; cseq?: number; extraHeaders?: string[]; body?: { contentType: string; content: string } } = {}) {
    return this.core.makeOutgoingRequestMessage(
      method,
      ruri,
      this.opts.aor,
      to,
      {
        ...(opts.fromDisplayName !== undefined ? { fromDisplayName: opts.fromDisplayName } : {}),
        ...(opts.callId ? { callId: opts.callId } : {}),
        ...(opts.cseq ? { cseq: opts.cseq } : {}),
      },
      opts.extraHeaders,
      opts.body ? { contentDisposition: 'render', contentType: opts.body.contentType, content: opts.body.content } : undefined,
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.core.dispose();
    } catch (err) {
      this.#log.debug({ err: String(err) }, 'SIP core dispose');
    }
    this.transport.close();
  }

  #guard(method: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.warn({ err: String(err), method }, 'incoming SIP request handler failed');
    }
  }

  #replyStateless(message: IncomingRequestMessage, statusCode: number, reasonPhrase: string): void {
    try {
      this.core.replyStateless(message, { statusCode, reasonPhrase });
    } catch {
      // a message too broken to answer
    }
  }
}

/** What SIP.js's UserAgent checks before the core (RFC 3261 §8.1.1, §8.1.3.3, §18.3). */
function sanity(message: IncomingRequestMessage | IncomingResponseMessage): { text: string; reply: boolean } | undefined {
  for (const h of ['from', 'to', 'call_id', 'cseq', 'via']) if (!message.hasHeader(h)) return { text: `missing ${h} header`, reply: false };
  if (!message.viaBranch) return { text: 'Via without branch', reply: false };
  const declared = message.getHeader('content-length');
  if (declared !== undefined && Buffer.byteLength(message.body ?? '', 'utf8') < Number(declared)) return { text: 'body shorter than Content-Length', reply: true };
  if (message instanceof IncomingResponseMessage) {
    if (message.getHeaders('via').length > 1) return { text: 'response with more than one Via', reply: false };
    const code = message.statusCode ?? 0;
    if (code < 100 || code > 699) return { text: `status code ${code}`, reply: false };
  }
  return undefined;
}

export type { IncomingRequest };
