/**
 * Statistics aggregations. One Kysely code path for SQLite and PostgreSQL:
 * no date functions (SQLite has no time zones), only integer arithmetic on
 * the ms columns. Each row is placed into a local hour with the UTC offset of
 * its segment (a CASE over the few daylight-saving changes in the period),
 * and rows are grouped by (segment, local hour); days, hours of the day and
 * weekdays are rolled up from those groups in stats/stats-service.ts.
 *
 * The scope's filters match the indexes of migration 005
 * ((widget_uuid | dest | agent_user_id), time), so a month of one widget
 * reads that month's rows, not the history.
 */
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import type { StatsAgentRow, StatsHourRow, StatsRepo, StatsScope, StatsZone } from '../types.js';
import { num, type RepoContext } from '../util.js';

const HOUR_MS = 3_600_000;

/** A table the statistics read: its time column and how "answered", "missed" and the durations are told. */
interface Source {
  source: StatsHourRow['source'];
  table: 'call_log' | 'chats';
  ts: 'started_at' | 'created_at';
  video: RawBuilder<number>;
  answered: RawBuilder<SqlBool>;
  missed: RawBuilder<SqlBool>;
  /** time to answer, where known (else NULL) */
  answerMs: RawBuilder<number | null>;
  /** duration after answering, where known (else NULL) */
  durationMs: RawBuilder<number | null>;
}

const CALLS: Source = {
  source: 'call',
  table: 'call_log',
  ts: 'started_at',
  video: sql<number>`video`,
  answered: sql<SqlBool>`answered_at is not null`,
  // Ended without an agent answering: no-answer, rejected, busy, unavailable, or the visitor gave up while it rang.
  missed: sql<SqlBool>`answered_at is null and ended_at is not null`,
  answerMs: sql<number | null>`answered_at - started_at`,
  durationMs: sql<number | null>`ended_at - answered_at`,
};

const CHATS: Source = {
  source: 'chat',
  table: 'chats',
  ts: 'created_at',
  video: sql<number>`0`,
  answered: sql<SqlBool>`agent_user_id is not null`,
  missed: sql<SqlBool>`agent_user_id is null and state = 'closed'`,
  answerMs: sql<number | null>`accepted_at - created_at`,
  durationMs: sql<number | null>`closed_at - accepted_at`,
};

/** `case when ts < b1 then v0 when ts < b2 then v1 … else vn end`, with the numbers inlined (they are computed, not input). */
function bySegment(ts: string, zone: StatsZone, value: (i: number) => number): RawBuilder<number> {
  const last = zone.length - 1;
  if (last <= 0) return sql<number>`${sql.lit(value(0))}`;
  const whens = zone.slice(0, last).map((s, i) => sql`when ${sql.ref(ts)} < ${sql.lit(s.to)} then ${sql.lit(value(i))}`);
  return sql<number>`(case ${sql.join(whens, sql` `)} else ${sql.lit(value(last))} end)`;
}

/** The scope as a WHERE condition on `src`'s table. */
function scopeWhere(src: Source, scope: StatsScope) {
  return (eb: ExpressionBuilder<Database, 'call_log' | 'chats'>): Expression<SqlBool> => {
    const ts = sql.ref(src.ts);
    const conds: Expression<SqlBool>[] = [sql<SqlBool>`${ts} >= ${scope.from}`, sql<SqlBool>`${ts} < ${scope.to}`];
    if (scope.widgetUuid !== undefined) conds.push(sql<SqlBool>`widget_uuid = ${scope.widgetUuid}`);
    if (scope.party) {
      const { dests, agentUserIds } = scope.party;
      const any: Expression<SqlBool>[] = [];
      if (dests.length) any.push(sql<SqlBool>`dest in (${sql.join(dests)})`);
      if (agentUserIds.length) any.push(sql<SqlBool>`agent_user_id in (${sql.join(agentUserIds)})`);
      conds.push(any.length ? eb.or(any) : sql<SqlBool>`1 = 0`);
    }
    return eb.and(conds);
  };
}

/**
 * The answering agent, grouped by as an expression: grouped by the bare
 * column, SQLite walks the (agent_user_id, time) index in agent order for
 * every agent's rows in the period (167,000 of 1,000,000 calls for a month,
 * 137 ms) instead of the one widget's month from its covering index and a
 * small sort (16 ms). PostgreSQL plans the same either way.
 */
const AGENT = sql<string>`coalesce(agent_user_id, '')`;

const sumIf = (cond: RawBuilder<SqlBool>) => sql<number | string>`sum(case when ${cond} then 1 else 0 end)`;
const sumOf = (v: RawBuilder<number | null>) => sql<number | string>`sum(coalesce(${v}, 0))`;
const countOf = (v: RawBuilder<number | null>) => sql<number | string>`count(${v})`;
const n = (v: number | string | null | undefined): number => (v === null || v === undefined ? 0 : num(v));

