/**
 * `npm run bench [-- --quick] [-- --only=weight,swarm,calls,chat,cluster,sip,render,stats] [-- --profile]`
 *
 * Runs every stage, prints one table of figures with their baselines and
 * ratios, and writes docs/benchmarks.md. A stage that cannot run prints
 * "n/a: reason" and the run goes on; the exit code is non-zero only when the
 * harness itself failed. All load is on 127.0.0.1, bounded in count and time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Ctx } from './lib/context.js';
import { textTable, type Figure } from './lib/figures.js';
import { fdLimits, machineInfo } from './lib/machine.js';
import { writeReport } from './lib/report.js';
import { calls } from './stages/calls.js';
import { chatFigures, chatStage } from './stages/chat.js';
import { clusterFigures, clusterStage } from './stages/cluster.js';
import { render } from './stages/render.js';
import { statsBench } from './stages/stats.js';
import { sip } from './stages/sip.js';
import { counts, swarm, type SwarmResult } from './stages/swarm.js';
import { weight } from './stages/weight.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : undefined;
const want = (s: string) => !only || only.has(s);
const started = Date.now();

/** The commit measured, with "+ local changes" when the work tree differs from it. */
function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + local changes' : ''}`;
}

// Hard stop: the run must end by itself even if something hangs.
const LIMIT_S = quick ? 300 : 1500;
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${LIMIT_S} s, giving up`);
  process.exit(2);
}, LIMIT_S * 1000);
watchdog.unref();

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
const ctx: Ctx = {
  quick,
  root: ROOT,
  logDir,
  profile,
  figures: [],
  notes: [],
  log: (m) => console.log(m),
};

let harnessOk = true;
async function stage(name: string, fn: () => Promise<void>): Promise<void> {
  if (!want(name)) return;
  const t0 = Date.now();
  console.log(`\n== ${name}`);
  try {
    await fn();
  } catch (e) {
    harnessOk = false;
    console.error(`bench: stage ${name} failed inside the harness:`, e);
  }
  console.log(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const machine = machineInfo();
console.log(`bench ${quick ? '--quick' : '(full)'}: ${machine.nproc} cores, ${machine.memoryGiB} GiB, ${machine.cpu}, Node ${machine.node}, open files ${machine.fdLimit}, load ${machine.load}; logs in ${logDir}`);

await stage('weight', () => weight(ctx));

let product: SwarmResult | undefined;
let bare: SwarmResult | undefined;
await stage('swarm', async () => {
  ({ product, bare } = await swarm(ctx));
  const c = counts(quick);
  const big = Math.max(...c.memory);
  if (!quick && big < 20_000)
    ctx.notes.push(`The large memory figure uses ${big.toLocaleString('en')} visitors instead of 20,000: the hard open-files limit here is ${fdLimits().hard.toLocaleString('en')} and every visitor is a descriptor in the server process (see bench/README.md, "Open files").`);
  for (const n of c.memory) {
    const p = product.memory.find((m) => m.n === n);
    if (p?.perSocketKiB !== undefined && p.heapKiB !== undefined && p.perSocketKiB < p.heapKiB)
      ctx.notes.push(
        `At ${n.toLocaleString('en')} visitors the product's RSS grew less than its V8 heap (${p.perSocketKiB.toFixed(2)} < ${p.heapKiB.toFixed(2)} KiB per visitor): its startup heap had free pages that the visitors filled. RSS deltas at small counts are rough; read the largest count and the heap rows.`,
      );
    const b = bare.memory.find((m) => m.n === n);
    ctx.figures.push({
      section: 2,
      name: `server memory per visitor, ${n.toLocaleString('en')} visitors`,
      unit: 'KiB',
      ours: p?.perSocketKiB,
      oursNa: p?.na,
      baseline: b?.perSocketKiB,
      baselineName: 'bare ws',
      baselineNa: b?.na,
      goal: { text: '≤ 1.3× baseline', maxRatio: 1.3 },
    });
    ctx.figures.push({
      section: 2,
      name: `  RSS of the second ${(n / 2).toLocaleString('en')} alone, per visitor`,
      unit: 'KiB',
      ours: p?.marginalKiB,
      oursNa: p?.na,
      baseline: b?.marginalKiB,
      baselineName: 'bare ws',
      baselineNa: b?.na,
    });
    ctx.figures.push({
      section: 2,
      name: `  V8 heap used, ${n.toLocaleString('en')} visitors, per visitor`,
      unit: 'KiB',
      ours: p?.heapKiB,
      oursNa: p?.na,
      baseline: b?.heapKiB,
      baselineName: 'bare ws',
      baselineNa: b?.na,
    });
  }
  const fo = (q: 'p50' | 'p99', maxRatio: number): Figure => ({
    section: 3,
    name: `presence fan-out to ${(product!.fanout?.n ?? c.fanout).toLocaleString('en')} visitors, ${q}`,
    unit: 'ms',
    ours: product!.fanout?.[q],
    oursNa: product!.fanoutNa,
    baseline: bare!.fanout?.[q],
    baselineName: 'bare ws broadcast',
    baselineNa: bare!.fanoutNa,
    goal: { text: `≤ ${maxRatio}× baseline`, maxRatio },
  });
  ctx.figures.push(fo('p50', 1.1), fo('p99', 2));
  const chat = (q: 'p50' | 'p99', busy: boolean): Figure => ({
    section: 4,
    name: `chat relay visitor → agent, ${busy ? 'during fan-outs' : 'idle'}, ${q}`,
    unit: 'ms',
    ours: (busy ? product!.chatBusy : product!.chatIdle)?.[q],
    oursNa: product!.chatNa ?? (busy ? product!.fanoutNa : undefined),
    baseline: bare!.chatIdle?.[q],
    baselineName: 'bare ws relay, idle',
    baselineNa: bare!.chatNa,
    goal: busy && q === 'p99' ? { text: '≤ 5 ms', max: 5 } : undefined,
  });
  ctx.figures.push(chat('p50', true), chat('p99', true), chat('p50', false), chat('p99', false));
  // Like for like: the bare relay while the bare server broadcasts in the same alternating loop.
  ctx.figures.push({
    section: 4,
    name: '  chat relay during fan-outs, p99, vs bare relay during its own broadcasts',
    unit: 'ms',
    ours: product!.chatBusy?.p99,
    oursNa: product!.chatNa ?? product!.fanoutNa,
    baseline: bare!.chatBusy?.p99,
    baselineName: 'bare ws relay during broadcasts',
    baselineNa: bare!.chatNa ?? bare!.fanoutNa,
  });
  if (product!.chatBusy?.lost || product!.chatIdle?.lost) ctx.notes.push(`Chat messages not relayed within 2 s: ${product!.chatIdle?.lost ?? 0} idle, ${product!.chatBusy?.lost ?? 0} during fan-outs.`);
  if (product!.fanout?.incomplete) ctx.notes.push(`${product!.fanout.incomplete} of 20 presence changes did not reach every visitor within 15 s (left out of the percentiles).`);
});

