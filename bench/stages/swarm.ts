/**
 * 2–4. Many visitors on one server process:
 *  2. memory per connected visitor (RSS delta / sockets, after forced GC);
 *  3. presence fan-out: one agent's change reaching every visitor;
 *  4. chat relay visitor → agent, idle and while fan-outs run.
 * The same steps run against the product and against a bare `ws` server.
 * Visitors live in separate client processes; the server's RSS is its own.
 */
import path from 'node:path';
import { WsClient } from '@cw/testkit';
import type { Ctx } from '../lib/context.js';
import { reason } from '../lib/context.js';
import { barePairs, closePairs, productPairs, runChat, type ChatPair } from '../lib/chat.js';
import { fdLimits } from '../lib/machine.js';
import { spawnChild, type Child } from '../lib/rpc.js';
import { now, percentile, sleep } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const AGENTS = 10;
/** the agent whose presence flips; the others chat */
const FLIP = AGENTS - 1;
const PER_CLIENT_PROC = 5000;

/** A sample Info frame from the spec, used for the baseline when the product gave none. */
const SPEC_INFO = JSON.stringify({ mt: 'Info', id: 'ag9', dn: 'Agent ag9', department: 'Sales', phonenumber: '', email: 'ag9@example.com', company: { company: 'Example Ltd', phone: '+1 555 0100', email: 'sales@example.com' }, presence: 'online', media: ['voice', 'video', 'email', 'chat'], order: 9 });

export interface SwarmResult {
  memory: { n: number; perSocketKiB?: number; heapKiB?: number; marginalKiB?: number; na?: string }[];
  fanout?: { n: number; p50: number; p99: number; samples: number; incomplete: number };
  fanoutNa?: string;
  chatIdle?: { p50: number; p99: number; samples: number; lost: number };
  chatBusy?: { p50: number; p99: number; samples: number; lost: number };
  chatNa?: string;
  infoSample?: string;
}

interface Target {
  kind: 'product' | 'bare';
  server: Child;
  wsUrl: string;
  url: string;
  fixtures?: Fixtures;
}

/** Counts for this run; the largest respects the per-process fd limit (server holds every socket). */
export function counts(quick: boolean): { memory: number[]; fanout: number } {
  const max = Math.min(20_000, Math.floor((fdLimits().hard - 1000) / 1000) * 1000);
  return quick ? { memory: [2000], fanout: 1000 } : { memory: [5000, max], fanout: 5000 };
}

async function startTarget(ctx: Ctx, kind: 'product' | 'bare', tag: string): Promise<Target> {
  const file = path.join(HERE, '..', 'servers', `${kind}.ts`);
  const nodeArgs = kind === 'product' && ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.logDir, `cpu-${kind}-${tag}`)}`] : [];
  const server = await spawnChild(`${kind}-${tag}`, file, { gc: true, logDir: ctx.logDir, nodeArgs });
  try {
    if (kind === 'bare') {
      const i = await server.call('info');
      return { kind, server, wsUrl: i.wsUrl, url: i.url };
    }
    const fixtures: Fixtures = await server.call('start', { widgets: [{ prefix: 'ag', agents: AGENTS }] }, 120_000);
    // Everyone online at first (an ordinary working day); presence via the API, as a PBX connector would.
    for (const ag of fixtures.widgets[0]!.agents) await setPresence(fixtures, ag.sipId, 'online');
    return { kind, server, wsUrl: fixtures.wsUrl, url: fixtures.url, fixtures };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

async function setPresence(f: Fixtures, sipId: string, presence: string): Promise<void> {
  const r = await fetch(`${f.url}/api/presence/${encodeURIComponent(sipId)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${f.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ presence }),
  });
  await r.arrayBuffer();
  if (r.status >= 300) throw new Error(`PUT /api/presence/${sipId} answered ${r.status}`);
}

/** A few visitors come and go first, so lazy caches and JIT are warm before the "before" RSS. */
async function warmUp(t: Target): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const c = await WsClient.connect(`${t.wsUrl}/ws/widget`, { headers: { origin: 'http://localhost' } });
    if (t.kind === 'product') {
      c.send({ mt: 'Start', uuid: t.fixtures!.widgets[0]!.uuid, lang: 'en' });
      await c.next('IceConfig', 10_000);
    }
    await c.close();
  }
}

/**
 * Opens n visitors across client processes, in two halves; `atHalf` runs
 * between them (to read memory there as well).
 */