/** Builds the statistics repo. */
export function statsRepo(ctx: RepoContext): StatsRepo {
  const hoursOf = async (src: Source, scope: StatsScope, zone: StatsZone): Promise<StatsHourRow[]> => {
    const seg = bySegment(src.ts, zone, (i) => i);
    const off = bySegment(src.ts, zone, (i) => zone[i]!.offsetMs);
    // Integer division: both databases truncate, and (t + offset) is positive for any real time.
    const lh = sql<number>`(${sql.ref(src.ts)} + ${off}) / ${sql.lit(HOUR_MS)}`;
    const rows = await ctx
      .db()
      .selectFrom(src.table)
      .select([
        seg.as('seg'),
        lh.as('lh'),
        sql<number | string>`count(*)`.as('total'),
        sql<number | string>`sum(${src.video})`.as('video'),
        sumIf(src.answered).as('answered'),
        sumIf(src.missed).as('missed'),
        sumOf(src.answerMs).as('answer_ms'),
        countOf(src.answerMs).as('answer_n'),
        sumOf(src.durationMs).as('duration_ms'),
        countOf(src.durationMs).as('duration_n'),
      ])
      .where(scopeWhere(src, scope))
      .groupBy([sql`seg`, sql`lh`])
      .execute();
    return rows.map((r) => ({
      source: src.source,
      seg: n(r.seg),
      lh: n(r.lh),
      total: n(r.total),
      video: n(r.video),
      answered: n(r.answered),
      missed: n(r.missed),
      answerMs: n(r.answer_ms),
      answerN: n(r.answer_n),
      durationMs: n(r.duration_ms),
      durationN: n(r.duration_n),
    }));
  };

  const answerTimes = (scope: StatsScope) => {
    const db = ctx.db();
    const calls = db.selectFrom('call_log').select(CALLS.answerMs.as('t')).where(scopeWhere(CALLS, scope)).where('answered_at', 'is not', null);
    const chats = db.selectFrom('chats').select(CHATS.answerMs.as('t')).where(scopeWhere(CHATS, scope)).where('accepted_at', 'is not', null);
    return calls.unionAll(chats);
  };

  /** Offline messages (spec 11, the `missed` table): per widget only — they are addressed to no agent. */
  const offlineHours = async (scope: StatsScope, zone: StatsZone): Promise<StatsHourRow[]> => {
    if (scope.party) return [];
    const seg = bySegment('ts', zone, (i) => i);
    const off = bySegment('ts', zone, (i) => zone[i]!.offsetMs);
    const lh = sql<number>`(${sql.ref('ts')} + ${off}) / ${sql.lit(HOUR_MS)}`;
    let q = ctx
      .db()
      .selectFrom('missed')
      .select([seg.as('seg'), lh.as('lh'), sql<number | string>`count(*)`.as('total')])
      .where('kind', '=', 'offline')
      .where('ts', '>=', scope.from)
      .where('ts', '<', scope.to);
    if (scope.widgetUuid !== undefined) q = q.where('widget_uuid', '=', scope.widgetUuid);
    const rows = await q.groupBy([sql`seg`, sql`lh`]).execute();
    return rows.map((r) => ({ source: 'offline' as const, seg: n(r.seg), lh: n(r.lh), total: n(r.total), video: 0, answered: 0, missed: 0, answerMs: 0, answerN: 0, durationMs: 0, durationN: 0 }));
  };

  return {
    async hours(scope, zone) {
      if (zone.length === 0) throw new Error('stats: a zone needs at least one segment');
      const [calls, chats, offline] = await Promise.all([hoursOf(CALLS, scope, zone), hoursOf(CHATS, scope, zone), offlineHours(scope, zone)]);
      return [...calls, ...chats, ...offline];
    },

    async answerTimeAt(scope, k) {
      const db = ctx.db();
      const r = await db
        .selectFrom(answerTimes(scope).as('x'))
        .select('t')
        .orderBy('t')
        .limit(1)
        .offset(Math.max(0, Math.floor(k)))
        .executeTakeFirst();
      return r?.t === undefined || r.t === null ? undefined : n(r.t);
    },

    async answerTimes(scope) {
      const rows = await answerTimes(scope).execute();
      return rows.map((r) => n(r.t));
    },

    async openChats() {
      const rows = await ctx
        .db()
        .selectFrom('chats')
        .select(['state', sql<number | string>`count(*)`.as('n')])
        .where('state', 'in', ['waiting', 'accepted'])
        .groupBy('state')
        .execute();
      const out = { waiting: 0, accepted: 0 };
      for (const r of rows) out[r.state as 'waiting' | 'accepted'] = n(r.n);
      return out;
    },

    async agents(scope) {
      const db = ctx.db();
      const [calls, chats] = await Promise.all([
        db
          .selectFrom('call_log')
          .select([AGENT.as('agent_user_id'), sql<number | string>`count(*)`.as('n'), sumOf(CALLS.durationMs).as('talk_ms')])
          .where(scopeWhere(CALLS, scope))
          .where('answered_at', 'is not', null)
          .where('agent_user_id', 'is not', null)
          .groupBy(AGENT)
          .execute(),
        db
          .selectFrom('chats')
          .select([AGENT.as('agent_user_id'), sql<number | string>`count(*)`.as('n')])
          .where(scopeWhere(CHATS, scope))
          .where('agent_user_id', 'is not', null)
          .groupBy(AGENT)
          .execute(),
      ]);
      const out = new Map<string, StatsAgentRow>();
      const row = (id: string) => out.get(id) ?? out.set(id, { agentUserId: id, calls: 0, chats: 0, talkMs: 0 }).get(id)!;
      for (const r of calls) {
        const a = row(r.agent_user_id!);
        a.calls = n(r.n);
        a.talkMs = n(r.talk_ms);
      }
      for (const r of chats) row(r.agent_user_id!).chats = n(r.n);
      return [...out.values()];
    },
  };
}
