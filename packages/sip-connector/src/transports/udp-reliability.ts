/**
 * RFC 3261 §17 retransmission for UDP, underneath SIP.js's core.
 *
 * SIP.js implements the transaction timers of reliable transports only (its
 * timers A and E are `TODO`, D/I/J/K are 0). Over UDP a lost datagram would
 * otherwise stall a transaction until it times out, and a retransmitted
 * request would reach the core twice. This layer adds exactly what is missing:
 *
 * - timer A/E: a request we send is resent after T1, 2·T1, … (INVITE: until
 *   any response; others: capped at T2, until a final response), at most 64·T1;
 * - timer J (and H for non-2xx INVITE answers): a request retransmitted after
 *   we answered it finally gets the cached answer again and does not reach the
 *   core;
 * - timer D: a retransmitted non-2xx final answer to our INVITE gets our ACK
 *   again.
 *
 * 2xx/ACK retransmission belongs to the dialog layer, which SIP.js has.
 */
import { IncomingRequestMessage, IncomingResponseMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from './types.js';

export interface ReliabilityTimers {
  T1: number;
  T2: number;
}

interface Pending {
  text: string;
  to: Endpoint;
  invite: boolean;
  interval: number;
  timer: NodeJS.Timeout;
  deadline: number;
}

interface Cached {
  text: string;
  to: Endpoint;
  expires: number;
}

export type ParsedMessage = IncomingRequestMessage | IncomingResponseMessage;

export class UdpReliability {
  #pending = new Map<string, Pending>();
  /** branch + method of requests we answered finally → the answer */
  #answers = new Map<string, Cached>();
  /** branch + method of received requests → where they came from (responses go back there) */
  #sources = new Map<string, { from: Endpoint; expires: number }>();
  /** branch of our INVITEs answered non-2xx → the ACK we sent */
  #acks = new Map<string, Cached>();
  #sweep: NodeJS.Timeout;
  readonly #life: number;

  constructor(
    private readonly rawSend: (text: string, to: Endpoint) => void,
    private readonly timers: ReliabilityTimers = { T1: 500, T2: 4000 },
    private readonly now: () => number = Date.now,
  ) {
    this.#life = 64 * timers.T1;
    this.#sweep = setInterval(() => this.#expire(), Math.max(1000, timers.T1 * 4));
    this.#sweep.unref();
  }

  /** Sends a message we built; `parsed` is SIP.js's reading of it. */
  send(text: string, parsed: ParsedMessage | undefined, defaultTo: Endpoint): void {
    if (!parsed) return this.rawSend(text, defaultTo);
    if (parsed instanceof IncomingResponseMessage) {
      const key = `${parsed.viaBranch} ${parsed.method}`;
      const to = this.#sources.get(key)?.from ?? defaultTo;
      const code = parsed.statusCode ?? 0;
      if (code >= 200 && !(parsed.method === 'INVITE' && code < 300)) this.#answers.set(key, { text, to, expires: this.now() + this.#life });
      return this.rawSend(text, to);
    }
    const branch = parsed.viaBranch;
    if (parsed.method === 'ACK') {
      this.#acks.set(branch, { text, to: defaultTo, expires: this.now() + this.#life });
      return this.rawSend(text, defaultTo);
    }
    const key = `${branch} ${parsed.method}`;
    this.#stop(key);
    const invite = parsed.method === 'INVITE';
    const p: Pending = {
      text,
      to: defaultTo,
      invite,
      interval: this.timers.T1,
      deadline: this.now() + this.#life,
      timer: setTimeout(() => this.#retransmit(key), this.timers.T1),
    };
    p.timer.unref();
    this.#pending.set(key, p);
    this.rawSend(text, defaultTo);
  }

  /** Looks at what arrived; false when this layer absorbed it (a retransmission). */
  receive(msg: ParsedMessage, from: Endpoint): boolean {
    if (msg instanceof IncomingResponseMessage) {
      const key = `${msg.viaBranch} ${msg.method}`;
      const code = msg.statusCode ?? 0;
      const p = this.#pending.get(key);
      if (p) {
        if (p.invite || code >= 200) this.#stop(key);
        else p.interval = this.timers.T2; // non-INVITE proceeding: keep resending at T2
      }
      if (msg.method === 'INVITE' && code >= 300) {
        const ack = this.#acks.get(msg.viaBranch);
        if (ack) {
          this.rawSend(ack.text, ack.to);
          return false;
        }
      }
      return true;
    }
    if (msg.method === 'ACK') return true;
    const key = `${msg.viaBranch} ${msg.method}`;
    const answered = this.#answers.get(key);
    if (answered) {
      this.rawSend(answered.text, answered.to);
      return false;
    }
    this.#sources.set(key, { from, expires: this.now() + this.#life });
    return true;
  }

  /** Number of requests being retransmitted (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const key of [...this.#pending.keys()]) this.#stop(key);
    this.#answers.clear();
    this.#sources.clear();
    this.#acks.clear();
  }

  #retransmit(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    if (this.now() >= p.deadline) {
      this.#pending.delete(key);
      return;
    }
    this.rawSend(p.text, p.to);
    p.interval = p.invite ? p.interval * 2 : Math.min(p.interval * 2, this.timers.T2);
    p.timer = setTimeout(() => this.#retransmit(key), p.interval);
    p.timer.unref();
  }

  #stop(key: string): void {
    const p = this.#pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(key);
  }

  #expire(): void {
    const t = this.now();
    for (const m of [this.#answers, this.#sources, this.#acks] as Map<string, { expires: number }>[])
      for (const [k, v] of m) if (v.expires <= t) m.delete(k);
  }
}