async function spawnVisitors(
  ctx: Ctx,
  t: Target,
  n: number,
  tag: string,
  atHalf?: (ready: number) => Promise<void>,
): Promise<{ procs: Child[]; ready: number; infoSample?: string; errors: string[]; ms: number }> {
  const nProcs = Math.max(2, Math.ceil(n / PER_CLIENT_PROC));
  const procs: Child[] = [];
  for (let i = 0; i < nProcs; i++) {
    const p = await spawnChild(`visitors-${tag}-${t.kind}-${i}`, path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir: ctx.logDir });
    procs.push(p);
  }
  const t0 = now();
  const share = (i: number) => Math.floor(n / nProcs) + (i < n % nProcs ? 1 : 0);
  const connect = (count: (i: number) => number) =>
    Promise.all(
      procs.map((p, i) =>
        p.call(
          'connect',
          { url: `${t.wsUrl}/ws/widget`, n: count(i), mode: t.kind, uuid: t.fixtures?.widgets[0]!.uuid, infos: AGENTS, concurrency: 50, timeoutMs: 150_000 },
          180_000,
        ),
      ),
    );
  const first = await connect((i) => Math.floor(share(i) / 2));
  await atHalf?.(first.reduce((a, r) => a + r.ready, 0));
  const second = await connect((i) => share(i) - Math.floor(share(i) / 2));
  const results = [...first, ...second];
  return {
    procs,
    ready: results.reduce((a, r) => a + r.ready, 0),
    infoSample: results.find((r) => r.infoSample)?.infoSample,
    errors: results.flatMap((r) => r.errors),
    ms: now() - t0,
  };
}

/** One presence change (product) or broadcast (bare); ms from the trigger to the last visitor's Info, or undefined if some never got it. */
async function fanoutRound(t: Target, procs: Child[], r: number, frame: string): Promise<{ last: number; first: number } | undefined> {
  const presence = r % 2 === 0 ? 'busy' : 'online';
  const match = t.kind === 'product' ? ['"mt":"Info"', `"id":"ag${FLIP}"`, `"presence":"${presence}"`] : ['"mt":"Info"', `"presence":"${presence}"`];
  await Promise.all(procs.map((p) => p.call('arm', { match })));
  const t0 = now();
  if (t.kind === 'product') await setPresence(t.fixtures!, `ag${FLIP}`, presence);
  else {
    const body = frame.replace(/"presence":"[a-z]+"/, `"presence":"${presence}"`);
    const res = await fetch(`${t.url}/broadcast`, { method: 'POST', body });
    await res.arrayBuffer();
  }
  const got = await Promise.all(procs.map((p) => p.call('collect', { timeoutMs: 15_000 }, 20_000)));
  return got.every((g) => g.complete) ? { last: Math.max(...got.map((g) => g.last)) - t0, first: Math.min(...got.map((g) => g.first)) - t0 } : undefined;
}

function summary(s: { samples: number[]; lost: number }) {
  return { p50: percentile(s.samples, 50), p99: percentile(s.samples, 99), samples: s.samples.length, lost: s.lost };
}

interface Side {
  kind: 'product' | 'bare';
  out: SwarmResult;
  t?: Target;
  procs: Child[];
  pairs: ChatPair[];
  /** visitors connected for the fan-out */
  have: number;
  lat: number[];
  /** ms to the first visitor's Info: the server's work before it starts writing */
  first: number[];
  incomplete: number;
}

/**
 * Runs 2–4 on the product and the bare baseline side by side: both servers
 * are up at once and the latency steps alternate between them (idle chat at
 * the same time on both, fan-out changes taking turns), so that load from
 * elsewhere on a shared machine falls on both alike.
 */
