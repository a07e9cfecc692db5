/**
 * 7. Calls to agents on a phone system. Kamailio (bench/sip/kamailio-bench.cfg)
 * is the PBX, sipp the phones (e2e/sip/answer.xml: 180, then 200 OK with a
 * fixed SDP). N visitors call N agents reached by phone, all at once (spread
 * over one second), and — in the same run, alternating rounds — N visitors
 * call N agents at consoles. Times:
 *   phone:   CreateCall+Channels sent → INVITE handed to the transport;
 *            200 OK received → visitor's CallInfo "connected";
 *   console: CreateCall+Channels sent → console's IncomingCall;
 *            AcceptCall sent → visitor's CallInfo "connected".
 * Memory per active call: the product's settled heap (and RSS) with N calls
 * up minus idle, ÷ N, for SIP calls and console calls alike.
 * Everything listens on 127.0.0.1 with free ports.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { WsClient } from '@cw/testkit/ws-client';
import type { Ctx } from '../lib/context.js';
import { reason } from '../lib/context.js';
import { spawnChild } from '../lib/rpc.js';
import { now, percentile, sleep, withTimeout } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';
import { fakeSdp } from './calls.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);

type Q = { p50: number; p99: number; samples: number };
export interface SipResult {
  n: number;
  phone?: { invite: Q; connected: Q };
  console?: { ring: Q; connected: Q };
  /** KiB of heap (and RSS) per active call */
  memSip?: { heap: number; rss: number };
  memConsole?: { heap: number; rss: number };
  failed: number;
  na?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitTcp(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(50);
  }
}

const q = (xs: number[]): Q => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), samples: xs.length });

interface Leg {
  visitor: WsClient;
  agent?: WsClient;
  sipId: string;
  t0: number;
  tAccept: number;
  tConnected: number;
  tRing: number;
  state: 'idle' | 'ringing' | 'connected' | 'failed';
}

