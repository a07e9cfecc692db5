/**
 * RedisBus: the Bus across processes, over Redis pub/sub (STYLE habit 5).
 * Cluster mode (REDIS_URL) opens it with `await RedisBus.connect({ url })`,
 * so that a wrong REDIS_URL fails at start.
 *
 * One publisher and one subscriber connection (a subscribed Redis connection
 * can run no other command). Messages travel as JSON in an envelope that names
 * the sending bus, so that a process delivers its own messages once, locally
 * and at once, and skips their echo from Redis. Channels are `prefix + topic`;
 * each topic is SUBSCRIBEd while at least one local handler wants it.
 *
 * Topics under `localPrefixes` never leave the process (a visitor socket's
 * own topic, a widget's fan-out: only this process publishes them), so
 * Redis carries only what another process must see.
 *
 * While Redis is away, publishing fails at once (logged once per outage,
 * not per message); when the subscriber connection is back, every topic
 * wanted here is subscribed again.
 */
import crypto from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import pino, { type Logger } from 'pino';
import { redisOptions } from '../cluster/redis.js';
import type { Bus, BusHandler } from './types.js';

export interface RedisBusOptions {
  /** redis://host:port/db */
  url: string;
  /** prepended to every topic, so several installations can share one Redis (default "cw:") */
  prefix?: string;
  logger?: Logger;
  /** extra ioredis options (tests, TLS) */
  redis?: RedisOptions;
  /** topics starting with one of these stay in this process */
  localPrefixes?: string[];
}

interface Envelope {
  /** the sending bus */
  o: string;
  /** the message */
  m: unknown;
}

/** One subscription; an object so that the same handler can be subscribed twice. */
interface Sub {
  handler: BusHandler;
}

export class RedisBus implements Bus {
  readonly #id = crypto.randomBytes(8).toString('hex');
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #topics = new Map<string, Set<Sub>>();
  /** SUBSCRIBE/UNSUBSCRIBE commands not yet answered, so that `ready()` can wait for them */
  readonly #pending = new Set<Promise<unknown>>();
  readonly #local: string[];
  #closed = false;
  /** re-subscriptions after a reconnect still in flight */
  #resubscribing = 0;
  /** publish failures since the last success (logged once per outage) */
  #failing = 0;

