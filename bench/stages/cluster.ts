/**
 * 10. Cluster mode (issue 12): three product processes in cluster mode (one
 * PostgreSQL schema, one Redis key prefix) beside a single process (PostgreSQL,
 * no Redis), all up at once, steps taking turns so that load from elsewhere
 * falls on both alike.
 *
 * - Chat relay visitor → agent: visitors on process 1 chat with agents
 *   whose consoles are on process 1 (same process) or on process 2 (across
 *   processes, through Redis); latency is the visitor's send → the agent's
 *   console receiving it (one client process holds both ends, one clock).
 * - Presence fan-out: an agent's presence changes through the API; latency
 *   is the change → the last visitor's Info, for `per` visitors on each of
 *   the 3 processes vs `per` visitors on the single process.
 * - CPU time: utime + stime of the server processes (/proc/<pid>/stat) over
 *   the measured steps, divided by relayed messages / by fan-outs — on a
 *   2-core machine shared with the load clients, the figure that scales.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REDIS_URL } from '@cw/testkit';
import type { Ctx } from '../lib/context.js';
import { reason } from '../lib/context.js';
import type { Figure } from '../lib/figures.js';
import { spawnChild, type Child } from '../lib/rpc.js';
import { now, percentile } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';
import { pgSchema } from './chat.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const AGENTS = 10;
/** the agent whose presence flips for the fan-out; chats use the others */
const FLIP = AGENTS - 1;
const PER_SECOND = 15;
const PER_CLIENT_PROC = 5000;

export function clusterSizes(quick: boolean) {
  return {
    /** visitors per process for the fan-out */
    per: quick ? 300 : 3000,
    rounds: quick ? 6 : 20,
    /** chatting visitors (each side), messages a second each, seconds per step */
    chatters: quick ? 10 : 40,
    seconds: quick ? 3 : 8,
    steps: quick ? 1 : 2,
  };
}

export interface Lat {
  p50: number;
  p99: number;
  n: number;
}
export interface ClusterResult {
  na?: string;
  sizes: ReturnType<typeof clusterSizes>;
  relaySame?: Lat & { cpuMs: number; relayed: number };
  relayCross?: Lat & { cpuMs: number; relayed: number };
  fanCluster?: Lat & { cpuMs: number; visitors: number; incomplete: number; startCpuMs: number };
  fanSingle?: Lat & { cpuMs: number; visitors: number; incomplete: number; startCpuMs: number };
}

/** CPU time (user + system) of a process so far, ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14 and 15 (utime, stime) are 12 and 13 after the command name
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}
/** clock ticks per second of /proc's times */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + cpuMs(p), 0);

