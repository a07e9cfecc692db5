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
  for (const t of TABLES) fs.copyFileSync(path.join('/usr/share/kamailio/dbtext/kamailio', t), path.join(db, t));
  const cfg = path.join(dir, 'kamailio.cfg');
  fs.writeFileSync(cfg, fs.readFileSync(path.join(SIP_CONFIG_DIR, cfgName), 'utf8').replaceAll('@DB_DIR@', db));
  const boot = async () => {
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
  ]);
  await Promise.race([p.waitFor(/Startup complete/, 0, 10_000), p.exited.then((c) => Promise.reject(new Error(`rtpengine exited (${c}):\n${p.output}`)))]);
  return p;
}

/** sipp as a fixed far end: `uas` answers, or a scenario file from e2e/sip. */
export function startSipp(port: number, scenario: 'uas' | string): Proc {
  const args = scenario === 'uas' ? ['-sn', 'uas'] : ['-sf', path.join(SIP_CONFIG_DIR, scenario)];
  return new Proc(`sipp:${port}`, 'sipp', [...args, '-i', '127.0.0.1', '-p', String(port), '-bg', '-nostdin'].filter((a) => a !== '-bg'));
}
