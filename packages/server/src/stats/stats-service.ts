/**
 * Statistics (spec section 12, `GET /api/stats`): counts of chats, voice and
 * video calls and offline messages, answered vs missed, time to answer
 * (p50/p90), durations, busiest hours and agent load, per widget, agent or
 * group, bucketed by hour or day in the admin's time zone.
 *
 * Storage aggregates by (offset segment, local hour) in SQL; this module
 * turns those groups into DST-correct buckets, totals and rankings.
 *
 * Definitions (also in the README):
 * - answered: a call an agent accepted; a chat an agent accepted.
 * - missed: a call that ended without being answered (no answer, declined,
 *   busy, unavailable, or the visitor gave up while it rang); a chat closed
 *   without being accepted. Calls and chats still ringing/waiting are neither.
 * - time to answer: call started → answered; chat requested → accepted.
 * - the period [from, to) is half-open; a row belongs to the time it started.
 */
import type { Stats, StatsBucket } from '@cw/protocol/api';
import type { StatsHourRow, StatsScope, Storage } from '../storage/types.js';
import { bucketKey, bucketsOf, isoInZone, offsetAt, offsetSegments, type BucketSize } from './time-zone.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Longest period one request may cover, and the longest with hourly buckets. */
export const MAX_PERIOD_DAYS = 400;
export const MAX_HOURLY_DAYS = 62;
/** Up to this many answer times are sorted in memory for the percentiles (see #percentiles). */
const IN_MEMORY = 50_000;

export interface StatsRequest {
  from: number;
  to: number;
  bucket: BucketSize;
  tz: string;
  widget?: string;
  /** a user's or a group's sipId */
  agent?: string;
  /** a group id */
  group?: string;
}

export type StatsCounts = Omit<StatsBucket, 'start'>;
export type StatsAnswer = Stats;

/** A request that cannot be answered: the HTTP layer turns it into 400 (or 404 with `notFound`). */
export class StatsInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'StatsInputError';
  }
}

const zero = (): StatsCounts => ({ chats: 0, voiceCalls: 0, videoCalls: 0, offlineMessages: 0, answered: 0, missed: 0 });

function add(into: StatsCounts, r: StatsHourRow): void {
  if (r.source === 'call') {
    into.videoCalls += r.video;
    into.voiceCalls += r.total - r.video;
  } else if (r.source === 'chat') into.chats += r.total;
  else into.offlineMessages += r.total;
  into.answered += r.answered;
  into.missed += r.missed;
}

const avg = (sum: number, count: number): number | null => (count > 0 ? Math.round(sum / count) : null);

export class StatsService {
  constructor(private readonly deps: { storage: Pick<Storage, 'stats' | 'users' | 'groups'> }) {}

  /** Checks the request's shape; throws StatsInputError naming the field. */
  static validate(q: StatsRequest): void {
    if (!(q.to > q.from)) throw new StatsInputError('to', '"to" must be after "from".');
    if (q.to - q.from > MAX_PERIOD_DAYS * DAY) throw new StatsInputError('to', `A period may be at most ${MAX_PERIOD_DAYS} days.`);
    if (q.bucket === 'hour' && q.to - q.from > MAX_HOURLY_DAYS * DAY)
      throw new StatsInputError('bucket', `Hourly buckets are available for periods of up to ${MAX_HOURLY_DAYS} days; use bucket=day.`);
  }