async function setPresence(f: Fixtures, sipId: string, presence: string): Promise<void> {
  const r = await fetch(`${f.url}/api/presence/${encodeURIComponent(sipId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${f.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ presence }),
  });
  await r.arrayBuffer();
  if (r.status >= 300) throw new Error(`PUT /api/presence/${sipId} answered ${r.status}`);
}

interface Side {
  name: string;
  f: Fixtures;
  /** ws URLs of its processes */
  ws: string[];
  pids: number[];
  clients: Child[];
  lat: number[];
  cpu: number;
  incomplete: number;
  visitors: number;
  /** server CPU while its visitors connected and started */
  startCpu: number;
}

async function visitorsOn(ctx: Ctx, side: Side, wsUrl: string, n: number, tag: string): Promise<void> {
  const procs = Math.max(1, Math.ceil(n / PER_CLIENT_PROC));
  for (let i = 0; i < procs; i++) {
    const c = await spawnChild(`cluster-visitors-${tag}-${i}`, path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir: ctx.logDir });
    side.clients.push(c);
    const share = Math.floor(n / procs) + (i < n % procs ? 1 : 0);
    const c0 = cpuOf(side.pids);
    const r = await c.call('connect', { url: `${wsUrl}/ws/widget`, n: share, mode: 'product', uuid: side.f.widgets[0]!.uuid, infos: AGENTS, concurrency: 50, timeoutMs: 150_000 }, 180_000);
    side.startCpu += cpuOf(side.pids) - c0;
    side.visitors += r.ready;
    if (r.errors.length) ctx.log(`  cluster: ${tag}: ${r.failed} visitors failed: ${r.errors.join(' | ')}`);
  }
}

async function fanRound(side: Side, r: number): Promise<void> {
  const presence = r % 2 === 0 ? 'busy' : 'online';
  await Promise.all(side.clients.map((p) => p.call('arm', { match: ['"mt":"Info"', `"id":"ag${FLIP}"`, `"presence":"${presence}"`] })));
  const c0 = cpuOf(side.pids);
  const t0 = now();
  await setPresence(side.f, `ag${FLIP}`, presence);
  const got = await Promise.all(side.clients.map((p) => p.call('collect', { timeoutMs: 15_000 }, 20_000)));
  side.cpu += cpuOf(side.pids) - c0;
  if (got.every((g: { complete: boolean }) => g.complete)) side.lat.push(Math.max(...got.map((g: { last: number }) => g.last)) - t0);
  else side.incomplete++;
}

interface RelayRun {
  relay: number[];
  relayed: number;
  cpu: number;
}

async function relayStep(chatters: Child, pids: number[], seconds: number, into: RelayRun): Promise<void> {
  const c0 = cpuOf(pids);
  const r = await chatters.call('run', { perSecond: PER_SECOND, seconds }, (seconds + 30) * 1000);
  into.cpu += cpuOf(pids) - c0;
  into.relay.push(...r.relaySamples);
  into.relayed += r.relayed;
}

const lat = (s: number[]): Lat => ({ p50: percentile(s, 50), p99: percentile(s, 99), n: s.length });

export async function clusterStage(ctx: Ctx): Promise<ClusterResult> {
  const sizes = clusterSizes(ctx.quick);
  const out: ClusterResult = { sizes };
  const children: Child[] = [];
  const schemas: { drop(): Promise<void> }[] = [];
  try {
    const a = await pgSchema();
    schemas.push(a);
    const b = await pgSchema();
    schemas.push(b);
    const env = {
      REDIS_URL,
      REDIS_PREFIX: `cw-bench:${crypto.randomBytes(4).toString('hex')}:`,
      SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
      DATABASE_POOL_SIZE: '6',
    };
    const spawnServer = async (name: string) => {
      const c = await spawnChild(name, path.join(HERE, '..', 'servers', 'product.ts'), { logDir: ctx.logDir });
      children.push(c);
      return c;
    };
    const widgets = [{ prefix: 'ag', agents: AGENTS }];
    const p1 = await spawnServer('product-cluster-p1');
    const f: Fixtures = await p1.call('start', { widgets, databaseUrl: a.url, env }, 120_000);
    const joined = await Promise.all(
      [2, 3].map(async (i) => {
        const c = await spawnServer(`product-cluster-p${i}`);
        return (await c.call('join', { databaseUrl: a.url, env }, 120_000)) as { wsUrl: string; pid: number };
      }),
    );
    const single = await spawnServer('product-single');
    const fs1: Fixtures = await single.call('start', { widgets, databaseUrl: b.url }, 120_000);
    const clusterPids = [f.pid, ...joined.map((j) => j.pid)];

    // Chat relay: agents 0–3 have consoles on process 1, agents 4–7 on process 2; visitors are on process 1.
    const w = f.widgets[0]!;
    const mk = async (tag: string, agentUrl: string, agents: Fixtures['widgets'][0]['agents']) => {
      const c = await spawnChild(`cluster-chatters-${tag}`, path.join(HERE, '..', 'clients', 'chatters.ts'), { logDir: ctx.logDir });
      children.push(c);
      await c.call('setup', { visitorUrl: f.wsUrl, agentUrl, uuid: w.uuid, agents, n: sizes.chatters }, 120_000);
      return c;
    };
    const same = await mk('same', f.wsUrl, w.agents.slice(0, 4));
    const cross = await mk('cross', joined[0]!.wsUrl, w.agents.slice(4, 8));
    const rs: RelayRun = { relay: [], relayed: 0, cpu: 0 };
    const rc: RelayRun = { relay: [], relayed: 0, cpu: 0 };
    for (let i = 0; i < sizes.steps; i++) {
      await relayStep(same, clusterPids, sizes.seconds, rs);
      await relayStep(cross, clusterPids, sizes.seconds, rc);
    }
    out.relaySame = { ...lat(rs.relay), cpuMs: rs.cpu / Math.max(1, rs.relayed), relayed: rs.relayed };
    out.relayCross = { ...lat(rc.relay), cpuMs: rc.cpu / Math.max(1, rc.relayed), relayed: rc.relayed };
    ctx.log(
      `  cluster: chat relay visitor → agent, ${sizes.chatters} visitors × ${PER_SECOND}/s: same process p50 ${out.relaySame.p50.toFixed(1)} ms p99 ${out.relaySame.p99.toFixed(1)} ms (${rs.relayed} relayed, CPU ${out.relaySame.cpuMs.toFixed(3)} ms/msg); across processes p50 ${out.relayCross.p50.toFixed(1)} ms p99 ${out.relayCross.p99.toFixed(1)} ms (${rc.relayed} relayed, CPU ${out.relayCross.cpuMs.toFixed(3)} ms/msg)`,
    );
    await Promise.all([same.stop(), cross.stop()]);

    // Fan-out: `per` visitors on each cluster process vs `per` on the single process.
    const cl: Side = { name: 'cluster', f, ws: [f.wsUrl, ...joined.map((j) => j.wsUrl)], pids: clusterPids, clients: [], lat: [], cpu: 0, incomplete: 0, visitors: 0, startCpu: 0 };
    const one: Side = { name: 'single', f: fs1, ws: [fs1.wsUrl], pids: [fs1.pid], clients: [], lat: [], cpu: 0, incomplete: 0, visitors: 0, startCpu: 0 };
    for (const [i, u] of cl.ws.entries()) await visitorsOn(ctx, cl, u, sizes.per, `p${i + 1}`);
    await visitorsOn(ctx, one, fs1.wsUrl, sizes.per, 'single');
    children.push(...cl.clients, ...one.clients);
    // One warm-up round each, then the sides take turns.
    await fanRound(cl, 0);
    await fanRound(one, 0);
    Object.assign(cl, { lat: [], cpu: 0, incomplete: 0 });
    Object.assign(one, { lat: [], cpu: 0, incomplete: 0 });
    for (let r = 1; r <= sizes.rounds; r++) {
      await fanRound(cl, r);
      await fanRound(one, r);
    }
    out.fanCluster = { ...lat(cl.lat), cpuMs: cl.cpu / sizes.rounds, visitors: cl.visitors, incomplete: cl.incomplete, startCpuMs: cl.startCpu / Math.max(1, cl.visitors) };
    out.fanSingle = { ...lat(one.lat), cpuMs: one.cpu / sizes.rounds, visitors: one.visitors, incomplete: one.incomplete, startCpuMs: one.startCpu / Math.max(1, one.visitors) };
    ctx.log(
      `  cluster: presence fan-out: 3 × ${sizes.per} visitors (${cl.visitors} connected) p50 ${out.fanCluster.p50.toFixed(1)} ms p99 ${out.fanCluster.p99.toFixed(1)} ms, CPU ${out.fanCluster.cpuMs.toFixed(1)} ms per fan-out (all 3 processes); single process ${sizes.per} (${one.visitors}) p50 ${out.fanSingle.p50.toFixed(1)} ms p99 ${out.fanSingle.p99.toFixed(1)} ms, CPU ${out.fanSingle.cpuMs.toFixed(1)} ms per fan-out; ${sizes.rounds} rounds each; server CPU per visitor connect + Start: cluster ${out.fanCluster.startCpuMs.toFixed(2)} ms, single ${out.fanSingle.startCpuMs.toFixed(2)} ms${cl.incomplete + one.incomplete ? `, incomplete: cluster ${cl.incomplete}, single ${one.incomplete}` : ''}`,
    );
  } catch (e) {
    out.na = reason(e);
    ctx.log(`  cluster: ${out.na}`);
  } finally {
    await Promise.allSettled(children.map((c) => c.stop(30_000)));
    for (const s of schemas) await s.drop().catch((e) => ctx.log(`  cluster: could not drop a bench schema: ${reason(e)}`));
  }
  return out;
}

export function clusterFigures(r: ClusterResult): Figure[] {
  const na = r.na;
  const s = r.sizes;
  const who = `${s.chatters} visitors × ${PER_SECOND} msg/s`;
  const figs: Figure[] = [];
  for (const q of ['p50', 'p99'] as const)
    figs.push({
      section: 10,
      name: `chat relay visitor → agent across processes (Redis), ${who}, ${q}`,
      unit: 'ms',
      ours: r.relayCross?.[q],
      oursNa: na,
      baseline: r.relaySame?.[q],
      baselineName: 'same process',
      baselineNa: na,
      goal: q === 'p99' ? { text: '≤ 2× same process', maxRatio: 2 } : undefined,
    });
  figs.push({
    section: 10,
    name: 'server CPU time per relayed chat message across processes (all processes)',
    unit: 'ms',
    ours: r.relayCross?.cpuMs,
    oursNa: na,
    baseline: r.relaySame?.cpuMs,
    baselineName: 'same process',
    baselineNa: na,
  });
  for (const q of ['p50', 'p99'] as const)
    figs.push({
      section: 10,
      name: `presence fan-out to 3 × ${s.per.toLocaleString('en')} visitors on 3 processes, ${q}`,
      unit: 'ms',
      ours: r.fanCluster?.[q],
      oursNa: na,
      baseline: r.fanSingle?.[q],
      baselineName: `one process, ${s.per.toLocaleString('en')} visitors`,
      baselineNa: na,
      goal: q === 'p50' ? { text: '≤ 1.5× single process', maxRatio: 1.5 } : undefined,
    });
  figs.push({
    section: 10,
    name: `server CPU time per presence fan-out, 3 × ${s.per.toLocaleString('en')} visitors (all processes)`,
    unit: 'ms',
    ours: r.fanCluster?.cpuMs,
    oursNa: na,
    baseline: r.fanSingle?.cpuMs,
    baselineName: `one process, ${s.per.toLocaleString('en')} visitors`,
    baselineNa: na,
  });
  figs.push({
    section: 10,
    name: 'server CPU time per visitor connect + Start (Session, Infos, session row), cluster',
    unit: 'ms',
    ours: r.fanCluster?.startCpuMs,
    oursNa: na,
    baseline: r.fanSingle?.startCpuMs,
    baselineName: 'one process',
    baselineNa: na,
  });
  return figs;
}