await stage('calls', async () => {
  const r = await calls(ctx);
  const row = (name: string, v: { p99: number } | undefined): Figure => ({
    section: 5,
    name,
    unit: 'ms',
    ours: v?.p99,
    oursNa: r.na,
    baseline: r.chatP99,
    baselineName: 'chat relay p99, same server, between rounds',
    baselineNa: r.chatNa,
    goal: { text: '≤ 1.5× baseline', maxRatio: 1.5 },
  });
  ctx.figures.push(row('CreateCall+Channels → IncomingCall, 200 calls in flight, p99', r.ring), row('AcceptCall → CallInfo connected, 200 calls in flight, p99', r.connect));
  if (r.failed) ctx.notes.push(`${r.failed} calls ended (terminated) instead of connecting during the call stage.`);
});

await stage('chat', async () => {
  const r = await chatStage(ctx);
  ctx.figures.push(...chatFigures(r));
  for (const [name, list] of [['SQLite', r.sqlite], ['PostgreSQL', r.postgres]] as const)
    list.forEach((x, i) => {
      if ('na' in x) return;
      if (x.unacked) ctx.notes.push(`Chat on ${name}, ${r.steps[i]!.visitors} visitors: ${x.unacked} messages were never acked.`);
      if (x.relayed < x.acked) ctx.notes.push(`Chat on ${name}, ${r.steps[i]!.visitors} visitors: ${x.acked - x.relayed} acked messages did not reach the agent's console within 5 s.`);
    });
});

