import type { IncomingRequestMessage, IncomingResponseMessage } from 'sip.js/lib/core/index.js';
import type { SipTransportKind } from '../types.js';

/** Largest SIP message the connector accepts (headers + body), on any transport. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * One connection (or, for UDP, one socket) to the PBX. SIP.js's core only
 * needs `send(text)`; the stack feeds what arrives into the core.
 */
export interface SipTransport {
  readonly kind: SipTransportKind;
  /** The Via sent-protocol token: UDP, TCP, TLS, WS or WSS. */
  readonly viaProtocol: string;
  /** Our address as the PBX should see it (Via sent-by and Contact); set once connected. */
  readonly local: Endpoint;
  connect(): Promise<void>;
  send(text: string): Promise<void>;
  /** Closes on purpose: onClose is not called. */
  close(): void;
  /** A complete message arrived. */
  onMessage?: (text: string, from: Endpoint) => void;
  /** Sees every parsed incoming message first; false = absorbed (UDP: a retransmission already answered). */
  accept?(msg: IncomingRequestMessage | IncomingResponseMessage, from: Endpoint): boolean;
  /** The connection was lost (not after close()). */
  onClose?: (error: Error) => void;
}
