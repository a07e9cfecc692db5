/**
 * The schedule engine (spec 11): whether a weekly plan with exceptions is
 * open at an instant, and when that next changes. Pure: every function takes
 * the instant, so a fake clock drives it in tests; no I/O, no timers.
 *
 * Local times are read in the schedule's IANA zone through Intl (the same
 * `offsetAt` as the statistics). Where a local time does not exist or exists
 * twice (daylight-saving changes), it is read as Temporal's "compatible"
 * disambiguation does: a time in the spring gap moves forward by the gap
 * (02:30 → 03:30), a time repeated in autumn is its first occurrence.
 *
 * Exceptions replace the weekly plan on their date. Several exceptions on
 * one date add up: the day is open in the union of their intervals (so
 * "closed" plus "extra hour 10–11" is open 10–11). Intervals that touch or
 * overlap — within a day, or over midnight with "24:00" — are one opening.
 */
import { offsetAt } from '../stats/time-zone.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** ["08:00","12:00"]: local wall-clock times; "24:00" ends a day. */
export type Interval = [string, string];

export interface ScheduleException {
  /** local date, YYYY-MM-DD */
  date: string;
  /** replaces that date's intervals; [] = closed all day */
  intervals: Interval[];
  label?: string;
}

export interface SchedulePlan {
  timeZone: string;
  week: Partial<Record<Weekday, Interval[]>>;
  exceptions: ScheduleException[];
}

export interface ScheduleState {
  open: boolean;
  /** the next instant at which `open` flips, or null when it never does */
  nextChange: number | null;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead to look at most (ten years). */
const MAX_DAYS = 3660;

/** "08:30" → 510; "24:00" → 1440; anything else → NaN. */
export function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > 1440 ? NaN : v;
}

/** Why an interval list is not acceptable, or undefined when it is (start before end, 00:00–24:00). */
export function intervalProblem(iv: Interval): string | undefined {
  const s = minutesOf(iv[0]);
  const e = minutesOf(iv[1]);
  if (Number.isNaN(s) || s >= 1440) return `"${iv[0]}" must be a time from 00:00 to 23:59`;
  if (Number.isNaN(e)) return `"${iv[1]}" must be a time from 00:01 to 24:00`;
  if (e <= s) return `ends (${iv[1]}) before it starts (${iv[0]})`;
  return undefined;
}

/** True for a real calendar date YYYY-MM-DD. */
export function isIsoDate(d: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === d;
}

/** The instant of a local wall-clock time (ms since the epoch, "local" as if it were UTC). */
export function localToInstant(tz: string, localMs: number): number {
  const before = offsetAt(tz, localMs - DAY);
  const after = offsetAt(tz, localMs + DAY);
  const candidates: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    const t = localMs - o;
    if (offsetAt(tz, t) === o) candidates.push(t);
  }
  // Both valid: the repeated hour of autumn, first occurrence. None: the spring gap, moved forward.
  if (candidates.length) return Math.min(...candidates);
  return localMs - before;
}

/** The local calendar day (as a UTC-midnight number) of instant t. */
function localDay(tz: string, t: number): number {
  const local = t + offsetAt(tz, t);
  return Math.floor(local / DAY) * DAY;
}

function isoOf(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6. */
function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7]!;
}

/** A plan prepared for repeated questions: exceptions by date. */
interface Prepared {
  plan: SchedulePlan;
  byDate: Map<string, Interval[]>;
  lastExceptionDay: number;
}

function prepare(plan: SchedulePlan): Prepared {
  const byDate = new Map<string, Interval[]>();
  let lastExceptionDay = -Infinity;
  for (const ex of plan.exceptions) {
    byDate.set(ex.date, [...(byDate.get(ex.date) ?? []), ...ex.intervals]);
    const d = Date.parse(`${ex.date}T00:00:00Z`);
    if (Number.isFinite(d)) lastExceptionDay = Math.max(lastExceptionDay, d);
  }
  return { plan, byDate, lastExceptionDay };
}

/** The openings of one local day as instants, sorted by start (not merged). */
function dayOpenings(p: Prepared, day: number): [number, number][] {
  const intervals = p.byDate.get(isoOf(day)) ?? p.plan.week[weekdayOf(day)] ?? [];
  const out: [number, number][] = [];
  for (const iv of intervals) {
    const s = minutesOf(iv[0]);
    const e = minutesOf(iv[1]);
    if (Number.isNaN(s) || Number.isNaN(e) || e <= s) continue;
    const from = localToInstant(p.plan.timeZone, day + s * MINUTE);
    const to = localToInstant(p.plan.timeZone, day + e * MINUTE);
    if (to > from) out.push([from, to]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Whether the plan is open at `t` and when that next changes. Openings are
 * half-open: open at a start, closed at an end.
 */
export function scheduleState(plan: SchedulePlan, t: number): ScheduleState {
  const p = prepare(plan);
  const first = localDay(plan.timeZone, t);
  // The weekly plan repeats: 8 days decide it, unless an exception lies further ahead.
  const days = Math.min(MAX_DAYS, Math.max(9, Math.ceil((p.lastExceptionDay - first) / DAY) + 2));
  let containing: [number, number] | null = null;
  for (let k = 0; k < days; k++) {
    const day = first + k * DAY;
    for (const [s, e] of dayOpenings(p, day)) {
      if (containing) {
        if (s <= containing[1]) {
          containing[1] = Math.max(containing[1], e);
          continue;
        }
        return { open: true, nextChange: containing[1] };
      }
      if (s <= t && t < e) containing = [s, e];
      else if (s > t) return { open: false, nextChange: s };
    }
    // Nothing of the next day can start before its midnight: an opening that ends earlier is over.
    if (containing && containing[1] < localToInstant(plan.timeZone, day + DAY)) return { open: true, nextChange: containing[1] };
  }
  return { open: containing !== null, nextChange: null };
}

/**
 * The next opening after `t` (for "We're back Monday at 8:00"): `t`'s own
 * state's change when closed, else the opening after the coming close.
 */
export function nextOpening(plan: SchedulePlan, t: number): number | null {
  const s = scheduleState(plan, t);
  if (!s.open) return s.nextChange;
  if (s.nextChange === null) return null;
  return scheduleState(plan, s.nextChange).nextChange;
}