await stage('cluster', async () => {
  const r = await clusterStage(ctx);
  ctx.figures.push(...clusterFigures(r));
  const inc = (r.fanCluster?.incomplete ?? 0) + (r.fanSingle?.incomplete ?? 0);
  if (inc) ctx.notes.push(`Cluster fan-out: ${inc} rounds did not reach every visitor within 15 s.`);
  if (r.relayCross && r.relaySame) ctx.notes.push(`Cluster stage sizes on this machine: chat relay ${r.sizes.chatters} visitors × 15 msg/s for ${r.sizes.steps} × ${r.sizes.seconds} s per side; fan-out ${r.sizes.rounds} rounds to 3 × ${r.sizes.per} visitors vs ${r.sizes.per}.`);
});

await stage('sip', async () => {
  const r = await sip(ctx);
  const pair = (name: string, ours: number | undefined, base: number | undefined, baseName: string): Figure => ({
    section: 8,
    name,
    unit: 'ms',
    ours,
    oursNa: r.na,
    baseline: base,
    baselineName: baseName,
    baselineNa: r.na,
    goal: { text: '≤ 1.5× baseline', maxRatio: 1.5 },
  });
  const n = r.n;
  ctx.figures.push(
    pair(`CreateCall+Channels → INVITE sent, ${n} phone calls at once, p50`, r.phone?.invite.p50, r.console?.ring.p50, 'console: → IncomingCall, p50'),
    pair(`CreateCall+Channels → INVITE sent, ${n} phone calls at once, p99`, r.phone?.invite.p99, r.console?.ring.p99, 'console: → IncomingCall, p99'),
    pair(`200 OK → CallInfo connected, ${n} phone calls, p50`, r.phone?.connected.p50, r.console?.connected.p50, 'console: AcceptCall → connected, p50'),
    pair(`200 OK → CallInfo connected, ${n} phone calls, p99`, r.phone?.connected.p99, r.console?.connected.p99, 'console: AcceptCall → connected, p99'),
    { section: 8, name: 'server heap per active SIP call', unit: 'KiB', ours: r.memSip?.heap, oursNa: r.na, baseline: r.memConsole?.heap, baselineName: 'per active console call', baselineNa: r.na },
  );
  if (r.failed) ctx.notes.push(`${r.failed} calls ended instead of connecting during the SIP stage.`);
});

