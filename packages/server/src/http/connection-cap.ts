/**
 * At most `max` open connections per client address (issue 11.4): 2,000
 * sockets from one address were all accepted before. Counted on the TCP
 * connection for direct clients — which covers HTTP, WebSockets and
 * connections that send nothing — and, behind a trusted proxy (whose own
 * connections are not capped), per forwarded client address on each
 * WebSocket upgrade. Generous by default: an office behind one NAT address
 * shares it.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { clientAddress, fromTrustedProxy, type TrustFn } from './proxy-trust.js';

const ADDR = Symbol('cw-capped-address');
type Tagged = { [ADDR]?: string; cap?: ConnectionCap };

export class ConnectionCap {
  readonly #open = new Map<string, number>();
  readonly #max: number;
  readonly #trust: TrustFn;
  /** connections refused (tests, metrics) */
  refused = 0;

  constructor(max: number, trust: TrustFn) {
    this.#max = max;
    this.#trust = trust;
  }

  /** Open connections counted for `addr`. */
  count(addr: string): number {
    return this.#open.get(addr) ?? 0;
  }

  /** The server's 'connection' listener: counts the peer, or closes the socket over the cap. */
  readonly onConnection = (socket: Socket): void => {
    if (this.#max <= 0) return;
    const addr = socket.remoteAddress;
    if (!addr || this.#trust(addr, 0)) return;
    if (!this.#take(addr)) {
      socket.destroy();
      return;
    }
    const tagged = socket as Socket & Tagged;
    tagged[ADDR] = addr;
    tagged.cap = this;
    socket.once('close', releaseSocket);
  };

  /**
   * For a WebSocket upgrade: behind a trusted proxy, counts the forwarded
   * client address until the returned release is called; undefined when over
   * the cap. Direct clients were counted on their TCP connection already.
   */
  admitUpgrade(req: IncomingMessage): (() => void) | undefined | 'uncounted' {
    if (this.#max <= 0 || !fromTrustedProxy(req, this.#trust)) return 'uncounted';
    const addr = clientAddress(req, this.#trust);
    if (!this.#take(addr)) return undefined;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#give(addr);
    };
  }

  /** Refuses an upgrade over the cap with a plain HTTP answer. */
  static refuse(socket: Duplex): void {
    socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n\r\nToo many connections from your address.\r\n\r\n');
    socket.destroy();
  }

  #take(addr: string): boolean {
    const n = this.#open.get(addr) ?? 0;
    if (n >= this.#max) {
      this.refused++;
      return false;
    }
    this.#open.set(addr, n + 1);
    return true;
  }

  #give(addr: string): void {
    const n = (this.#open.get(addr) ?? 1) - 1;
    if (n > 0) this.#open.set(addr, n);
    else this.#open.delete(addr);
  }

  /** Called by releaseSocket. */
  release(addr: string): void {
    this.#give(addr);
  }
}

// Module-level, so that a connection costs no closure: `this` is the socket.
function releaseSocket(this: Socket & Tagged): void {
  const addr = this[ADDR];
  if (addr !== undefined) this.cap?.release(addr);
}
