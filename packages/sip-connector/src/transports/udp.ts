/** SIP over UDP: one socket; requests go to the PBX, responses to where their request came from. */
import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import { Parser, LoggerFactory } from 'sip.js/lib/core/index.js';
import type { Endpoint, SipTransport } from './types.js';
import { MAX_MESSAGE_BYTES } from './types.js';
import { UdpReliability, type ParsedMessage, type ReliabilityTimers } from './udp-reliability.js';

export interface UdpTransportOptions {
  host: string;
  port: number;
  /** Local address and port to bind (default: all interfaces, a free port). */
  bindAddress?: string;
  bindPort?: number;
  /** Address to advertise in Via/Contact (default: the interface that routes to the PBX). */
  advertisedHost?: string;
  timers?: ReliabilityTimers;
}

const quiet = (() => {
  const f = new LoggerFactory();
  f.builtinEnabled = false;
  return f.getLogger('sip.udp');
})();

export class UdpTransport implements SipTransport {
  readonly kind = 'udp' as const;
  readonly viaProtocol = 'UDP';
  local: Endpoint = { address: '0.0.0.0', port: 0 };
  onMessage?: (text: string, from: Endpoint) => void;
  onClose?: (error: Error) => void;
  #socket?: dgram.Socket;
  #peer: Endpoint;
  #reliability?: UdpReliability;

  constructor(private readonly opts: UdpTransportOptions) {
    this.#peer = { address: opts.host, port: opts.port };
  }

  async connect(): Promise<void> {
    const peerAddress = net.isIP(this.opts.host) ? this.opts.host : (await dns.lookup(this.opts.host)).address;
    this.#peer = { address: peerAddress, port: this.opts.port };
    const family = net.isIPv6(peerAddress) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type: family });
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.bindPort ?? 0, this.opts.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {
      // ICMP port unreachable and the like surface as send errors or timeouts; the socket stays.
    });
    socket.on('message', (buf, rinfo) => {
      if (buf.length > MAX_MESSAGE_BYTES || buf.length < 4) return;
      const text = buf.toString('utf8');
      if (text.trim() === '') return; // keep-alive
      this.onMessage?.(text, { address: rinfo.address, port: rinfo.port });
    });
    const bound = socket.address();
    this.local = {
      address: this.opts.advertisedHost ?? (await routeAddress(family, peerAddress, this.opts.port, bound.address)),
      port: bound.port,
    };
    this.#reliability = new UdpReliability((text, to) => this.#raw(text, to), this.opts.timers);
  }

  /** Called by the stack for every parsed incoming message: false = a retransmission, already handled. */
  accept(msg: ParsedMessage, from: Endpoint): boolean {
    return this.#reliability ? this.#reliability.receive(msg, from) : true;
  }

  send(text: string): Promise<void> {
    if (!this.#socket || !this.#reliability) return Promise.reject(new Error('not connected'));
    this.#reliability.send(text, Parser.parseMessage(text, quiet), this.#peer);
    return Promise.resolve();
  }

  close(): void {
    this.#reliability?.close();
    try {
      this.#socket?.close();
    } catch {
      // already closed
    }
    this.#socket = undefined;
  }

  #raw(text: string, to: Endpoint): void {
    this.#socket?.send(text, to.port, to.address);
  }
}

/** The local address the kernel would use to reach the peer (a connected UDP socket tells it, nothing is sent). */
async function routeAddress(family: 'udp4' | 'udp6', address: string, port: number, bound: string): Promise<string> {
  if (bound !== '0.0.0.0' && bound !== '::') return bound;
  const probe = dgram.createSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(port, address, () => resolve());
    });
    return probe.address().address;
  } catch {
    return family === 'udp6' ? '::1' : '127.0.0.1';
  } finally {
    probe.close();
  }
}