  async query(q: StatsRequest): Promise<StatsAnswer> {
    StatsService.validate(q);
    const scope: StatsScope = { from: q.from, to: q.to };
    if (q.widget) scope.widgetUuid = q.widget;
    if (q.agent !== undefined || q.group !== undefined) scope.party = await this.#party(q);

    const segments = offsetSegments(q.tz, q.from, q.to);
    const rows = await this.deps.storage.stats.hours(
      scope,
      segments.map((s) => ({ to: s.to, offsetMs: s.offsetMs })),
    );

    const buckets = bucketsOf(q.bucket, segments);
    const byKey = new Map(buckets.map((b) => [b.key, { start: isoInZone(b.start, b.offsetMs), ...zero() } as StatsBucket]));
    const totals = zero();
    const hourOfDay = new Array<number>(24).fill(0);
    const weekHours = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    let answerMs = 0;
    let answerN = 0;
    let callsAnswered = 0;
    let chatsAnswered = 0;
    let callDur = 0;
    let callDurN = 0;
    let chatDur = 0;
    let chatDurN = 0;
    for (const r of rows) {
      add(totals, r);
      const b = byKey.get(bucketKey(q.bucket, r.seg, r.lh));
      if (b) add(b, r);
      const hour = ((r.lh % 24) + 24) % 24;
      // Day 0 of local hours (1970-01-01) was a Thursday: +3 makes Monday 0.
      const weekday = (((Math.floor(r.lh / 24) + 3) % 7) + 7) % 7;
      hourOfDay[hour]! += r.total;
      weekHours[weekday]![hour]! += r.total;
      answerMs += r.answerMs;
      answerN += r.answerN;
      if (r.source === 'call') {
        callsAnswered += r.answered;
        callDur += r.durationMs;
        callDurN += r.durationN;
      } else if (r.source === 'chat') {
        chatsAnswered += r.answered;
        chatDur += r.durationMs;
        chatDurN += r.durationN;
      }
    }

    const [p50, p90] = await this.#percentiles(scope, answerN, [0.5, 0.9]);

    const agents = await this.#agents(scope);
    return {
      period: { from: isoInZone(q.from, offsetAt(q.tz, q.from)), to: isoInZone(q.to, offsetAt(q.tz, q.to)), bucket: q.bucket, tz: q.tz },
      totals: {
        ...totals,
        answerTimeP50Ms: p50 ?? null,
        answerTimeP90Ms: p90 ?? null,
        answerTimeAvgMs: avg(answerMs, answerN),
        callsAnswered,
        chatsAnswered,
        callDurationTotalMs: callDur,
        callDurationAvgMs: avg(callDur, callDurN),
        chatDurationAvgMs: avg(chatDur, chatDurN),
      },
      buckets: [...byKey.values()],
      busiestHours: hourOfDay.map((contacts, hour) => ({ hour, contacts })).sort((a, b) => b.contacts - a.contacts || a.hour - b.hour),
      weekHours,
      agents,
    };
  }

  /**
   * Nearest-rank percentiles of the time to answer: the smallest time with
   * at least p of all times at or below it. Up to IN_MEMORY times are read
   * once and sorted here (one pass over the rows); beyond, the database
   * finds each rank with ORDER BY … OFFSET.
   */
  async #percentiles(scope: StatsScope, count: number, ps: number[]): Promise<(number | undefined)[]> {
    if (count === 0) return ps.map(() => undefined);
    const rank = (p: number) => Math.max(0, Math.ceil(p * count) - 1);
    if (count <= IN_MEMORY) {
      const all = (await this.deps.storage.stats.answerTimes(scope)).sort((a, b) => a - b);
      return ps.map((p) => all[Math.min(all.length - 1, rank(p))]);
    }
    return Promise.all(ps.map((p) => this.deps.storage.stats.answerTimeAt(scope, rank(p))));
  }

  /** Who `agent` / `group` name: the sipId addressed, and the user who may have answered calls to groups. */
  async #party(q: StatsRequest): Promise<NonNullable<StatsScope['party']>> {
    const dests: string[] = [];
    const agentUserIds: string[] = [];
    if (q.group !== undefined) {
      const g = await this.deps.storage.groups.get(q.group);
      if (!g) throw new StatsInputError('group', 'No such group.', true);
      if (g.sipId) dests.push(g.sipId);
    }
    if (q.agent !== undefined) {
      dests.push(q.agent);
      // A user also answers calls and chats addressed to their groups; a sipId no longer in the directory still has history.
      const u = await this.deps.storage.users.getBySipId(q.agent);
      if (u) agentUserIds.push(u.id);
    }
    return { dests, agentUserIds };
  }

  async #agents(scope: StatsScope): Promise<StatsAnswer['agents']> {
    const rows = await this.deps.storage.stats.agents(scope);
    if (rows.length === 0) return [];
    const users = new Map((await this.deps.storage.users.list()).map((u) => [u.id, u]));
    const out: StatsAnswer['agents'] = [];
    for (const r of rows) {
      const u = users.get(r.agentUserId);
      out.push({ id: r.agentUserId, sipId: u?.sipId ?? '', displayName: u?.displayName ?? '(deleted user)', calls: r.calls, chats: r.chats, talkTimeMs: r.talkMs });
    }
    return out.sort((a, b) => b.calls + b.chats - (a.calls + a.chats) || a.displayName.localeCompare(b.displayName));
  }
}
