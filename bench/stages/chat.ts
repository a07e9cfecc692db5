/**
 * 7. Chat storage: every visitor sends 15 chat messages a second (under the
 * per-connection rate limit) to an agent and waits for each ChatAck; the
 * ack is sent only after the message is stored, so ack latency is the cost
 * of storing. The same steps run against a server on SQLite and one on
 * PostgreSQL, both up at once, taking turns (SQLite, PostgreSQL, SQLite, …)
 * so load from elsewhere falls on both alike:
 *   10 visitors and 40 visitors to one agent (the measurements in
 *   shared/measurements), then enough visitors over 10 agents to offer
 *   2,250 messages a second, for stored-and-acked messages per second.
 * The agents' consoles count the relayed messages: an acked message must
 * also arrive.
 */
import path from 'node:path';
import pg from 'pg';
import crypto from 'node:crypto';
import { PG_URL } from '@cw/testkit';
import type { Ctx } from '../lib/context.js';
import { reason } from '../lib/context.js';
import type { Figure } from '../lib/figures.js';
import { spawnChild, type Child } from '../lib/rpc.js';
import { percentile } from '../lib/stats.js';
import type { Fixtures } from '../servers/product.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const PER_SECOND = 15;
const AGENTS = 10;

export interface ChatStep {
  visitors: number;
  /** visitors chat to this many agents (round robin) */
  agents: number;
  seconds: number;
}

export interface ChatRun {
  p50: number;
  p99: number;
  max: number;
  acked: number;
  unacked: number;
  relayed: number;
  offeredPerS: number;
  ackedPerS: number;
}

export interface ChatStageResult {
  steps: ChatStep[];
  sqlite: (ChatRun | { na: string })[];
  postgres: (ChatRun | { na: string })[];
  sqliteNa?: string;
  postgresNa?: string;
}

export function chatSteps(quick: boolean): ChatStep[] {
  const s = quick ? 3 : 8;
  // 150 × 15 = 2,250 messages a second offered.
  return [
    { visitors: 10, agents: 1, seconds: quick ? 3 : 10 },
    { visitors: 40, agents: 1, seconds: s },
    { visitors: 150, agents: AGENTS, seconds: s },
  ];
}

interface Target {
  name: 'sqlite' | 'postgres';
  server: Child;
  f: Fixtures;
}

/** A PostgreSQL URL whose connections use a fresh schema (made here, dropped by the returned function). */
export async function pgSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `cw_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

async function startTarget(ctx: Ctx, name: Target['name'], databaseUrl?: string): Promise<Target> {
  const nodeArgs = ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.logDir, `cpu-chat-${name}`)}`] : [];
  const server = await spawnChild(`product-chat-${name}`, path.join(HERE, '..', 'servers', 'product.ts'), { logDir: ctx.logDir, nodeArgs });
  try {
    const f: Fixtures = await server.call('start', { widgets: [{ prefix: 'ch', agents: AGENTS }], ...(databaseUrl ? { databaseUrl } : {}) }, 120_000);
    return { name, server, f };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

async function runStep(ctx: Ctx, t: Target, step: ChatStep, tag: string): Promise<ChatRun> {
  const client = await spawnChild(`chatters-${t.name}-${tag}`, path.join(HERE, '..', 'clients', 'chatters.ts'), { logDir: ctx.logDir });
  try {
    const w = t.f.widgets[0]!;
    await client.call('setup', { visitorUrl: t.f.wsUrl, uuid: w.uuid, agents: w.agents.slice(0, step.agents), n: step.visitors }, 120_000);
    const r = await client.call('run', { perSecond: PER_SECOND, seconds: step.seconds }, (step.seconds + 30) * 1000);
    if (r.errors.length) ctx.log(`  chat: ${t.name}: server errors: ${r.errors.join(' | ')}`);
    return {
      p50: percentile(r.samples, 50),
      p99: percentile(r.samples, 99),
      max: percentile(r.samples, 100),
      acked: r.acked,
      unacked: r.unacked,
      relayed: r.relayed,
      offeredPerS: step.visitors * PER_SECOND,
      ackedPerS: r.acked / r.seconds,
    };
  } finally {
    await client.stop();
  }
}

export async function chatStage(ctx: Ctx): Promise<ChatStageResult> {
  const steps = chatSteps(ctx.quick);
  const out: ChatStageResult = { steps, sqlite: [], postgres: [] };
  const targets: Target[] = [];
  let schema: { url: string; drop(): Promise<void> } | undefined;
  try {
    try {
      targets.push(await startTarget(ctx, 'sqlite'));
    } catch (e) {
      out.sqliteNa = reason(e);
    }
    try {
      schema = await pgSchema();
      targets.push(await startTarget(ctx, 'postgres', schema.url));
    } catch (e) {
      out.postgresNa = `PostgreSQL at ${new URL(PG_URL).host}: ${reason(e)}`;
    }
    for (const [i, step] of steps.entries()) {
      for (const t of targets) {
        try {
          const r = await runStep(ctx, t, step, String(i));
          out[t.name].push(r);
          ctx.log(
            `  chat: ${t.name.padEnd(8)} ${String(step.visitors).padStart(3)} visitors × ${PER_SECOND}/s: acked ${r.ackedPerS.toFixed(0)}/s of ${r.offeredPerS}/s offered, ack p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; relayed ${r.relayed}/${r.acked}${r.unacked ? `, ${r.unacked} never acked` : ''}`,
          );
        } catch (e) {
          out[t.name].push({ na: reason(e) });
          ctx.log(`  chat: ${t.name} ${step.visitors} visitors: ${reason(e)}`);
        }
      }
    }
  } finally {
    await Promise.all(targets.map((t) => t.server.stop(30_000)));
    await schema?.drop().catch((e) => ctx.log(`  chat: could not drop the bench schema: ${reason(e)}`));
  }
  return out;
}

/** The stage's rows: PostgreSQL beside SQLite for each step. */
export function chatFigures(r: ChatStageResult): Figure[] {
  const figs: Figure[] = [];
  const val = (list: (ChatRun | { na: string })[], i: number, na: string | undefined) => {
    const x = list[i];
    return x && !('na' in x) ? { v: x } : { na: na ?? (x && 'na' in x ? x.na : 'not measured') };
  };
  r.steps.forEach((step, i) => {
    const p = val(r.postgres, i, r.postgresNa);
    const s = val(r.sqlite, i, r.sqliteNa);
    const who = `${step.visitors} visitors × ${PER_SECOND} msg/s${step.agents > 1 ? ` to ${step.agents} agents` : ' to one agent'}`;
    const row = (q: 'p50' | 'p99'): Figure => ({
      section: 7,
      name: `chat ack on PostgreSQL, ${who}, ${q}`,
      unit: 'ms',
      ours: p.v?.[q],
      oursNa: p.na,
      baseline: s.v?.[q],
      baselineName: 'SQLite',
      baselineNa: s.na,
      goal: q === 'p99' ? { text: '≤ 20 ms', max: 20 } : undefined,
    });
    figs.push(row('p50'), row('p99'));
    if (step.visitors * PER_SECOND >= 2000)
      figs.push({
        section: 7,
        name: `stored-and-acked chat messages per second on PostgreSQL, ${who}`,
        unit: 'msg/s',
        ours: p.v?.ackedPerS,
        oursNa: p.na,
        baseline: s.v?.ackedPerS,
        baselineName: 'SQLite',
        baselineNa: s.na,
        goal: { text: '≥ 2,000 msg/s', min: 2000 },
      });
  });
  return figs;
}
