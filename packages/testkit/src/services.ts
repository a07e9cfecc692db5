/**
 * Outside parts a test may need (PostgreSQL, Redis, Chromium, root). Off CI a
 * missing part skips the test with a printed reason; with CI=true a missing
 * part is an error, so CI can never pass by skipping.
 */
import fs from 'node:fs';
import net from 'node:net';

export const IN_CI = !!process.env.CI && process.env.CI !== 'false';

export const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${cmd}`));
}

/**
 * Returns true when the part is there. When it is not: throws in CI, else
 * prints why the test is skipped and returns false.
 */
export async function need(name: 'postgres' | 'redis' | 'chromium' | 'root' | 'netns' | 'cluster-parts' | 'sip', reason?: string): Promise<boolean> {
  let ok: boolean;
  switch (name) {
    case 'postgres': {
      const u = new URL(PG_URL);
      ok = await tcpOpen(u.hostname, Number(u.port || 5432));
      break;
    }
    case 'redis': {
      const u = new URL(REDIS_URL);
      ok = await tcpOpen(u.hostname, Number(u.port || 6379));
      break;
    }
    case 'chromium':
      ok = fs.existsSync(CHROMIUM);
      break;
    case 'root':
      ok = process.getuid?.() === 0;
      break;
    case 'sip':
      // Kamailio (+presence, websocket modules), baresip, sipp and rtpengine from Debian (.ci/run installs them).
      ok = ['/usr/sbin/kamailio', '/usr/bin/baresip', '/usr/bin/sipp', '/usr/bin/rtpengine'].every((f) => fs.existsSync(f)) &&
        fs.existsSync('/usr/lib/x86_64-linux-gnu/kamailio/modules/presence_reginfo.so') &&
        fs.existsSync('/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so');
    case 'cluster-parts':
      // A private PostgreSQL (initdb, run as the postgres OS user: needs root), redis-server and HAProxy.
      ok =
        process.getuid?.() === 0 &&
        fs.existsSync('/usr/lib/postgresql') &&
        fs.readdirSync('/usr/lib/postgresql').some((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) &&
        onPath('redis-server') &&
        onPath('haproxy');
      break;
    case 'netns':
      // Inside `unshare -n` only `lo` exists; scripts/test.mjs sets CW_NETNS=1 there.
      ok = process.env.CW_NETNS === '1';
      break;
  }
  if (!ok) {
    const why = `${name} is not available${reason ? ` (${reason})` : ''}`;
    if (IN_CI) throw new Error(`CI requires ${why}`);
    console.warn(`SKIP: ${why}`);
  }
  return ok;
}
