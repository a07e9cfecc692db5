/**
 * 7. Statistics query time over a large call history (issue 14): the whole
 * `GET /api/stats` computation (StatsService: buckets, totals, p50/p90,
 * agent load) for 30 days of one widget, over 1,000,000 seeded calls and
 * 200,000 chats (a quarter of that with --quick), on SQLite and on
 * PostgreSQL. The baseline is the same query on the same data in the same
 * run after the indexes of migration 005 (and the plain time indexes) are
 * dropped, so the database must scan the whole history.
 *
 * The history is generated inside the database from a deterministic hash of
 * the row number, the same SQL on both databases: 180 days, 10 widgets, 50
 * agents, 30 % video, 70 % answered after 3–60 s, talks of 30 s–10 min.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import BetterSqlite3 from 'better-sqlite3';
import { PG_URL } from '@cw/testkit';
import { openStorage, StatsService, type StatsRequest, type Storage, type StorageOptions } from '@cw/server';
import { reason, type Ctx } from '../lib/context.js';
import { median, percentile } from '../lib/stats.js';

const DAY = 86_400_000;
const DAYS = 180;
const WIDGETS = 10;
const AGENTS = 50;
/** the history ends here (a fixed date, so every run sees the same data) */
const END = Date.parse('2026-06-01T00:00:00Z');

export interface StatsBenchResult {
  calls: number;
  rows: { db: 'sqlite' | 'postgres'; na?: string; seedS?: number; widget30d?: Timing; agent30d?: Timing; hourly7d?: Timing; scan?: Timing; scanNa?: string }[];
}

export interface Timing {
  median: number;
  p95: number;
  n: number;
}

/** The row source of 1..n: generate_series on PostgreSQL, a recursive CTE on SQLite. */
function series(kind: 'sqlite' | 'postgres', n: number): string {
  return kind === 'postgres'
    ? `generate_series(cast(1 as bigint), ${n}) as s(i)`
    : `(with recursive r(i) as (select 1 union all select i + 1 from r where i < ${n}) select i from r) as s`;
}

/** A deterministic "random" 0..m-1 from the row number (multiplicative hashing). */
const h = (mult: number, m: number) => `((i * ${mult}) % 4294967291 % ${m})`;

export function seedCallsSql(kind: 'sqlite' | 'postgres', n: number): string {
  const spacing = Math.floor((DAYS * DAY) / n);
  const start = END - DAYS * DAY;
  const t = `(${start} + i * ${spacing} + ${h(2246822519, spacing)})`;
  const answered = `${h(3266489917, 100)} < 70`;
  const answerAt = `(${t} + 3000 + ${h(668265263, 57000)})`;
  return `insert into call_log (id, widget_uuid, dest, visitor_dn, video, agent_user_id, started_at, answered_at, ended_at, cause)
    select 'c' || i, 'w' || ${h(2654435761, WIDGETS)}, 'agent' || ${h(374761393, AGENTS)}, 'Visitor',
      case when ${h(2870177450, 10)} < 3 then 1 else 0 end,
      case when ${answered} then 'u' || ${h(374761393, AGENTS)} else null end,
      ${t},
      case when ${answered} then ${answerAt} else null end,
      case when ${answered} then ${answerAt} + 30000 + ${h(1103515245, 570000)} else ${t} + 30000 end,
      case when ${answered} then 'hangup' else 'no-answer' end
    from ${series(kind, n)}`;
}

export function seedChatsSql(kind: 'sqlite' | 'postgres', n: number): string {
  const spacing = Math.floor((DAYS * DAY) / n);
  const start = END - DAYS * DAY;
  const t = `(${start} + i * ${spacing} + ${h(2246822519, spacing)})`;
  const accepted = `${h(3266489917, 100)} < 80`;
  const acceptAt = `(${t} + 5000 + ${h(668265263, 115000)})`;
  return `insert into chats (id, widget_uuid, visitor_session, visitor_dn, visitor_email, dest, state, agent_user_id, agent_dn, closed_by, created_at, closed_at, accepted_at)
    select 'h' || i, 'w' || ${h(2654435761, WIDGETS)}, 'vs' || i, 'Visitor', '', 'agent' || ${h(374761393, AGENTS)}, 'closed',
      case when ${accepted} then 'u' || ${h(374761393, AGENTS)} else null end,
      case when ${accepted} then 'Agent' else null end,
      case when ${accepted} then 'visitor' else 'system' end,
      ${t},
      ${t} + 300000 + ${h(1103515245, 600000)},
      case when ${accepted} then ${acceptAt} else null end
    from ${series(kind, n)}`;
}

/** Indexes that make the statistics fast; the baseline runs without them. */
const STATS_INDEXES = [
  'call_log_widget_started_idx',
  'call_log_dest_started_idx',
  'call_log_agent_started_idx',
  'call_log_started_idx',
  'chats_widget_created_idx',
  'chats_dest_created_idx',
  'chats_agent_created_idx',
  'chats_created_idx',
];

