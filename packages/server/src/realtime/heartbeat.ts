/**
 * Ends sockets that hold resources without being used (issue 11.4):
 * WebSocket ping/pong that drops peers gone silent (a half-open TCP
 * connection never says goodbye), and a deadline for a visitor's `Start`.
 *
 * One timer per process, not one per socket: thousands of sockets live at
 * once, and the fan-out's hot path must not pay for this. A sweep visits the
 * sockets in slices so that it never holds the event loop for long.
 */
import type WebSocket from 'ws';
import type { Logger } from 'pino';

const ALIVE = Symbol('cw-alive');
type Watched = WebSocket & { [ALIVE]?: boolean };

// Module-level, so that a socket costs no closure: `this` is the socket.
function onPong(this: Watched): void {
  this[ALIVE] = true;
}

/** Marks the socket alive now and whenever it answers a ping. */
export function watchAlive(ws: WebSocket): void {
  (ws as Watched)[ALIVE] = true;
  ws.on('pong', onPong);
}

/** What a sweep needs of a socket's owner. */
export interface Swept {
  readonly conn: { ws: WebSocket };
}

export interface HeartbeatOptions {
  /** ping every socket this often; one that has not answered the previous ping by then is dropped (0: off) */
  pingIntervalMs: number;
  /** the open sockets, by channel */
  sets: Iterable<Swept>[];
  /** sockets waiting for a first message, with the time they opened */
  unstarted: Map<Swept & { startTimedOut(): void }, number>;
  /** an opened socket must send Start within this (0: off) */
  startTimeoutMs: number;
  now(): number;
  logger: Logger;
}

const SLICE = 2000;

export class Heartbeat {
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;
  readonly #o: HeartbeatOptions;
  /** peers dropped for not answering pings (tests, metrics) */
  dropped = 0;

  constructor(o: HeartbeatOptions) {
    this.#o = o;
    if (o.pingIntervalMs > 0) this.#every(o.pingIntervalMs, () => this.#pingSweep());
    // Checked at half the deadline: a socket goes between 1 and 1.5 deadlines after it opened.
    if (o.startTimeoutMs > 0) this.#every(Math.max(50, o.startTimeoutMs / 2), () => this.#startSweep());
  }

  #every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.#timers.push(t);
  }

  async #pingSweep(): Promise<void> {
    const all: Swept[] = [];
    for (const set of this.#o.sets) for (const s of set) all.push(s);
    for (let i = 0; i < all.length; i += SLICE) {
      if (this.#stopped) return;
      for (const s of all.slice(i, i + SLICE)) {
        const ws = s.conn.ws as Watched;
        if (ws.readyState !== 1) continue;
        if (ws[ALIVE] === false) {
          this.dropped++;
          ws.terminate();
          continue;
        }
        ws[ALIVE] = false;
        try {
          ws.ping();
        } catch (err) {
          this.#o.logger.debug({ err }, 'ping failed');
        }
      }
      // Let other work (a fan-out, a chat message) run between slices.
      if (i + SLICE < all.length) await new Promise((r) => setImmediate(r));
    }
  }

  #startSweep(): void {
    const limit = this.#o.now() - this.#o.startTimeoutMs;
    for (const [s, openedAt] of this.#o.unstarted) {
      // Map order is opening order: the rest opened later.
      if (openedAt > limit) break;
      this.#o.unstarted.delete(s);
      s.startTimedOut();
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }
}