export async function sip(ctx: Ctx): Promise<SipResult> {
  const n = ctx.quick ? 50 : 100;
  const rounds = ctx.quick ? 1 : 3;
  const out: SipResult = { n, failed: 0 };
  const procs: ChildProcess[] = [];
  const legs: { phone: Leg[]; console: Leg[] } = { phone: [], console: [] };
  let server;
  try {
    for (const bin of ['/usr/sbin/kamailio', '/usr/bin/sipp']) if (!fs.existsSync(bin)) throw new Error(`${bin} is missing (apt-get install kamailio sip-tester)`);
    const port = await freePort();
    const sippPort = await freePort();
    const dir = fs.mkdtempSync(path.join(ctx.logDir, 'sip-'));
    const cfg = path.join(dir, 'kamailio.cfg');
    fs.writeFileSync(cfg, fs.readFileSync(path.join(HERE, '..', 'sip', 'kamailio-bench.cfg'), 'utf8').replaceAll('@PORT@', String(port)).replaceAll('@SIPP_PORT@', String(sippPort)));
    const log = fs.openSync(path.join(dir, 'pbx.log'), 'a');
    procs.push(spawn('kamailio', ['-DD', '-E', '-f', cfg, '-Y', dir, '-P', path.join(dir, 'kamailio.pid'), '-m', '64', '-M', '8'], { stdio: ['ignore', log, log] }));
    procs.push(spawn('sipp', ['-sf', path.join(ctx.root, 'e2e', 'sip', 'answer.xml'), '-i', '127.0.0.1', '-p', String(sippPort), '-nostdin', '-max_socket', '500'], { stdio: ['ignore', 'ignore', log] }));
    await waitTcp(port, 15_000);

    server = await spawnChild('product-sip', path.join(HERE, '..', 'servers', 'product.ts'), { logDir: ctx.logDir, gc: true, readyTimeoutMs: 120_000, nodeArgs: ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.logDir, 'cpu-sip')}`] : [] });
    const f: Fixtures = await server.call(
      'start',
      { widgets: [{ prefix: 'bench', agents: n, reach: 'phone', availability: 'always' }, { prefix: 'cons', agents: n }] },
      120_000,
    );
    await server.call('phoneSystem', { registrar: `sip:127.0.0.1:${port};transport=tcp`, domain: `127.0.0.1:${port}` }, 30_000);
    ctx.log(`  sip: registered at Kamailio on 127.0.0.1:${port}; connecting ${n} consoles and ${2 * n} visitors`);

    const [phoneWidget, consoleWidget] = f.widgets;
    for (const [kind, w] of [['phone', phoneWidget!], ['console', consoleWidget!]] as const) {
      for (const ag of w.agents) {
        let agent: WsClient | undefined;
        if (kind === 'console') {
          agent = await WsClient.connect(`${f.wsUrl}/ws/agent?token=${encodeURIComponent(ag.token)}`);
          await agent.next('Welcome', 10_000);
          agent.send({ mt: 'SetPresence', presence: 'online' });
        }
        const visitor = await WsClient.connect(`${f.wsUrl}/ws/widget`, { headers: { origin: 'http://localhost' } });
        visitor.send({ mt: 'Start', uuid: w.uuid, lang: 'en' });
        await visitor.next('IceConfig', 10_000);
        legs[kind].push({ visitor, agent, sipId: ag.sipId, t0: 0, tAccept: 0, tConnected: 0, tRing: 0, state: 'idle' });
      }
    }

    const samples = { invite: [] as number[], sipConnected: [] as number[], ring: [] as number[], consConnected: [] as number[] };
    const memSip: { heap: number; rss: number }[] = [];
    const memCons: { heap: number; rss: number }[] = [];
    let done = 0;
    let expected = n;
    let roundDone: (() => void) | null = null;
    for (const kind of ['phone', 'console'] as const)
      legs[kind].forEach((leg, i) => {
        leg.agent?.ws.on('message', (data: Buffer) => {
          const t = now();
          const s = data.toString();
          if (!s.includes('"IncomingCall"') || leg.state !== 'ringing') return;
          leg.tRing = t;
          const m = JSON.parse(s);
          leg.tAccept = now();
          leg.agent!.send({ mt: 'AcceptCall', call: m.call, sdp: fakeSdp('answer', i) });
        });
        leg.visitor.ws.on('message', (data: Buffer) => {
          const t = now();
          const s = data.toString();
          if (!s.includes('"CallInfo"') || leg.state !== 'ringing') return;
          const m = JSON.parse(s);
          if (m.state === 'connected') {
            leg.tConnected = t;
            leg.state = 'connected';
          } else if (m.state === 'terminated') {
            leg.state = 'failed';
            out.failed++;
            ctx.log(`  sip: a ${kind} call ended with cause ${m.cause}`);
          } else return;
          if (++done === expected) roundDone?.();
        });
      });

    const round = async (kind: 'phone' | 'console', r: number, warmup = false) => {
      const ls = warmup ? legs[kind].slice(0, 10) : legs[kind];
      const idle = await server!.call('mem');
      done = 0;
      expected = ls.length;
      const all = new Promise<void>((res) => (roundDone = res));
      ls.forEach((leg, i) => {
        setTimeout(() => {
          leg.state = 'ringing';
          leg.t0 = now();
          leg.visitor.send({ mt: 'CreateCall', dest: leg.sipId, dn: 'Bench caller', video: false });
          leg.visitor.send({ mt: 'Channels', cmd: 'PROPOSAL', sdp: fakeSdp('offer', i) });
        }, (i * 1000) / ls.length);
      });
      await withTimeout(all, 60_000, `${kind} round ${r + 1}: every call connected or ended`);
      const up = ls.filter((l) => l.state === 'connected').length;
      if (warmup) await server!.call('sipMarks');
      const busy = await server!.call('mem');
      const per = { heap: (busy.heapUsed - idle.heapUsed) / Math.max(1, up), rss: (busy.rss - idle.rss) / Math.max(1, up) };
      if (warmup) {
        // not recorded: first calls run cold code (JIT, first SIP transactions)
      } else if (kind === 'phone') {
        const marks: { target: string; invite: number; answered?: number }[] = await server!.call('sipMarks');
        const byUser = new Map(marks.map((m) => [m.target.split('@')[0], m]));
        for (const l of ls) {
          const m = byUser.get(l.sipId);
          if (!m || l.state !== 'connected') continue;
          samples.invite.push(m.invite - l.t0);
          if (m.answered) samples.sipConnected.push(l.tConnected - m.answered);
        }
        memSip.push(per);
      } else {
        for (const l of ls) {
          if (l.state !== 'connected') continue;
          samples.ring.push(l.tRing - l.t0);
          samples.consConnected.push(l.tConnected - l.tAccept);
        }
        memCons.push(per);
      }
      if (!warmup) ctx.log(`  sip: ${kind} round ${r + 1}: ${up} calls up at once (${per.heap.toFixed(1)} KiB heap per call)`);
      const ended = ls.filter((l) => l.state === 'connected').map((l) => l.visitor.next((m) => m.mt === 'CallInfo' && m.state === 'terminated', 20_000));
      for (const l of ls) {
        if (l.state === 'connected') l.visitor.send({ mt: 'ClearCall' });
        l.state = 'idle';
      }
      await Promise.all(ended);
      // Let BYEs and presence settle before the next round.
      const until = Date.now() + 10_000;
      while ((await server!.call('activeSipCalls')) > 0 && Date.now() < until) await sleep(50);
      await sleep(300);
    };
    await round('phone', 0, true);
    await round('console', 0, true);
    for (let r = 0; r < rounds; r++) {
      await round('phone', r);
      await round('console', r);
    }
    out.phone = { invite: q(samples.invite), connected: q(samples.sipConnected) };
    out.console = { ring: q(samples.ring), connected: q(samples.consConnected) };
    const avg = (xs: { heap: number; rss: number }[]) => ({ heap: xs.reduce((a, b) => a + b.heap, 0) / xs.length, rss: xs.reduce((a, b) => a + b.rss, 0) / xs.length });
    out.memSip = avg(memSip);
    out.memConsole = avg(memCons);
    ctx.log(
      `  sip: INVITE sent p50 ${out.phone.invite.p50.toFixed(1)} / p99 ${out.phone.invite.p99.toFixed(1)} ms (console IncomingCall ${out.console.ring.p50.toFixed(1)} / ${out.console.ring.p99.toFixed(1)}); 200 OK → connected ${out.phone.connected.p50.toFixed(1)} / ${out.phone.connected.p99.toFixed(1)} ms (console ${out.console.connected.p50.toFixed(1)} / ${out.console.connected.p99.toFixed(1)}); ${out.memSip.heap.toFixed(1)} KiB heap per SIP call, ${out.memConsole.heap.toFixed(1)} per console call`,
    );
  } catch (e) {
    out.na = reason(e);
    ctx.log(`  sip: ${out.na}`);
  } finally {
    await Promise.all([...legs.phone, ...legs.console].flatMap((l) => [l.visitor.close(), l.agent?.close()])).catch(() => {});
    await server?.stop(30_000);
    for (const p of procs) p.kill('SIGTERM');
  }
  return out;
}