await stage('render', async () => {
  const r = await render(ctx);
  const row = (name: string, v: number | undefined, floor: number | undefined): Figure => ({
    section: 6,
    name,
    unit: 'ms',
    ours: v,
    oursNa: r.na,
    baseline: floor,
    baselineName: 'static Preact render, no server',
    baselineNa: r.floorNa,
    goal: { text: '≤ 150 ms', max: 150 },
  });
  if (r.phases) ctx.notes.push(`Time to first render, ${r.phases}.`);
  ctx.figures.push(row('time to first render, cold (median)', r.cold?.median, r.floorCold), row('time to first render, warm (median)', r.warm?.median, r.floorWarm));
  // Issue 15: a widget may list 1,000 agents (spec 14).
  ctx.figures.push(
    { section: 6, name: 'time to first render (launcher), sidebar with 1,000 agents (10 online), cold (median)', unit: 'ms', ours: r.scale?.cold.median, oursNa: r.scaleNa ?? r.na, baseline: r.cold?.median, baselineName: 'business cards, 10 agents', baselineNa: r.na },
    { section: 6, name: 'WebSocket bytes to the visitor, 1,000 agents, until first render', unit: 'KiB', ours: r.scale ? r.scale.bytesAtRender / 1024 : undefined, oursNa: r.scaleNa ?? r.na, baselineNa: 'none' },
    { section: 6, name: 'WebSocket bytes to the visitor, 1,000 agents, 2 s after load', unit: 'KiB', ours: r.scale ? r.scale.bytesSettled / 1024 : undefined, oursNa: r.scaleNa ?? r.na, baselineNa: 'none' },
  );
  const rc = ctx.figures.find((f) => f.section === 1 && f.name.includes('gzip') && f.name.includes('Rocket'));
  ctx.figures.push({
    section: 1,
    name: 'embed weight, gzip, as fetched by Chromium before first render',
    unit: 'KiB',
    ours: r.wire?.gz,
    oursNa: r.na ?? 'no widget files seen',
    baseline: rc?.baseline,
    baselineName: 'Rocket.Chat Livechat 1.13',
    baselineNa: rc?.baselineNa,
    goal: { text: '≤ 24 KiB gz', max: 24 },
  });
});

await stage('stats', async () => {
  const r = await statsBench(ctx);
  const calls = r.calls.toLocaleString('en');
  for (const row of r.rows) {
    const db = row.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const fig = (name: string, t: { median: number } | undefined, goal?: boolean): Figure => ({
      section: 7,
      name: `${name}, ${calls} calls, ${db}, median`,
      unit: 'ms',
      ours: t?.median,
      oursNa: row.na,
      baseline: row.scan?.median,
      baselineName: 'same query, full scan (indexes dropped)',
      baselineNa: row.na ?? row.scanNa,
      goal: goal ? { text: '< 200 ms', max: 200 } : undefined,
    });
    ctx.figures.push(
      fig('statistics, 30 days of one widget, daily', row.widget30d, true),
      { ...fig('  the same, p95', row.widget30d && { median: row.widget30d.p95 }), name: `  the same, p95 (${db})` },
      fig('statistics, 30 days of one agent, daily', row.agent30d),
      fig('statistics, 7 days of one widget, hourly', row.hourly7d),
    );
  }
  if (r.calls < 1_000_000) ctx.notes.push(`The statistics stage ran on ${calls} calls (--quick); the goal is stated for 1,000,000.`);
});

ctx.figures.sort((a, b) => a.section - b.section);
console.log(`\n${textTable(ctx.figures)}\n`);
const seconds = (Date.now() - started) / 1000;
const findingsFile = path.join(ROOT, 'bench', 'findings.md');
try {
  // BENCH_REPORT sends the report elsewhere (CI does, so a quick run never rewrites the committed figures).
  const out = process.env.BENCH_REPORT || path.join(ROOT, 'docs', 'benchmarks.md');
  if (!only) {
    writeReport(out, {
      command: `npm run bench${quick ? ' -- --quick' : ''}`,
      commit: gitCommit(),
      quick,
      machine,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      seconds,
      loadAtEnd: os.loadavg()[0]!.toFixed(2),
      figures: ctx.figures,
      notes: ctx.notes,
      findings: fs.existsSync(findingsFile) ? fs.readFileSync(findingsFile, 'utf8') : undefined,
    });
    console.log(`wrote ${path.relative(process.cwd(), out)}`);
  } else console.log('(--only: docs/benchmarks.md not rewritten)');
} catch (e) {
  harnessOk = false;
  console.error('bench: could not write docs/benchmarks.md:', e);
}
console.log(`bench: ${seconds.toFixed(0)} s; child logs and profiles in ${logDir}`);
process.exit(harnessOk ? 0 : 1);