  constructor(opts: RedisBusOptions) {
    this.#prefix = opts.prefix ?? 'cw:';
    this.#log = opts.logger ?? pino({ name: 'bus', level: process.env.LOG_LEVEL ?? 'info' });
    this.#local = opts.localPrefixes ?? [];
    const common: RedisOptions = redisOptions({ lazyConnect: false, autoResubscribe: false, ...opts.redis });
    this.#pub = new Redis(opts.url, { ...common, connectionName: 'cw-bus-pub' });
    this.#sub = new Redis(opts.url, { ...common, connectionName: 'cw-bus-sub' });
    for (const [name, conn] of [
      ['publisher', this.#pub],
      ['subscriber', this.#sub],
    ] as const) {
      // Without a listener an 'error' event would crash the process; ioredis reconnects by itself.
      let down = false;
      conn.on('error', (err: Error) => {
        if (!down) this.#log.warn({ err: { message: err.message }, conn: name }, 'redis connection lost; reconnecting');
        down = true;
      });
      conn.on('ready', () => {
        if (down) this.#log.info({ conn: name }, 'redis connection back');
        down = false;
      });
    }
    // Subscriptions do not survive a lost connection (nor a Redis restart): ask again for every topic wanted here.
    let first = true;
    this.#sub.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      const channels = [...this.#topics.keys()].map((t) => this.#prefix + t);
      if (!channels.length) return;
      // Not healthy until the topics are subscribed again: a message published to us meanwhile would be lost.
      this.#resubscribing++;
      this.#sub
        .subscribe(...channels)
        .catch((err: unknown) => this.#log.error({ err, n: channels.length }, 'redis re-subscribe failed'))
        .finally(() => this.#resubscribing--);
    });
    this.#sub.on('message', (channel: string, text: string) => this.#receive(channel, text));
  }

  /** Both connections are up. */
  get healthy(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready' && this.#resubscribing === 0;
  }

  #isLocal(topic: string): boolean {
    for (const p of this.#local) if (topic.startsWith(p)) return true;
    return false;
  }

  /** Creates a bus and waits until Redis answers, so that a wrong URL fails now, not at first use. */
  static async connect(opts: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    try {
      await bus.ready();
    } catch (err) {
      await bus.close();
      throw err;
    }
    return bus;
  }

  /** Resolves when both connections answer and every subscribe/unsubscribe so far is in effect. */
  async ready(): Promise<void> {
    await Promise.all([whenUp(this.#pub), whenUp(this.#sub)]);
    await Promise.all([this.#pub.ping(), ...this.#pending]);
  }

  /** Sends `msg` to every subscriber of `topic`: here at once, elsewhere through Redis. */
  publish(topic: string, msg: unknown): void {
    if (this.#closed) {
      this.#log.warn({ topic }, 'publish on a closed bus dropped');
      return;
    }
    if (this.#isLocal(topic)) {
      // Never leaves the process: delivered as is, like MemoryBus does.
      this.#deliver(topic, msg);
      return;
    }
    let text: string;
    try {
      text = JSON.stringify({ o: this.#id, m: msg } satisfies Envelope);
    } catch (err) {
      this.#log.error({ err, topic }, 'bus message is not JSON-serialisable; dropped');
      return;
    }
    // Local handlers get the same JSON copy remote ones get, so no one relies on object identity.
    if (this.#topics.has(topic)) this.#deliver(topic, (JSON.parse(text) as Envelope).m);
    this.#pub.publish(this.#prefix + topic, text).then(
      () => {
        if (this.#failing) this.#log.info({ lost: this.#failing }, 'redis publish works again');
        this.#failing = 0;
      },
      (err: unknown) => {
        if (this.#failing++ === 0) this.#log.error({ err: { message: (err as Error).message }, topic }, 'redis publish failed; messages to other processes are lost until Redis is back');
      },
    );
  }

  /** Adds a handler; the first one for a topic subscribes the Redis channel. */
  subscribe(topic: string, handler: BusHandler): () => void {
    if (this.#closed) throw new Error('subscribe on a closed bus');
    const entry: Sub = { handler };
    let set = this.#topics.get(topic);
    if (!set) {
      this.#topics.set(topic, (set = new Set()));
      if (!this.#isLocal(topic)) this.#command('subscribe', topic);
    }
    set.add(entry);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.#topics.get(topic);
      // `set` may have been replaced after an earlier unsubscribe emptied it; only touch our own.
      if (current !== set || !current.delete(entry)) return;
      if (current.size === 0) {
        this.#topics.delete(topic);
        if (!this.#closed && !this.#isLocal(topic)) this.#command('unsubscribe', topic);
      }
    };
  }

  /** Closes both connections; handlers get nothing more. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#topics.clear();
    await Promise.allSettled([...this.#pending]);
    await Promise.all([quit(this.#pub), quit(this.#sub)]);
  }

  #command(cmd: 'subscribe' | 'unsubscribe', topic: string): void {
    // Commands on one connection run in order, so subscribe/unsubscribe/subscribe ends subscribed.
    const p = this.#sub[cmd](this.#prefix + topic).then(
      () => undefined,
      // While Redis is away this fails for every new topic; they are all subscribed again when it is back.
      (err: unknown) => (this.#sub.status === 'ready' ? this.#log.error({ err, topic }, `redis ${cmd} failed`) : undefined),
    );
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  #receive(channel: string, text: string): void {
    if (!channel.startsWith(this.#prefix)) return;
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
    } catch (err) {
      this.#log.warn({ err, channel }, 'bus message from redis is not JSON; ignored');
      return;
    }
    if (!env || typeof env !== 'object' || typeof env.o !== 'string') {
      this.#log.warn({ channel }, 'bus message from redis has no envelope; ignored');
      return;
    }
    if (env.o === this.#id) return; // already delivered locally by publish()
    this.#deliver(channel.slice(this.#prefix.length), env.m);
  }

  #deliver(topic: string, msg: unknown): void {
    const set = this.#topics.get(topic);
    if (!set) return;
    for (const { handler } of [...set]) {
      try {
        handler(msg);
      } catch (err) {
        // A listener cannot break the fan-out (STYLE habit 8).
        this.#log.error({ err, topic }, 'bus handler threw');
      }
    }
  }
}

/** Resolves when the connection is ready (a wrong URL: after ioredis gave up, with its error). */
function whenUp(conn: Redis): Promise<void> {
  if (conn.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      conn.off('ready', ok);
      reject(new Error('Redis did not answer within 10 s'));
    }, 10_000);
    const ok = () => {
      clearTimeout(t);
      resolve();
    };
    conn.once('ready', ok);
  });
}

async function quit(conn: Redis): Promise<void> {
  try {
    await conn.quit();
  } catch {
    // Not connected (e.g. Redis was never reachable): drop the socket.
    conn.disconnect();
  }
}
