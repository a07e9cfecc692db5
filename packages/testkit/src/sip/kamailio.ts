/** Kamailio from the repo's config (e2e/sip/kamailio.cfg), in a temp run dir; restartable. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Proc, waitForTcp } from './process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SIP_CONFIG_DIR = path.resolve(here, '../../../../e2e/sip');
const TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap', 'pua'];

export interface Kamailio {
  proc: Proc;
  dir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKamailio(cfgName = 'kamailio.cfg'): Promise<Kamailio> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-kamailio-'));
  const db = path.join(dir, 'db');
  fs.mkdirSync(db);
  // Fresh tables at every start: db_text cannot read back some rows the presence module writes at exit.
  const tables = () => {
    for (const t of TABLES) fs.copyFileSync(path.join('/usr/share/kamailio/dbtext/kamailio', t), path.join(db, t));
  };
  const cfg = path.join(dir, 'kamailio.cfg');
  fs.writeFileSync(cfg, fs.readFileSync(path.join(SIP_CONFIG_DIR, cfgName), 'utf8').replaceAll('@DB_DIR@', db));
  const boot = async () => {
    tables();
    const p = new Proc('kamailio', 'kamailio', ['-DD', '-E', '-f', cfg, '-Y', dir, '-P', path.join(dir, 'kamailio.pid'), '-m', '64', '-M', '8']);
    await Promise.race([waitForTcp(5060), p.exited.then((c) => Promise.reject(new Error(`kamailio exited (${c}):\n${p.output.slice(-3000)}`)))]);
    return p;
  };
  const k: Kamailio = {
    proc: await boot(),
    dir,
    async restart() {
      await k.proc.stop();
      k.proc = await boot();
    },
    async stop() {
      await k.proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return k;
}

export async function startRtpengine(): Promise<Proc> {
  const p = new Proc('rtpengine', 'rtpengine', [
    '--table=-1',
    '--interface=127.0.0.1',
    '--listen-ng=127.0.0.1:2223',
    '--port-min=30000',
    '--port-max=30100',
    '--foreground',
    '--log-stderr',
    '--pidfile=/dev/null',
    // RTPENGINE_LOG_LEVEL=7 shows every offer/answer and DTLS step (for a failing run).
    `--log-level=${process.env.RTPENGINE_LOG_LEVEL ?? '6'}`,
  ]);
  await Promise.race([p.waitFor(/Startup complete/, 0, 10_000), p.exited.then((c) => Promise.reject(new Error(`rtpengine exited (${c}):\n${p.output}`)))]);
  return p;
}

/** sipp as a fixed far end: `uas` answers, or a scenario file from e2e/sip. */
export function startSipp(port: number, scenario: 'uas' | string): Proc {
  const args = scenario === 'uas' ? ['-sn', 'uas'] : ['-sf', path.join(SIP_CONFIG_DIR, scenario)];
  return new Proc(`sipp:${port}`, 'sipp', [...args, '-i', '127.0.0.1', '-p', String(port), '-bg', '-nostdin'].filter((a) => a !== '-bg'));
}

/**
 * PUBLISHes a PIDF for `user` at the test PBX (as a phone with an "away"
 * button would), over UDP from a throw-away socket; resolves with the
 * publication's entity tag (pass it as `etag` to replace that publication).
 */
export async function publishPidf(user: string, opts: { basic: 'open' | 'closed'; activity?: 'away' | 'busy'; expires?: number; etag?: string }): Promise<string> {
  const dgram = await import('node:dgram');
  const crypto = await import('node:crypto');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\r
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:${user}@127.0.0.1">\r
<tuple id="t-test"><status><basic>${opts.basic}</basic></status></tuple>\r
<dm:person id="p-test">${opts.activity ? `<rpid:activities><rpid:${opts.activity}/></rpid:activities>` : ''}</dm:person>\r
</presence>\r
`;
  const tag = crypto.randomBytes(4).toString('hex');
  const msg = [
    `PUBLISH sip:${user}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${crypto.randomBytes(6).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user}@127.0.0.1>;tag=${tag}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${crypto.randomBytes(8).toString('hex')}@test`,
    'CSeq: 1 PUBLISH',
    'Event: presence',
    `Expires: ${opts.expires ?? 120}`,
    ...(opts.etag ? [`SIP-If-Match: ${opts.etag}`] : []),
    'Content-Type: application/pidf+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  try {
    return await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer to PUBLISH')), 5000);
      sock.on('message', (m) => {
        const text = m.toString();
        const line = text.split('\r\n')[0];
        if (/^SIP\/2.0 2\d\d/.test(line)) (clearTimeout(t), resolve(/\r\nSIP-ETag:\s*(\S+)/i.exec(text)?.[1] ?? ''));
        else if (/^SIP\/2.0 [3-6]\d\d/.test(line)) (clearTimeout(t), reject(new Error(`PUBLISH: ${line}`)));
      });
      sock.send(msg, 5060, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}
