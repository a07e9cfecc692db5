/**
 * A scripted SIP peer on UDP for unit tests of odd and lossy behaviour that a
 * real PBX will not show on demand (lost datagrams, garbage, odd responses).
 * The real-PBX tests are in e2e/sip-connector.e2e.ts.
 */
import dgram from 'node:dgram';
import { IncomingRequestMessage, LoggerFactory, Parser } from 'sip.js/lib/core/index.js';

const lf = new LoggerFactory();
lf.builtinEnabled = false;
const log = lf.getLogger('fake');

export interface Received {
  req: IncomingRequestMessage;
  text: string;
  from: { address: string; port: number };
}

export class FakePbx {
  readonly sock = dgram.createSocket('udp4');
  received: Received[] = [];
  /** Decides what to do with each request; default: 200 OK to everything but ACK. */
  handler: (r: Received, pbx: FakePbx) => void = (r, pbx) => {
    if (r.req.method !== 'ACK') pbx.reply(r, 200, 'OK');
  };
  #waiters: { pred(r: Received): boolean; resolve(r: Received): void }[] = [];

  async start(): Promise<number> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    this.sock.on('message', (buf, rinfo) => {
      const text = buf.toString();
      const req = Parser.parseMessage(text, log);
      if (!(req instanceof IncomingRequestMessage)) return;
      const r = { req, text, from: { address: rinfo.address, port: rinfo.port } };
      this.received.push(r);
      for (const w of [...this.#waiters])
        if (w.pred(r)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(r);
        }
      this.handler(r, this);
    });
    return this.sock.address().port;
  }

  waitFor(pred: (r: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('fake PBX: no such request')), timeoutMs);
      this.#waiters.push({ pred, resolve: (r) => (clearTimeout(t), resolve(r)) });
    });
  }

  /** A response built from the request's own headers. */
  response(r: Received, code: number, reason: string, opts: { extra?: string[]; body?: string; toTag?: string | null } = {}): string {
    const req = r.req;
    const to = req.getHeader('to') ?? '';
    const toTag = opts.toTag === null ? '' : /;tag=/.test(to) ? '' : `;tag=${opts.toTag ?? 'fake1'}`;
    const lines = [
      `SIP/2.0 ${code} ${reason}`,
      ...req.getHeaders('via').map((v) => `Via: ${v}`),
      `From: ${req.getHeader('from')}`,
      `To: ${to}${code > 100 ? toTag : ''}`,
      `Call-ID: ${req.callId}`,
      `CSeq: ${req.cseq} ${req.method}`,
      ...(req.method === 'REGISTER' && code === 200 ? [`Contact: ${req.getHeader('contact')}`] : []),
      ...(opts.extra ?? []),
      ...(opts.body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(opts.body ?? '')}`,
      '',
      opts.body ?? '',
    ];
    return lines.join('\r\n');
  }

  reply(r: Received, code: number, reason: string, opts: Parameters<FakePbx['response']>[3] = {}): void {
    this.send(this.response(r, code, reason, opts), r.from);
  }

  send(text: string | Buffer, to: { address: string; port: number }): void {
    this.sock.send(text, to.port, to.address);
  }

  close(): void {
    this.sock.close();
  }
}
