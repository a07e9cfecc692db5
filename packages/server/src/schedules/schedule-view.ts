/** From stored schedules to what the API and the visitor's Session show (spec 11). */
import type { Schedule } from '@cw/protocol';
import type { ScheduleRecord } from '../storage/types.js';
import { nextOpening, scheduleState, type SchedulePlan } from './schedule-engine.js';

export function planOf(r: Pick<ScheduleRecord, 'timeZone' | 'week' | 'exceptions'>): SchedulePlan {
  return { timeZone: r.timeZone, week: r.week, exceptions: r.exceptions };
}

/** The schedule as the API shows it, with `open` and `nextChange` at `now`. */
export function scheduleView(r: ScheduleRecord, now: number): Schedule {
  const s = scheduleState(planOf(r), now);
  return { id: r.id, name: r.name, timeZone: r.timeZone, week: r.week, exceptions: r.exceptions, open: s.open, nextChange: s.nextChange };
}

type Hours = { open: boolean; nextOpen: number | null };

/**
 * Answers per schedule, valid from when they were computed until the next change: every visitor's Start asks,
 * and a plan with an exception a year ahead costs about a millisecond to work out.
 */
const hoursCache = new Map<string, { updatedAt: number; from: number; until: number; hours: Hours }>();
const MAX_CACHED = 1000;

/** What a widget with this schedule tells its visitors: open now, and when it opens next while closed. */
export function widgetHours(r: ScheduleRecord | undefined, now: number): Hours | undefined {
  if (!r) return undefined;
  const hit = hoursCache.get(r.id);
  if (hit && hit.updatedAt === r.updatedAt && now >= hit.from && now < hit.until) return hit.hours;
  const plan = planOf(r);
  const s = scheduleState(plan, now);
  const hours = { open: s.open, nextOpen: s.open ? null : (s.nextChange ?? nextOpening(plan, now)) };
  if (hoursCache.size >= MAX_CACHED) hoursCache.clear();
  hoursCache.set(r.id, { updatedAt: r.updatedAt, from: now, until: s.nextChange ?? Infinity, hours });
  return hours;
}
