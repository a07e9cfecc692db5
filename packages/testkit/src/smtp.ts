/**
 * A real SMTP server for tests (npm smtp-server), on loopback: it receives
 * what the product sends and parses each mail (mailparser). It can be
 * stopped and started again on the same port, to play an SMTP outage.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  from: string;
  to: string[];
  parsed: ParsedMail;
  raw: string;
}

export interface TestSmtp {
  /** smtp://127.0.0.1:<port> for SMTP_URL */
  readonly url: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** the next mail (not yet taken) that matches, waiting for it up to timeoutMs */
  next(pred?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** stops listening (connections are refused) */
  stop(): Promise<void>;
  /** listens again on the same port */
  start(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: { pred: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  let port = 0;
  const deliver = (m: ReceivedMail) => {
    mails.push(m);
    const i = waiters.findIndex((w) => w.pred(m));
    if (i >= 0) {
      taken.add(m);
      waiters.splice(i, 1)[0]!.resolve(m);
    }
  };
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              deliver({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), parsed, raw });
              cb();
            })
            .catch((err: Error) => cb(err));
        });
      },
    });
  let server = make();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    mails,
    next(pred = () => true, timeoutMs = 15_000) {
      const hit = mails.find((m) => !taken.has(m) && pred(m));
      if (hit) {
        taken.add(hit);
        return Promise.resolve(hit);
      }
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (m: ReceivedMail) => (clearTimeout(t), resolve(m)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no matching mail within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async start() {
      server = make();
      await listen();
    },
  };
}
