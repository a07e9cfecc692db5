/**
 * One WebSocket of either channel: rate limit, frame checks, sequential
 * dispatch of parsed messages to one handler per type, error replies, and
 * bus subscriptions that end with the socket. Gateways add what is specific.
 *
 * Thousands of these live at once, so per-socket state is kept small: the
 * handlers are shared per channel, the logger is made on first use, and one
 * delivery function serves every topic of the socket.
 */
import crypto from 'node:crypto';
import WebSocket, * as wsModule from 'ws';
import type { Logger } from 'pino';
import { CLOSE, errorMsg, isFatal, parseInbound, type ErrorCode, type Schema } from '@cw/protocol';
import type { Bus } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { WireError } from '../domain/wire-error.js';
import { isUnavailableError } from '../unavailable.js';
import type { Delivery } from '../domain/outbox.js';
import { watchAlive } from './heartbeat.js';

export interface ConnectionDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  ratePerSecond: number;
  rateBurst: number;
  /** told of every inbound frame refused by a limit or the parser (a metric) */
  onRejected?: (channel: 'visitor' | 'agent', reason: RejectReason) => void;
  /** told when a message failed because PostgreSQL or Redis was away (its socket must catch up later) */
  onUnavailable?: () => void;
}

/** Why an inbound frame was refused. */
export type RejectReason = 'rate-limited' | 'too-large' | 'bad-request';

type Table = Record<string, Schema<unknown>>;
/**
 * One handler per message type of a channel's inbound table. Handlers are
 * shared by all sockets of a channel and get the socket's gateway object
 * (`self`), so that a connection costs no closures per message type.
 */
export type Handlers<T extends Table, S> = { [K in keyof T]: (self: S, msg: T[K] extends Schema<infer M> ? M : never) => Promise<void> | void };

/** Who is told once when the socket has closed. */
export interface ConnectionOwner {
  closed(): void;
}

/**
 * The last text sent with sendRaw, as a whole WebSocket frame (header and
 * UTF-8 payload in one Buffer): a fan-out sends the same JSON string to
 * thousands of sockets in a row, and ws would otherwise measure, encode and
 * frame it again for each. Server frames are not masked, so one frame
 * serves every socket as is.
 */
let lastJson = '';
let lastFrame: Buffer = Buffer.alloc(0);
const TEXT = { binary: false } as const;

// ws exports its Sender at run time; the types do not declare it.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } }).Sender;

/** The part of ws's (private) socket state that sendRaw relies on; checked before each use. */
interface WsInternals {
  _sender?: { _state?: number; _firstFragment?: boolean; sendFrame?(list: Buffer[]): void };
  _extensions?: Record<string, unknown>;
}

/** A text frame of `json`, unmasked, FIN set, not compressed. */
function textFrame(json: string): Buffer {
  const payload = Buffer.from(json, 'utf8');
  return Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }));
}

const IDLE: Promise<void> = Promise.resolve();

// ws itself closes with 1009 on an oversize frame and 1007 on bad UTF-8; the error event needs no more.
function ignoreSocketError(): void {}

export class Connection {
  // Not randomUUID(): V8 builds that string from 15 pieces and keeps them all.
  readonly id = crypto.randomBytes(12).toString('base64url');
  #log: Logger | undefined;
  /** token bucket (spec 8): tokens left and when they were counted */
  #tokens: number;
  #counted: number;
  /** the tail of this socket's handlers; starts as one promise shared by all sockets */
  #queue: Promise<void> = IDLE;
  #unsubs: (() => void)[] = [];
  #dead = false;
  #channel: 'visitor' | 'agent';
  /** delivers a Delivery from any of this socket's topics */
  #deliver = (d: unknown): void => {
    const del = d as Delivery<unknown>;
    if (this.#dead || !del || typeof del !== 'object' || del.except === this.id) return;
    this.send(del.msg);
  };

