/** SIP over TCP or TLS: one client connection to the PBX, reused for requests the PBX sends us (RFC 3261 §18). */
import net from 'node:net';
import tls from 'node:tls';
import type { SipTransportKind } from '../types.js';
import { FramingError, StreamFramer } from './framing.js';
import type { Endpoint, SipTransport } from './types.js';

export interface StreamTransportOptions {
  kind: Extract<SipTransportKind, 'tcp' | 'tls'>;
  host: string;
  port: number;
  /** Name to check the PBX's certificate against (TLS; default the host). */
  servername?: string;
  /** TLS: verify the PBX's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** Extra CA certificates for TLS (PEM). */
  ca?: string | Buffer;
  connectTimeoutMs?: number;
  /** Address to advertise in Via/Contact instead of the socket's own. */
  advertisedHost?: string;
}

export class StreamTransport implements SipTransport {
  readonly kind: 'tcp' | 'tls';
  readonly viaProtocol: string;
  local: Endpoint = { address: '0.0.0.0', port: 0 };
  onMessage?: (text: string, from: Endpoint) => void;
  onClose?: (error: Error) => void;
  #socket?: net.Socket;
  #closing = false;
  #peer: Endpoint;

  constructor(private readonly opts: StreamTransportOptions) {
    this.kind = opts.kind;
    this.viaProtocol = opts.kind.toUpperCase();
    this.#peer = { address: opts.host, port: opts.port };
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.opts;
      const socket =
        this.kind === 'tls'
          ? tls.connect({
              host,
              port,
              servername: net.isIP(this.opts.servername ?? host) ? undefined : (this.opts.servername ?? host),
              rejectUnauthorized: this.opts.rejectUnauthorized ?? true,
              ca: this.opts.ca,
            })
          : net.connect({ host, port });
      this.#socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout to ${host}:${port}`)), this.opts.connectTimeoutMs ?? 10_000);
      let connected = false;
      const onConnected = () => {
        connected = true;
        clearTimeout(timer);
        this.local = { address: this.opts.advertisedHost ?? socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 };
        this.#peer = { address: socket.remoteAddress ?? host, port: socket.remotePort ?? port };
        resolve();
      };
      socket.once(this.kind === 'tls' ? 'secureConnect' : 'connect', onConnected);
      const framer = new StreamFramer();
      socket.on('data', (chunk: Buffer) => {
        let out: { messages: string[]; ping: boolean };
        try {
          out = framer.push(chunk);
        } catch (err) {
          // The stream cannot be cut into messages any more: drop the connection (it is re-made).
          socket.destroy(err instanceof FramingError ? new Error(`framing: ${err.message}`) : (err as Error));
          return;
        }
        if (out.ping && !socket.destroyed) socket.write('\r\n');
        for (const m of out.messages) this.onMessage?.(m, this.#peer);
      });
      let lastError: Error | undefined;
      socket.on('error', (err) => {
        lastError = err;
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (!connected) {
          reject(lastError ?? new Error(`connection to ${host}:${port} closed`));
          return;
        }
        if (!this.#closing) this.onClose?.(lastError ?? new Error('connection closed by the PBX'));
      });
    });
  }

  send(text: string): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed || !socket.writable) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.#closing = true;
    this.#socket?.destroy();
  }
}