export async function swarm(ctx: Ctx): Promise<{ product: SwarmResult; bare: SwarmResult }> {
  const { memory: memCounts, fanout: fanN } = counts(ctx.quick);
  const res = { product: { memory: [] } as SwarmResult, bare: { memory: [] } as SwarmResult };
  const chatSeconds = ctx.quick ? 3 : 8;
  const rounds = 20;
  for (const [idx, n] of memCounts.entries()) {
    const withFanout = idx === 0;
    const tag = `${n}`;
    const sides: Side[] = (['product', 'bare'] as const).map((kind) => ({ kind, out: res[kind], procs: [], pairs: [], have: 0, lat: [], first: [], incomplete: 0 }));
    const fail = (s: Side, e: unknown) => {
      const why = reason(e);
      ctx.log(`  ${s.kind}: ${why}`);
      return why;
    };
    try {
      for (const s of sides) {
        try {
          ctx.log(`  ${s.kind}: starting server for ${n} visitors`);
          s.t = await startTarget(ctx, s.kind, tag);
          await warmUp(s.t);
          const before = await s.t.server.call<Record<string, number>>('mem');
          let half: { ready: number; mem: Record<string, number> } | undefined;
          const v = await spawnVisitors(ctx, s.t, n, tag, async (ready) => {
            half = { ready, mem: await s.t!.server.call<Record<string, number>>('mem') };
          });
          s.procs = v.procs;
          if (v.infoSample) s.out.infoSample = v.infoSample;
          if (v.ready < n) throw new Error(`only ${v.ready} of ${n} visitors got ready (${v.errors[0] ?? 'no error reported'})`);
          const after = await s.t.server.call<Record<string, number>>('mem');
          const per = (after.rss! - before.rss!) / v.ready;
          const heap = (after.heapUsed! - before.heapUsed!) / v.ready;
          const marginal = half && v.ready > half.ready ? (after.rss! - half.mem.rss!) / (v.ready - half.ready) : undefined;
          s.out.memory.push({ n, perSocketKiB: per, heapKiB: heap, marginalKiB: marginal });
          s.have = v.ready;
          ctx.log(`  ${s.kind}: ${n} visitors ready in ${(v.ms / 1000).toFixed(1)} s; RSS ${(before.rss! / 1024).toFixed(0)} → ${(after.rss! / 1024).toFixed(0)} MiB, ${per.toFixed(2)} KiB per visitor (second half alone ${marginal?.toFixed(2)} KiB; V8 heap used ${heap.toFixed(2)} KiB)`);
        } catch (e) {
          const why = fail(s, e);
          s.out.memory.push({ n, na: why });
          if (withFanout) s.out.fanoutNa = s.out.chatNa = why;
          await Promise.all(s.procs.map((p) => p.stop()));
          await s.t?.server.stop(30_000);
          s.procs = [];
          s.t = undefined;
        }
      }
      if (!withFanout) continue;
      const live = sides.filter((s) => s.t);
      const frame = res.product.infoSample ?? SPEC_INFO;

      for (const s of live) {
        // Fan-out goes to fanN visitors: stop client processes beyond what it needs.
        while (s.have > fanN && s.procs.length > 1) {
          await s.procs.pop()!.stop();
          s.have = (await Promise.all(s.procs.map((q) => q.call('arm', { match: ['\u0000never'] })))).reduce((a, r) => a + r.expect, 0);
        }
        try {
          const t = s.t!;
          s.pairs = t.kind === 'product' ? await productPairs(t.wsUrl, t.fixtures!.widgets[0]!.uuid, t.fixtures!.widgets[0]!.agents.slice(0, FLIP)) : await barePairs(t.wsUrl, FLIP);
        } catch (e) {
          s.out.chatNa = fail(s, e);
        }
      }

      // Chat, idle: both at the same time.
      const idle = live.filter((s) => s.pairs.length).map((s) => ({ s, r: runChat(s.pairs) }));
      await sleep(chatSeconds * 1000);
      for (const { s, r } of idle) s.out.chatIdle = summary(await r.stop());

      // Fan-out, taking turns; both chats run throughout (the baseline's under its own broadcasts).
      const busy = live.filter((s) => s.pairs.length).map((s) => ({ s, r: runChat(s.pairs) }));
      for (let r = 0; r < rounds; r++) {
        for (const s of live) {
          if (s.incomplete >= 3) continue;
          try {
            const ms = await fanoutRound(s.t!, s.procs, r, frame);
            if (ms === undefined) s.incomplete++;
            else {
              s.lat.push(ms.last);
              s.first.push(ms.first);
            }
          } catch (e) {
            s.out.fanoutNa = fail(s, e);
            s.incomplete = 99;
          }
          await sleep(50 + Math.random() * 100);
        }
      }
      for (const { s, r } of busy) s.out.chatBusy = summary(await r.stop());
      for (const s of live) {
        if (s.lat.length === 0) {
          s.out.fanoutNa ??= `no fan-out reached every visitor within 15 s (${s.incomplete} tried)`;
          continue;
        }
        s.out.fanout = { n: s.have, p50: percentile(s.lat, 50), p99: percentile(s.lat, 99), samples: s.lat.length, incomplete: s.incomplete };
        ctx.log(`  ${s.kind}: fan-out to ${s.have}: p50 ${s.out.fanout.p50.toFixed(1)} ms, p99 ${s.out.fanout.p99.toFixed(1)} ms (${s.lat.length} changes); first visitor p50 ${percentile(s.first, 50).toFixed(1)} ms`);
      }
    } finally {
      for (const s of sides) await closePairs(s.pairs).catch(() => {});
      await Promise.all(sides.flatMap((s) => s.procs.map((p) => p.stop())));
      await Promise.all(sides.map((s) => s.t?.server.stop(30_000)));
    }
  }
  return res;
}