  constructor(
    readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    channel: 'visitor' | 'agent',
    owner: ConnectionOwner,
  ) {
    this.#channel = channel;
    this.#tokens = deps.rateBurst;
    this.#counted = deps.clock.now();
    watchAlive(ws);
    if (deps.onRejected) {
      const onRejected = deps.onRejected;
      // ws closes with 1009 on a frame over maxPayload and reports it here first.
      ws.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') onRejected(channel, 'too-large');
      });
    } else ws.on('error', ignoreSocketError);
    // 'on', not 'once': ws emits close exactly once, and once() costs a wrapper per socket.
    ws.on('close', () => {
      this.#dead = true;
      for (const off of this.#unsubs.splice(0)) off();
      try {
        owner.closed();
      } catch (err) {
        this.log.error({ err }, 'close handler failed');
      }
    });
  }

  /** The socket's logger, made on first use (most sockets never log). */
  get log(): Logger {
    return (this.#log ??= this.deps.logger.child({ conn: this.id, channel: this.#channel }));
  }

  get open(): boolean {
    return !this.#dead && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one message (dropped when the socket is gone). */
  send(msg: unknown): void {
    if (this.open) this.ws.send(JSON.stringify(msg));
  }

  /** Sends an already serialised message (shared by many sockets: encoded once). */
  sendRaw(json: string): void {
    if (!this.open) return;
    if (json !== lastJson) {
      lastJson = json;
      lastFrame = textFrame(json);
    }
    // The pre-made frame is written as is only when ws would write this
    // message straight away as one frame of its own: no compression, nothing
    // queued in its sender, not inside a fragmented message. Else ws frames it.
    const sender = (this.ws as unknown as WsInternals)._sender;
    const ext = (this.ws as unknown as WsInternals)._extensions;
    if (sender?.sendFrame && sender._state === 0 && sender._firstFragment === true && ext && ext['permessage-deflate'] === undefined) {
      sender.sendFrame([lastFrame]);
      return;
    }
    this.ws.send(Buffer.from(json, 'utf8'), TEXT);
  }

  /** Sends an Error; fatal codes close the socket with 1008 afterwards. */
  error(code: ErrorCode, text: string, ref: string | null): void {
    this.send(errorMsg(code, text, ref));
    if (isFatal(code)) this.close(CLOSE.policy, code);
  }

  close(code: number, reason = ''): void {
    if (this.#dead) return;
    this.#dead = true;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch (err) {
      this.log.debug({ err }, 'close failed');
      this.ws.terminate();
    }
  }

  /** Runs `fn` after everything queued before it; errors are reported, never thrown. */
  enqueue(ref: string | null, fn: () => Promise<void> | void): Promise<void> {
    const run = async () => {
      if (this.#dead) return;
      try {
        await fn();
      } catch (err) {
        this.#fail(err, ref);
      }
    };
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  /** Resolves when queued work is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Feeds text frames through the rate limit and the table's parser to `handlers`, one at a time. */
  dispatch<T extends Table, S>(table: T, handlers: Handlers<T, S>, self: S, gate?: (self: S, mt: string) => string | undefined): void {
    this.ws.on('message', (data, isBinary) => {
      if (this.#dead) return;
      if (!this.#take()) {
        this.log.info('rate limit exceeded');
        this.deps.onRejected?.(this.#channel, 'rate-limited');
        this.error('rate-limited', 'too many messages; slow down', null);
        return;
      }
      if (isBinary) {
        this.deps.onRejected?.(this.#channel, 'bad-request');
        this.error('bad-request', 'binary frames are not supported; send JSON text', null);
        return;
      }
      const raw = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const parsed = parseInbound(table, raw);
      if (!parsed.ok) {
        this.deps.onRejected?.(this.#channel, 'bad-request');
        this.error('bad-request', parsed.error, parsed.ref);
        return;
      }
      const msg = parsed.msg as { mt: string };
      void this.enqueue(msg.mt, async () => {
        const refusal = gate?.(self, msg.mt);
        if (refusal) throw new WireError('bad-request', refusal);
        await (handlers[msg.mt] as (s: S, m: unknown) => Promise<void> | void)(self, msg);
      });
    });
  }

  /** Delivers a bus topic of Deliveries to this socket until it closes. */
  listen(topic: string): void {
    if (!this.#dead) this.#unsubs.push(this.deps.bus.subscribe(topic, this.#deliver));
  }

  /** One token of the bucket (20/s average, bursts of 50 by default); false when empty. */
  #take(): boolean {
    const now = this.deps.clock.now();
    const { ratePerSecond, rateBurst } = this.deps;
    this.#tokens = Math.min(rateBurst, this.#tokens + (Math.max(0, now - this.#counted) / 1000) * ratePerSecond);
    this.#counted = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #fail(err: unknown, ref: string | null): void {
    if (err instanceof WireError) {
      this.error(err.code, err.message, ref);
      return;
    }
    if (isUnavailableError(err)) {
      // An outage (PostgreSQL or Redis restarting): the client keeps what was not acked and sends it again after catching up.
      this.log.warn({ err: { message: (err as Error).message }, ref }, 'handler failed: a dependency is not reachable');
      this.deps.onUnavailable?.();
      this.send(errorMsg('unavailable', 'the server cannot reach its database or Redis right now; try again in a moment', ref));
      return;
    }
    this.log.error({ err, ref }, 'handler failed');
    this.send(errorMsg('internal', 'the server could not handle this message', ref));
  }
}
