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
  memory: { n: number; perSocketKiB?: number; heapKiB?: number; na?: string }[];
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

async function spawnVisitors(ctx: Ctx, t: Target, n: number, tag: string): Promise<{ procs: Child[]; ready: number; infoSample?: string; errors: string[]; ms: number }> {
  const nProcs = Math.max(2, Math.ceil(n / PER_CLIENT_PROC));
  const procs: Child[] = [];
  for (let i = 0; i < nProcs; i++) procs.push(await spawnChild(`visitors-${tag}-${i}`, path.join(HERE, '..', 'clients', 'visitors.ts'), { logDir: ctx.logDir }));
  const t0 = now();
  const results = await Promise.all(
    procs.map((p, i) =>
      p.call(
        'connect',
        {
          url: `${t.wsUrl}/ws/widget`,
          n: Math.floor(n / nProcs) + (i < n % nProcs ? 1 : 0),
          mode: t.kind,
          uuid: t.fixtures?.widgets[0]!.uuid,
          infos: AGENTS,
          concurrency: 50,
          timeoutMs: 150_000,
        },
        180_000,
      ),
    ),
  );
  return {
    procs,
    ready: results.reduce((s, r) => s + r.ready, 0),
    infoSample: results.find((r) => r.infoSample)?.infoSample,
    errors: results.flatMap((r) => r.errors),
    ms: now() - t0,
  };
}

/** Flips one agent's presence `rounds` times; each round's time is from the change to the last visitor's Info. */
async function fanout(t: Target, procs: Child[], rounds: number, frame: string): Promise<{ lat: number[]; incomplete: number }> {
  const lat: number[] = [];
  let incomplete = 0;
  for (let r = 0; r < rounds; r++) {
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
    if (got.every((g) => g.complete)) lat.push(Math.max(...got.map((g) => g.last)) - t0);
    else incomplete++;
    await sleep(100 + Math.random() * 100);
  }
  return { lat, incomplete };
}

function summary(s: { samples: number[]; lost: number }) {
  return { p50: percentile(s.samples, 50), p99: percentile(s.samples, 99), samples: s.samples.length, lost: s.lost };
}

/** Runs 2–4 against one target kind. `frame` is the Info text the bare server broadcasts. */
export async function swarm(ctx: Ctx, kind: 'product' | 'bare', frame = SPEC_INFO): Promise<SwarmResult> {
  const { memory: memCounts, fanout: fanN } = counts(ctx.quick);
  const out: SwarmResult = { memory: [] };
  const chatSeconds = ctx.quick ? 3 : 8;
  const rounds = 20;
  for (const [idx, n] of memCounts.entries()) {
    const withFanout = idx === 0;
    const tag = `${n}`;
    let t: Target | undefined;
    let procs: Child[] = [];
    try {
      ctx.log(`  ${kind}: starting server for ${n} visitors`);
      t = await startTarget(ctx, kind, tag);
      await warmUp(t);
      const before = await t.server.call<Record<string, number>>('mem');
      const v = await spawnVisitors(ctx, t, n, tag);
      procs = v.procs;
      if (v.infoSample) out.infoSample = v.infoSample;
      if (v.ready < n) throw new Error(`only ${v.ready} of ${n} visitors got ready (${v.errors[0] ?? 'no error reported'})`);
      const after = await t.server.call<Record<string, number>>('mem');
      const per = (after.rss! - before.rss!) / v.ready;
      const heap = (after.heapUsed! - before.heapUsed!) / v.ready;
      out.memory.push({ n, perSocketKiB: per, heapKiB: heap });
      ctx.log(`  ${kind}: ${n} visitors ready in ${(v.ms / 1000).toFixed(1)} s; RSS ${(before.rss! / 1024).toFixed(0)} → ${(after.rss! / 1024).toFixed(0)} MiB, ${per.toFixed(2)} KiB per visitor (V8 heap used ${heap.toFixed(2)} KiB)`);
      if (!withFanout) continue;

      // Fan-out to fanN visitors: stop client processes beyond what it needs.
      let have = v.ready;
      while (have > fanN && procs.length > 1) {
        const p = procs.pop()!;
        await p.stop();
        have = (await Promise.all(procs.map((q) => q.call('arm', { match: ['\u0000never'] })))).reduce((s, r) => s + r.expect, 0);
      }

      let pairs: ChatPair[] = [];
      try {
        pairs = kind === 'product' ? await productPairs(t.wsUrl, t.fixtures!.widgets[0]!.uuid, t.fixtures!.widgets[0]!.agents.slice(0, FLIP)) : await barePairs(t.wsUrl, FLIP);
        const idle = runChat(pairs);
        await sleep(chatSeconds * 1000);
        out.chatIdle = summary(await idle.stop());
      } catch (e) {
        out.chatNa = reason(e);
      }

      try {
        const busy = pairs.length && kind === 'product' ? runChat(pairs) : undefined;
        const f = await fanout(t, procs, rounds, frame);
        if (busy) out.chatBusy = summary(await busy.stop());
        if (f.lat.length === 0) throw new Error(`no fan-out completed within 15 s (${f.incomplete} incomplete)`);
        out.fanout = { n: have, p50: percentile(f.lat, 50), p99: percentile(f.lat, 99), samples: f.lat.length, incomplete: f.incomplete };
        ctx.log(`  ${kind}: fan-out to ${have}: p50 ${out.fanout.p50.toFixed(1)} ms, p99 ${out.fanout.p99.toFixed(1)} ms (${f.lat.length} changes)`);
      } catch (e) {
        out.fanoutNa = reason(e);
      }
      await closePairs(pairs).catch(() => {});
    } catch (e) {
      const why = reason(e);
      out.memory.push({ n, na: why });
      if (withFanout) out.fanoutNa ??= why;
      if (withFanout) out.chatNa ??= why;
      ctx.log(`  ${kind}: ${why}`);
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await t?.server.stop(30_000);
    }
  }
  return out;
}
