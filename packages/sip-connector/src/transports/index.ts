import type { PeerAddress } from '../address.js';
import { StreamTransport } from './stream.js';
import type { SipTransport } from './types.js';
import { UdpTransport } from './udp.js';
import { WsTransport } from './ws.js';

export type { Endpoint, SipTransport } from './types.js';
export { MAX_MESSAGE_BYTES } from './types.js';

export interface TransportOptions {
  /** Address to advertise in Via/Contact (NAT, or several interfaces). */
  advertisedHost?: string;
  /** UDP: local port to bind (default: a free port). */
  udpPort?: number;
  /** TLS/WSS: verify the PBX's certificate (default true). */
  rejectUnauthorized?: boolean;
  ca?: string | Buffer;
}

/** The transport for a registrar/proxy address. */
export function createTransport(peer: PeerAddress, opts: TransportOptions = {}): SipTransport {
  switch (peer.transport) {
    case 'udp':
      return new UdpTransport({ host: peer.host, port: peer.port, bindPort: opts.udpPort, advertisedHost: opts.advertisedHost });
    case 'tcp':
    case 'tls':
      return new StreamTransport({
        kind: peer.transport,
        host: peer.host,
        port: peer.port,
        advertisedHost: opts.advertisedHost,
        rejectUnauthorized: opts.rejectUnauthorized,
        ca: opts.ca,
      });
    case 'ws':
    case 'wss':
      return new WsTransport({ url: peer.url!, rejectUnauthorized: opts.rejectUnauthorized, ca: opts.ca });
  }
}