async function time(fn: () => Promise<unknown>, n: number): Promise<Timing> {
  const samples: number[] = [];
  await fn(); // warm-up: statement caches, pages
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { median: median(samples), p95: percentile(samples, 95), n };
}

export async function statsBench(ctx: Ctx): Promise<StatsBenchResult> {
  const calls = ctx.quick ? 250_000 : 1_000_000;
  const chats = calls / 5;
  const out: StatsBenchResult = { calls, rows: [] };
  const logger = pino({ level: 'silent' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-stats-'));
  const schema = `cw_bench_stats_${process.pid}`;

  // Seeding and dropping indexes go through a connection of their own: Storage offers no raw SQL.
  const sqliteFile = path.join(dir, 'stats.sqlite');
  let pgClient: pg.Client | undefined;
  const dbs: { db: 'sqlite' | 'postgres'; opts: StorageOptions; exec(text: string): Promise<void>; cleanup(): Promise<void> }[] = [
    {
      db: 'sqlite',
      opts: { sqlitePath: sqliteFile, logger },
      exec: async (text) => {
        const raw = new BetterSqlite3(sqliteFile);
        try {
          raw.pragma('busy_timeout = 10000');
          raw.exec(text);
        } finally {
          raw.close();
        }
      },
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }),
    },
    {
      db: 'postgres',
      opts: { databaseUrl: PG_URL, schema, logger },
      exec: async (text) => {
        if (!pgClient) {
          pgClient = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
          await pgClient.connect();
        }
        await pgClient.query(text);
      },
      cleanup: async () => {
        const c = pgClient ?? new pg.Client({ connectionString: PG_URL });
        if (!pgClient) await c.connect();
        await c.query(`drop schema if exists "${schema}" cascade`);
        await c.end();
        pgClient = undefined;
      },
    },
  ];

  for (const d of dbs) {
    const row: StatsBenchResult['rows'][number] = { db: d.db };
    out.rows.push(row);
    let storage: Storage | undefined;
    try {
      storage = await openStorage(d.opts);
      const run = d.exec;
      const t0 = performance.now();
      for (let a = 0; a < AGENTS; a++)
        await storage.users.create({ id: `u${a}`, username: `agent${a}`, displayName: `Agent ${a}`, sipId: `agent${a}`, email: '', phone: '', department: '', roles: ['agent'], passwordHash: 'x' });
      await run(seedCallsSql(d.db, calls));
      await run(seedChatsSql(d.db, chats));
      // What a running database has after a bulk load: PostgreSQL's autovacuum vacuums and analyses new rows; SQLite's planner needs ANALYZE.
      await run(d.db === 'postgres' ? 'vacuum analyze' : 'analyze');
      row.seedS = (performance.now() - t0) / 1000;
      ctx.log(`   ${d.db}: seeded ${calls.toLocaleString('en')} calls and ${chats.toLocaleString('en')} chats in ${row.seedS.toFixed(1)} s`);

      const svc = new StatsService({ storage });
      let k = 0;
      // Each query another widget and another 30-day window inside the history.
      const window = (days: number): Pick<StatsRequest, 'from' | 'to'> => {
        const to = END - (k % 5) * 17 * DAY;
        return { from: to - days * DAY, to };
      };
      const widget30d = () => svc.query({ ...window(30), bucket: 'day', tz: 'Europe/Berlin', widget: `w${k++ % WIDGETS}` });
      const agent30d = () => svc.query({ ...window(30), bucket: 'day', tz: 'Europe/Berlin', agent: `agent${k++ % AGENTS}` });
      const hourly7d = () => svc.query({ ...window(7), bucket: 'hour', tz: 'Europe/Berlin', widget: `w${k++ % WIDGETS}` });
      const sample = await widget30d();
      ctx.log(`   ${d.db}: one widget, 30 days: ${sample.totals.voiceCalls + sample.totals.videoCalls} calls, ${sample.totals.chats} chats, p50 ${sample.totals.answerTimeP50Ms} ms`);
      const n = ctx.quick ? 10 : 30;
      row.widget30d = await time(widget30d, n);
      row.agent30d = await time(agent30d, n);
      row.hourly7d = await time(hourly7d, n);
      ctx.log(`   ${d.db}: widget 30 d median ${row.widget30d.median.toFixed(1)} ms, agent 30 d ${row.agent30d.median.toFixed(1)} ms, hourly 7 d ${row.hourly7d.median.toFixed(1)} ms`);
      try {
        for (const ix of STATS_INDEXES) await run(`drop index ${ix}`);
        row.scan = await time(widget30d, ctx.quick ? 2 : 4);
        ctx.log(`   ${d.db}: without indexes (full scan) median ${row.scan.median.toFixed(0)} ms`);
      } catch (e) {
        row.scanNa = reason(e);
      }
    } catch (e) {
      row.na = reason(e);
      ctx.log(`   ${d.db}: n/a: ${row.na}`);
    } finally {
      await storage?.close().catch(() => undefined);
      await d.cleanup().catch(() => undefined);
    }
  }
  return out;
}
