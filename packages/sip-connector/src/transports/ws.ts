/** SIP over WebSocket (RFC 7118): one message per text frame, subprotocol `sip`. */
import WebSocket from 'ws';
import crypto from 'node:crypto';
import type { Endpoint, SipTransport } from './types.js';
import { MAX_MESSAGE_BYTES } from './types.js';

export interface WsTransportOptions {
  url: string;
  rejectUnauthorized?: boolean;
  ca?: string | Buffer;
  connectTimeoutMs?: number;
}

export class WsTransport implements SipTransport {
  readonly kind: 'ws' | 'wss';
  readonly viaProtocol: string;
  /** RFC 7118 §5: a WebSocket client has no reachable address; an `.invalid` host stands for it. */
  readonly local: Endpoint = { address: `${crypto.randomBytes(6).toString('hex')}.invalid`, port: 0 };
  onMessage?: (text: string, from: Endpoint) => void;
  onClose?: (error: Error) => void;
  #ws?: WebSocket;
  #closing = false;
  #peer: Endpoint;

  constructor(private readonly opts: WsTransportOptions) {
    this.kind = opts.url.startsWith('wss:') ? 'wss' : 'ws';
    this.viaProtocol = this.kind.toUpperCase();
    const u = new URL(opts.url);
    this.#peer = { address: u.hostname, port: Number(u.port) || (this.kind === 'wss' ? 443 : 80) };
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.opts.url, 'sip', {
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: this.opts.connectTimeoutMs ?? 10_000,
        rejectUnauthorized: this.opts.rejectUnauthorized ?? true,
        ca: this.opts.ca,
      });
      this.#ws = ws;
      let open = false;
      let lastError: Error | undefined;
      ws.on('open', () => {
        open = true;
        resolve();
      });
      ws.on('message', (data, isBinary) => {
        const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
        if (!isBinary && text.trim() === '') return; // keep-alive
        this.onMessage?.(text, this.#peer);
      });
      ws.on('error', (err) => {
        lastError = err;
      });
      ws.on('close', (code, reason) => {
        if (!open) {
          reject(lastError ?? new Error(`WebSocket closed before opening (${code})`));
          return;
        }
        if (!this.#closing) this.onClose?.(lastError ?? new Error(`WebSocket closed by the PBX (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
      });
    });
  }

  send(text: string): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => ws.send(text, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.#closing = true;
    this.#ws?.terminate();
  }
}
