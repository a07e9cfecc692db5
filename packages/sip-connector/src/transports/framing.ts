/**
 * RFC 3261 §18.3 framing for stream transports (TCP, TLS): a message is the
 * header section up to the empty line plus Content-Length bytes of body.
 * This only cuts the stream; SIP.js parses each message. Limits keep a
 * misbehaving peer from growing our buffer without end.
 */
import { MAX_MESSAGE_BYTES } from './types.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class FramingError extends Error {}

export class StreamFramer {
  #buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  /**
   * Adds received bytes; returns the complete messages and whether the peer
   * sent a keep-alive ping (a CRLFCRLF between messages, RFC 5626 §4.4.1)
   * that wants a CRLF pong. Throws FramingError when the stream cannot be cut.
   */
  push(chunk: Buffer): { messages: string[]; ping: boolean } {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const messages: string[] = [];
    let ping = false;
    for (;;) {
      // Keep-alives and stray line ends between messages.
      let start = 0;
      while (start + 1 < this.#buf.length && this.#buf[start] === 13 && this.#buf[start + 1] === 10) start += 2;
      if (start >= 4) ping = true;
      if (start > 0) this.#buf = this.#buf.subarray(start);
      if (this.#buf.length === 0) break;
      const end = this.#buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.#buf.length > this.maxBytes) throw new FramingError(`header section over ${this.maxBytes} bytes`);
        break;
      }
      const head = this.#buf.subarray(0, end).toString('utf8');
      const length = contentLength(head);
      if (length === undefined) throw new FramingError('bad Content-Length');
      const total = end + 4 + length;
      if (total > this.maxBytes) throw new FramingError(`message of ${total} bytes is over ${this.maxBytes}`);
      if (this.#buf.length < total) break;
      messages.push(this.#buf.subarray(0, total).toString('utf8'));
      this.#buf = this.#buf.subarray(total);
    }
    return { messages, ping };
  }
}

/** Content-Length (or its compact form `l`) of a header section; 0 when absent, undefined when malformed. */
function contentLength(head: string): number | undefined {
  const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
  if (!m) return 0;
  const v = m[1].trim();
  if (!/^\d{1,9}$/.test(v)) return undefined;
  return Number(v);
}
