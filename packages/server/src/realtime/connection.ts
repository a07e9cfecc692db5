/**
 * One WebSocket of either channel: rate limit, frame checks, sequential
 * dispatch of parsed messages to one handler per type, error replies, and
 * bus subscriptions that end with the socket. Gateways add what is specific.
 */
import crypto from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { CLOSE, errorMsg, isFatal, parseInbound, type ErrorCode, type Schema } from '@cw/protocol';
import type { Bus } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { TokenBucket } from './rate-limit.js';
import { WireError } from './wire-error.js';
import type { Delivery } from './outbox.js';

export interface ConnectionDeps {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  ratePerSecond: number;
  rateBurst: number;
}

type Table = Record<string, Schema<unknown>>;
/**
 * One handler per message type of a channel's inbound table. Handlers are
 * shared by all sockets of a channel and get the socket's gateway object
 * (`self`), so that a connection costs no closures per message type.
 */
export type Handlers<T extends Table, S> = { [K in keyof T]: (self: S, msg: T[K] extends Schema<infer M> ? M : never) => Promise<void> | void };

export class Connection {
  readonly id = crypto.randomUUID();
  #log: Logger | undefined;
  #bucket: TokenBucket;
  #queue: Promise<void> = Promise.resolve();
  #unsubs: (() => void)[] = [];
  #closeHandlers: (() => void)[] = [];
  #dead = false;

  constructor(
    readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    channel: 'visitor' | 'agent',
  ) {
    this.#channel = channel;
    this.#bucket = new TokenBucket(deps.ratePerSecond, deps.rateBurst, deps.clock.now());
    // ws itself closes with 1009 on an oversize frame; the error only needs logging.
    ws.on('error', (err) => this.log.debug({ err }, 'socket error'));
    ws.once('close', () => this.#closed());
  }

  #channel: 'visitor' | 'agent';

  /** The socket's logger, made on first use (most sockets never log). */
  get log(): Logger {
    return (this.#log ??= this.deps.logger.child({ conn: this.id, channel: this.#channel }));
  }

  get open(): boolean {
    return !this.#dead && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one message (dropped when the socket is gone). */
  send(msg: unknown): void {
    if (!this.open) return;
    this.ws.send(JSON.stringify(msg));
  }

  /** Sends an already serialised message. */
  sendRaw(json: string): void {
    if (this.open) this.ws.send(json);
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
      if (!this.#bucket.take(this.deps.clock.now())) {
        this.log.info('rate limit exceeded');
        this.error('rate-limited', 'too many messages; slow down', null);
        return;
      }
      if (isBinary) {
        this.error('bad-request', 'binary frames are not supported; send JSON text', null);
        return;
      }
      const raw = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const parsed = parseInbound(table, raw);
      if (!parsed.ok) {
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

  /** Subscribes to a bus topic of Deliveries for this socket; ends with the socket. */
  subscribeDeliveries(topic: string, onMsg?: (msg: unknown) => boolean | void): void {
    this.subscribe(topic, (d) => {
      const del = d as Delivery<unknown>;
      if (!del || typeof del !== 'object' || del.except === this.id) return;
      if (onMsg && onMsg(del.msg) === false) return;
      this.send(del.msg);
    });
  }

  /** Subscribes to a bus topic for the life of the socket. */
  subscribe(topic: string, handler: (m: unknown) => void): () => void {
    const off = this.deps.bus.subscribe(topic, (m) => {
      if (!this.#dead) handler(m);
    });
    this.#unsubs.push(off);
    return off;
  }

  /** Registers cleanup that runs once when the socket closes. */
  onClose(fn: () => void): void {
    if (this.#dead && this.ws.readyState === WebSocket.CLOSED) fn();
    else this.#closeHandlers.push(fn);
  }

  #fail(err: unknown, ref: string | null): void {
    if (err instanceof WireError) {
      this.error(err.code, err.message, ref);
      return;
    }
    this.log.error({ err, ref }, 'handler failed');
    this.send(errorMsg('internal', 'the server could not handle this message', ref));
  }

  #closed(): void {
    this.#dead = true;
    for (const off of this.#unsubs.splice(0)) off();
    for (const fn of this.#closeHandlers.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, 'close handler failed');
      }
    }
  }
}
