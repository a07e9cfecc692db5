import { describe, expect, it } from 'vitest';
import { FramingError, StreamFramer } from '../src/transports/framing.js';

const msg = (body = '') => `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x;branch=z9hG4bK1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('stream framing', () => {
  it('cuts messages by Content-Length, across chunk boundaries and with multi-byte bodies', () => {
    const f = new StreamFramer();
    const all = Buffer.from(msg('héllo ✓') + msg() + msg('x'));
    const out: string[] = [];
    for (let i = 0; i < all.length; i += 7) out.push(...f.push(all.subarray(i, i + 7)).messages);
    expect(out).toEqual([msg('héllo ✓'), msg(), msg('x')]);
  });

  it('answers a CRLFCRLF keep-alive ping and skips stray line ends', () => {
    const f = new StreamFramer();
    expect(f.push(Buffer.from('\r\n\r\n'))).toEqual({ messages: [], ping: true });
    expect(f.push(Buffer.from('\r\n' + msg('a')))).toEqual({ messages: [msg('a')], ping: false });
  });

  it('accepts the compact form l: and treats a missing length as 0', () => {
    const f = new StreamFramer();
    const compact = 'OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\nab';
    const none = 'OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n';
    expect(f.push(Buffer.from(compact + none)).messages).toEqual([compact, none]);
  });

  it('refuses huge headers, huge bodies and a malformed length', () => {
    expect(() => new StreamFramer(1024).push(Buffer.from('INVITE sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(2000)))).toThrow(FramingError);
    expect(() => new StreamFramer(1024).push(Buffer.from('INVITE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n'))).toThrow(/over 1024/);
    expect(() => new StreamFramer().push(Buffer.from('INVITE sip:a@b SIP/2.0\r\nContent-Length: -3\r\n\r\n'))).toThrow(/Content-Length/);
  });
});
